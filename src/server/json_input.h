#pragma once
// Strict reading of request bodies: every field has a type and a range, unknown fields are
// rejected, and each error names the field ("field 'cpus' must be a number between 0 and 4096").
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::server {

using nlohmann::json;

// What a text field may hold (issue #17): no field may hold a NUL, which ends the string where C
// APIs read it (exec, the environment), so it would run or store something else than asked.
enum class TextRule {
  kNoNul,  // command arguments, env values, scripts: anything else, newlines included
  // Names shown in tables, CSV and the dashboard: no control characters (C0, DEL, C1: newlines
  // and escapes forge rows and terminal output) and no bidirectional controls (U+061C,
  // U+200E-200F, U+202A-202E, U+2066-2069), which reorder what is displayed around them.
  kDisplayName,
};
// Ok, or InvalidArgument naming `field` and the first offending character (as U+XXXX).
Status CheckText(const std::string& text, TextRule rule, const std::string& field);

// Parses a body that must be a JSON object. Empty body = empty object.
Result<json> ParseObject(const std::string& body);

class FieldReader {
 public:
  // `where` prefixes field names in errors, e.g. "shapes[1]." for nested objects.
  explicit FieldReader(const json& obj, std::string where = "");

  // Each getter leaves `out` unchanged when the field is absent (or null), and records the first
  // error; callers check status() once at the end.
  FieldReader& String(const char* name, std::string* out, size_t max_len = 256);
  FieldReader& Int(const char* name, int64_t* out, int64_t min, int64_t max);
  FieldReader& Int32(const char* name, int32_t* out, int32_t min, int32_t max);
  FieldReader& Number(const char* name, double* out, double min, double max);
  FieldReader& Bool(const char* name, bool* out);
  FieldReader& StringList(const char* name, std::vector<std::string>* out, size_t max_items,
                          size_t max_len);
  FieldReader& StringMap(const char* name, std::map<std::string, std::string>* out,
                         size_t max_items, size_t max_len);
  FieldReader& NumberMap(const char* name, std::map<std::string, double>* out, double min,
                         double max);
  // The raw value of a nested field (object/array), for the caller to read.
  const json* Raw(const char* name);
  bool Has(const char* name) const;

  // Fails on any field that no getter asked for.
  Status Finish();
  const Status& status() const { return status_; }
  void Fail(Status st) {
    if (status_.ok()) status_ = std::move(st);
  }

 private:
  const json* Take(const char* name);
  std::string Field(const char* name) const { return where_ + name; }

  const json& obj_;
  std::string where_;
  std::set<std::string> seen_;
  Status status_;
};

}  // namespace suanli::server
