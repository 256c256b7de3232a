#include "server/reply.h"

namespace suanli::server {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

std::string ErrorBody(const Status& st) {
  nlohmann::json j{{"error", {{"code", StatusCodeName(st.code())}, {"message", st.message()}}}};
  return j.dump();
}

ApiReply ErrorReply(const Status& st) {
  ApiReply r;
  r.status = HttpStatusFor(st.code());
  r.body = ErrorBody(st);
  return r;
}

ApiReply JsonReply(int status, const nlohmann::json& body) {
  ApiReply r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace suanli::server
