#pragma once
// Typed reading of one JSON object of a protocol message. Each getter checks the type and range of
// one field and leaves its output unchanged when the field is absent or null; the first error is
// kept and names the field with its place in the message ("field 'events[2].signal' must be an
// integer between 0 and 128"). Types are checked
// before values are read, so reading does not throw.
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::proto {

enum class UnknownFields {
  kReject,  // an unknown field is an error naming it
  kIgnore,  // a newer peer's fields, or replies an agent reads (docs/protocol.md)
};

class Fields {
 public:
  // `where` prefixes field names in errors, e.g. "events[2]." for an entry of a list.
  Fields(const nlohmann::json& obj, std::string where, UnknownFields unknown);

  Fields& String(const char* name, std::string* out, size_t max_len);
  template <typename Int>
  Fields& Integer(const char* name, Int* out, int64_t min = std::numeric_limits<Int>::min(),
                  int64_t max = std::numeric_limits<Int>::max()) {
    int64_t v = 0;
    if (ReadInteger(name, &v, min, max)) *out = static_cast<Int>(v);
    return *this;
  }
  Fields& OptionalInteger(const char* name, std::optional<int>* out, int64_t min, int64_t max);
  Fields& Number(const char* name, double* out, double min, double max);
  Fields& Bool(const char* name, bool* out);
  Fields& IntegerList(const char* name, std::vector<int>* out, size_t max_items, int64_t min,
                      int64_t max);
  Fields& StringList(const char* name, std::vector<std::string>* out, size_t max_items,
                     size_t max_len);
  Fields& StringMap(const char* name, std::map<std::string, std::string>* out, size_t max_items,
                    size_t max_len);
  // An array field, for the caller to read entry by entry (nullptr when absent or on error).
  const nlohmann::json* List(const char* name, size_t max_items);
  // Marks a field as required: absent or null is an error naming it.
  Fields& Require(const char* name);
  // Marks a field as read without reading it (e.g. the version, read before).
  Fields& Skip(const char* name);
  bool Has(const char* name) const;

  // The first error, or with kReject, the first field no getter asked for.
  Status Finish();
  const Status& status() const { return status_; }
  void Fail(Status st) {
    if (status_.ok()) status_ = std::move(st);
  }
  std::string Field(const char* name) const { return "field '" + where_ + name + "'"; }

 private:
  const nlohmann::json* Take(const char* name);
  bool ReadInteger(const char* name, int64_t* out, int64_t min, int64_t max);

  const nlohmann::json& obj_;
  std::string where_;
  UnknownFields unknown_;
  std::set<std::string> seen_;
  Status status_;
};

// The entry `i` of a list field as an object, for a nested Fields ("running[3]."); an error
// naming it when it is not an object.
Result<const nlohmann::json*> ListEntry(const nlohmann::json& list, size_t i, const char* field);
std::string EntryPrefix(const char* field, size_t i);  // "running[3]."

}  // namespace suanli::proto
