#include "proto/version.h"

#include <charconv>

namespace suanli::proto {
namespace {

bool ParseNumber(std::string_view text, int* out) {
  // Digits only: from_chars alone would take "-1".
  if (text.empty() || text.size() > 6 || text[0] < '0' || text[0] > '9') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string ProtocolVersion::ToString() const {
  return std::to_string(major) + "." + std::to_string(minor);
}

Result<ProtocolVersion> ParseVersion(const std::string& text) {
  size_t dot = text.find('.');
  ProtocolVersion v;
  if (dot == std::string::npos || !ParseNumber(std::string_view(text).substr(0, dot), &v.major) ||
      !ParseNumber(std::string_view(text).substr(dot + 1), &v.minor)) {
    return InvalidArgument("field '" + std::string(kVersionField) +
                           "' must be \"major.minor\" like \"" + kCurrentVersion.ToString() +
                           "\", not \"" + text.substr(0, 32) + "\"");
  }
  return v;
}

Result<ProtocolVersion> VersionOf(const nlohmann::json& message) {
  auto it = message.find(kVersionField);
  if (it == message.end() || it->is_null()) return kUnversioned;
  if (!it->is_string()) {
    return InvalidArgument("field '" + std::string(kVersionField) + "' must be a string like \"" +
                           kCurrentVersion.ToString() + "\"");
  }
  return ParseVersion(it->get<std::string>());
}

Status CheckCompatible(ProtocolVersion theirs, ProtocolVersion ours, const char* peer,
                       const char* self) {
  int oldest_minor = ours.minor > 0 ? ours.minor - 1 : 0;
  bool ok = theirs.major == ours.major && theirs.minor >= oldest_minor;
  if (ok) return Status::Ok();
  std::string accepted = std::to_string(ours.major) + "." + std::to_string(oldest_minor) +
                         " or newer " + std::to_string(ours.major) + ".x";
  std::string why = theirs.major != ours.major ? "another major version" : "too old";
  return FailedPrecondition(std::string(peer) + " speaks protocol " + theirs.ToString() + " (" +
                            why + "); this " + self + " speaks " + ours.ToString() +
                            " and accepts " + accepted);
}

bool MayCarryUnknownFields(ProtocolVersion theirs, ProtocolVersion ours) {
  return theirs.major == ours.major && theirs.minor > ours.minor;
}

}  // namespace suanli::proto
