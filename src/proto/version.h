#pragma once
// The protocol version every agent <-> controller message carries ("protocol": "1.1"), and the rule
// for which peers each side talks to (docs/protocol.md): the same major, and a minor at most one
// older than its own or any newer one. A message without the field is 1.0, the protocol agents
// spoke before the field existed.
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"

namespace suanli::proto {

struct ProtocolVersion {
  int major = 1;
  int minor = 0;
  auto operator<=>(const ProtocolVersion&) const = default;
  std::string ToString() const;  // "1.1"
};

// What this build speaks. 1.1 added the "protocol" field itself; everything else is as in 1.0.
inline constexpr ProtocolVersion kCurrentVersion{1, 1};
// What a message without a "protocol" field speaks.
inline constexpr ProtocolVersion kUnversioned{1, 0};
inline constexpr const char* kVersionField = "protocol";

// "1.1" -> {1, 1}; anything but two non-negative integers joined by '.' is an error.
Result<ProtocolVersion> ParseVersion(const std::string& text);
// The "protocol" field of a message object: kUnversioned when absent, an error naming the field
// when it is not a "major.minor" string.
Result<ProtocolVersion> VersionOf(const nlohmann::json& message);

// Whether a side speaking `ours` accepts a peer speaking `theirs`: same major, and minor at least
// ours.minor - 1 (newer minors are accepted; their unknown fields are ignored). The error
// (FailedPrecondition) names both versions and both sides, e.g. "agent speaks protocol 2.0; this
// controller speaks 1.1 and accepts 1.0 or newer 1.x".
Status CheckCompatible(ProtocolVersion theirs, ProtocolVersion ours, const char* peer,
                       const char* self);

// Whether fields this side does not know may be ignored in a message of version `theirs`: only a
// newer minor may carry fields this side has never heard of; in any other message an unknown field
// is a mistake (a typo, a wrong nesting) and is reported.
bool MayCarryUnknownFields(ProtocolVersion theirs, ProtocolVersion ours);

}  // namespace suanli::proto
