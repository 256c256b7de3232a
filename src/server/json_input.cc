#include "server/json_input.h"

#include <cmath>
#include <cstdio>

namespace suanli::server {

Status CheckText(const std::string& text, TextRule rule, const std::string& field) {
  auto refuse = [&](uint32_t cp, const char* what) {
    char code[16];
    std::snprintf(code, sizeof(code), "U+%04X", cp);
    return InvalidArgument("field '" + field + "' must not contain " + what + " (" + code + ")");
  };
  // JSON strings reach us as valid UTF-8 (the parser refuses others): decode as such.
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    uint32_t cp = b;
    size_t len = 1;
    if (b >= 0xF0 && i + 3 < text.size()) {
      cp = (b & 0x07u) << 18 | (text[i + 1] & 0x3Fu) << 12 | (text[i + 2] & 0x3Fu) << 6 |
           (text[i + 3] & 0x3Fu);
      len = 4;
    } else if (b >= 0xE0 && i + 2 < text.size()) {
      cp = (b & 0x0Fu) << 12 | (text[i + 1] & 0x3Fu) << 6 | (text[i + 2] & 0x3Fu);
      len = 3;
    } else if (b >= 0xC0 && i + 1 < text.size()) {
      cp = (b & 0x1Fu) << 6 | (text[i + 1] & 0x3Fu);
      len = 2;
    }
    i += len;
    if (cp == 0) return refuse(cp, "a NUL character");
    if (rule == TextRule::kNoNul) continue;
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      return refuse(cp, "control characters");
    }
    if (cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
        (cp >= 0x2066 && cp <= 0x2069)) {
      return refuse(cp, "bidirectional control characters");
    }
  }
  return Status::Ok();
}

Result<json> ParseObject(const std::string& body) {
  if (body.empty()) return json::object();
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("request body is not valid JSON");
  if (!j.is_object()) return InvalidArgument("request body must be a JSON object");
  return j;
}

FieldReader::FieldReader(const json& obj, std::string where)
    : obj_(obj), where_(std::move(where)) {}

bool FieldReader::Has(const char* name) const {
  auto it = obj_.find(name);
  return it != obj_.end() && !it->is_null();
}

const json* FieldReader::Take(const char* name) {
  seen_.insert(name);
  auto it = obj_.find(name);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

const json* FieldReader::Raw(const char* name) { return Take(name); }

FieldReader& FieldReader::String(const char* name, std::string* out, size_t max_len) {
  const json* v = Take(name);
  if (!v) return *this;
  if (!v->is_string()) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be a string"));
  } else if (v->get_ref<const std::string&>().size() > max_len) {
    Fail(InvalidArgument("field '" + Field(name) + "' is longer than " + std::to_string(max_len) +
                         " characters"));
  } else {
    *out = v->get<std::string>();
  }
  return *this;
}

FieldReader& FieldReader::Int(const char* name, int64_t* out, int64_t min, int64_t max) {
  const json* v = Take(name);
  if (!v) return *this;
  std::string range = " between " + std::to_string(min) + " and " + std::to_string(max);
  if (!v->is_number()) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be an integer" + range));
    return *this;
  }
  // Integers are compared exactly: through a double, 2^63 (unsigned) would equal
  // double(INT64_MAX), pass, and wrap to INT64_MIN.
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (max < 0 || u > static_cast<uint64_t>(max) || static_cast<int64_t>(u) < min) {
      Fail(InvalidArgument("field '" + Field(name) + "' must be" + range));
    } else {
      *out = static_cast<int64_t>(u);
    }
    return *this;
  }
  if (v->is_number_integer()) {
    int64_t i = v->get<int64_t>();
    if (i < min || i > max) {
      Fail(InvalidArgument("field '" + Field(name) + "' must be" + range));
    } else {
      *out = i;
    }
    return *this;
  }
  double d = v->get<double>();
  // 2^63 is the first double past INT64_MAX; anything at or above it cannot be converted.
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (std::floor(d) != d || !std::isfinite(d)) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be an integer" + range));
  } else if (d < static_cast<double>(min) || d > static_cast<double>(max) || d >= kTwoTo63 ||
             d < -kTwoTo63) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be" + range));
  } else {
    int64_t i = static_cast<int64_t>(d);
    if (i < min || i > max) {
      Fail(InvalidArgument("field '" + Field(name) + "' must be" + range));
    } else {
      *out = i;
    }
  }
  return *this;
}

