#include "proto/fields.h"

#include <cmath>

namespace suanli::proto {

using nlohmann::json;

Fields::Fields(const json& obj, std::string where, UnknownFields unknown)
    : obj_(obj), where_(std::move(where)), unknown_(unknown) {}

bool Fields::Has(const char* name) const {
  auto it = obj_.find(name);
  return it != obj_.end() && !it->is_null();
}

const json* Fields::Take(const char* name) {
  seen_.insert(name);
  if (!status_.ok()) return nullptr;  // report the first error only
  auto it = obj_.find(name);
  if (it == obj_.end() || it->is_null()) return nullptr;
  return &*it;
}

Fields& Fields::Require(const char* name) {
  if (!Has(name)) Fail(InvalidArgument(Field(name) + " is required"));
  return *this;
}

Fields& Fields::Skip(const char* name) {
  seen_.insert(name);
  return *this;
}

Fields& Fields::String(const char* name, std::string* out, size_t max_len) {
  const json* v = Take(name);
  if (!v) return *this;
  if (!v->is_string()) {
    Fail(InvalidArgument(Field(name) + " must be a string"));
  } else if (v->get_ref<const std::string&>().size() > max_len) {
    Fail(InvalidArgument(Field(name) + " is longer than " + std::to_string(max_len) +
                         " characters"));
  } else {
    *out = v->get<std::string>();
  }
  return *this;
}

bool Fields::ReadInteger(const char* name, int64_t* out, int64_t min, int64_t max) {
  const json* v = Take(name);
  if (!v) return false;
  std::string must = Field(name) + " must be an integer between " + std::to_string(min) + " and " +
                     std::to_string(max);
  // Compared exactly, not through a double: 2^63 would equal double(INT64_MAX) and wrap.
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (max >= 0 && u <= static_cast<uint64_t>(max) && static_cast<int64_t>(u) >= min) {
      *out = static_cast<int64_t>(u);
      return true;
    }
  } else if (v->is_number_integer()) {
    int64_t i = v->get<int64_t>();
    if (i >= min && i <= max) {
      *out = i;
      return true;
    }
  } else if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::isfinite(d) && std::floor(d) == d && d >= static_cast<double>(min) &&
        d <= static_cast<double>(max) && std::fabs(d) < 9.2e18) {
      *out = static_cast<int64_t>(d);
      return true;
    }
  }
  Fail(InvalidArgument(must));
  return false;
}

Fields& Fields::OptionalInteger(const char* name, std::optional<int>* out, int64_t min,
                                int64_t max) {
  int64_t v = 0;
  if (ReadInteger(name, &v, min, max)) *out = static_cast<int>(v);
  return *this;
}

Fields& Fields::Number(const char* name, double* out, double min, double max) {
  const json* v = Take(name);
  if (!v) return *this;
  double d = v->is_number() ? v->get<double>() : NAN;
  if (!std::isfinite(d) || d < min || d > max) {
    Fail(InvalidArgument(Field(name) + " must be a number between " + std::to_string(min) +
                         " and " + std::to_string(max)));
  } else {
    *out = d;
  }
  return *this;
}

Fields& Fields::Bool(const char* name, bool* out) {
  const json* v = Take(name);
  if (!v) return *this;
  if (!v->is_boolean()) {
    Fail(InvalidArgument(Field(name) + " must be true or false"));
  } else {
    *out = v->get<bool>();
  }
  return *this;
}

const json* Fields::List(const char* name, size_t max_items) {
  const json* v = Take(name);
  if (!v) return nullptr;
  if (!v->is_array() || v->size() > max_items) {
    Fail(InvalidArgument(Field(name) + " must be a list of at most " + std::to_string(max_items) +
                         " entries"));
    return nullptr;
  }
  return v;
}

Fields& Fields::IntegerList(const char* name, std::vector<int>* out, size_t max_items, int64_t min,
                            int64_t max) {
  const json* list = List(name, max_items);
  if (!list) return *this;
  std::vector<int> values;
  for (const json& e : *list) {
    if (!e.is_number_integer() || e.get<int64_t>() < min || e.get<int64_t>() > max) {
      Fail(InvalidArgument(Field(name) + " must be a list of integers between " +
                           std::to_string(min) + " and " + std::to_string(max)));
      return *this;
    }
    values.push_back(e.get<int>());
  }
  *out = std::move(values);
  return *this;
}

Fields& Fields::StringList(const char* name, std::vector<std::string>* out, size_t max_items,
                           size_t max_len) {
  const json* list = List(name, max_items);
  if (!list) return *this;
  std::vector<std::string> values;
  for (const json& e : *list) {
    if (!e.is_string() || e.get_ref<const std::string&>().size() > max_len) {
      Fail(InvalidArgument(Field(name) + " must be a list of strings of at most " +
                           std::to_string(max_len) + " characters"));
      return *this;
    }
    values.push_back(e.get<std::string>());
  }
  *out = std::move(values);
  return *this;
}

Fields& Fields::StringMap(const char* name, std::map<std::string, std::string>* out,
                          size_t max_items, size_t max_len) {
  const json* v = Take(name);
  if (!v) return *this;
  if (!v->is_object() || v->size() > max_items) {
    Fail(InvalidArgument(Field(name) + " must be an object of at most " +
                         std::to_string(max_items) + " strings"));
    return *this;
  }
  std::map<std::string, std::string> values;
  for (const auto& [k, e] : v->items()) {
    if (!e.is_string() || e.get_ref<const std::string&>().size() > max_len) {
      Fail(InvalidArgument(Field(name) + " entry '" + k.substr(0, 64) + "' must be a string of " +
                           "at most " + std::to_string(max_len) + " characters"));
      return *this;
    }
    values[k] = e.get<std::string>();
  }
  *out = std::move(values);
  return *this;
}

Status Fields::Finish() {
  if (!status_.ok()) return status_;
  if (unknown_ == UnknownFields::kReject) {
    for (const auto& [k, v] : obj_.items()) {
      if (!seen_.count(k))
        return InvalidArgument("unknown field '" + where_ + k.substr(0, 64) + "'");
    }
  }
  return Status::Ok();
}

Result<const json*> ListEntry(const json& list, size_t i, const char* field) {
  const json& e = list[i];
  if (!e.is_object()) {
    return InvalidArgument("field '" + std::string(field) + "[" + std::to_string(i) +
                           "]' must be an object");
  }
  return &e;
}

std::string EntryPrefix(const char* field, size_t i) {
  return std::string(field) + "[" + std::to_string(i) + "].";
}

}  // namespace suanli::proto
