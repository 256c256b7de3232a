#pragma once
// Base64 (RFC 4648, with padding): how log uploads carry arbitrary bytes inside JSON.
#include <string>

#include "base/result.h"

namespace suanli::proto {

std::string Base64Encode(const std::string& bytes);
// `field` names the message field in the error ("field 'data' is not valid base64").
Result<std::string> Base64Decode(const std::string& text, const char* field);

}  // namespace suanli::proto