FieldReader& FieldReader::Int32(const char* name, int32_t* out, int32_t min, int32_t max) {
  int64_t v = *out;
  Int(name, &v, min, max);
  *out = static_cast<int32_t>(v);
  return *this;
}

FieldReader& FieldReader::Number(const char* name, double* out, double min, double max) {
  const json* v = Take(name);
  if (!v) return *this;
  auto fmt = [](double x) {
    std::string s = std::to_string(x);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s;
  };
  std::string range = " between " + fmt(min) + " and " + fmt(max);
  if (!v->is_number()) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be a number" + range));
    return *this;
  }
  double d = v->get<double>();
  if (!std::isfinite(d) || d < min || d > max) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be a number" + range));
  } else {
    *out = d;
  }
  return *this;
}

FieldReader& FieldReader::Bool(const char* name, bool* out) {
  const json* v = Take(name);
  if (!v) return *this;
  if (!v->is_boolean()) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be true or false"));
  } else {
    *out = v->get<bool>();
  }
  return *this;
}

FieldReader& FieldReader::StringList(const char* name, std::vector<std::string>* out,
                                     size_t max_items, size_t max_len) {
  const json* v = Take(name);
  if (!v) return *this;
  if (!v->is_array() || v->size() > max_items) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be a list of at most " +
                         std::to_string(max_items) + " strings"));
    return *this;
  }
  std::vector<std::string> items;
  for (const auto& e : *v) {
    if (!e.is_string() || e.get_ref<const std::string&>().size() > max_len) {
      Fail(InvalidArgument("field '" + Field(name) + "' must hold strings of at most " +
                           std::to_string(max_len) + " characters"));
      return *this;
    }
    items.push_back(e.get<std::string>());
  }
  *out = std::move(items);
  return *this;
}

FieldReader& FieldReader::StringMap(const char* name, std::map<std::string, std::string>* out,
                                    size_t max_items, size_t max_len) {
  const json* v = Take(name);
  if (!v) return *this;
  if (!v->is_object() || v->size() > max_items) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be an object of at most " +
                         std::to_string(max_items) + " string values"));
    return *this;
  }
  std::map<std::string, std::string> m;
  for (const auto& [k, e] : v->items()) {
    if (!e.is_string() || e.get_ref<const std::string&>().size() > max_len || k.size() > max_len) {
      Fail(InvalidArgument("field '" + Field(name) + "." + k + "' must be a string of at most " +
                           std::to_string(max_len) + " characters"));
      return *this;
    }
    m[k] = e.get<std::string>();
  }
  *out = std::move(m);
  return *this;
}

FieldReader& FieldReader::NumberMap(const char* name, std::map<std::string, double>* out,
                                    double min, double max) {
  const json* v = Take(name);
  if (!v) return *this;
  if (!v->is_object()) {
    Fail(InvalidArgument("field '" + Field(name) + "' must be an object of numbers"));
    return *this;
  }
  std::map<std::string, double> m;
  FieldReader inner(*v, Field(name) + ".");
  for (const auto& [k, e] : v->items()) {
    double d = 0;
    inner.Number(k.c_str(), &d, min, max);
    m[k] = d;
  }
  if (!inner.status().ok()) {
    Fail(inner.status());
    return *this;
  }
  *out = std::move(m);
  return *this;
}

Status FieldReader::Finish() {
  if (!status_.ok()) return status_;
  for (const auto& [k, v] : obj_.items()) {
    if (!seen_.count(k)) return InvalidArgument("unknown field '" + Field(k.c_str()) + "'");
  }
  return Status::Ok();
}

}  // namespace suanli::server
