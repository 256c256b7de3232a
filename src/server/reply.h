#pragma once
// What a controller operation answers: an HTTP status, a body and its type. Built on the owner
// thread, sent by the HTTP adapter.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace suanli::server {

struct ApiReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool has_work = true;  // agent polls only: false when there was nothing to hand out
};

int HttpStatusFor(StatusCode code);
// {"error": {"code": "NOT_FOUND", "message": "..."}}
std::string ErrorBody(const Status& st);
ApiReply ErrorReply(const Status& st);
ApiReply JsonReply(int status, const nlohmann::json& body);

}  // namespace suanli::server
