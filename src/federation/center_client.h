#pragma once
// HTTP to one center's API, for the broker (forwarding, proxying, cancelling) and for a center's
// reporter (reading its own API, pushing to the broker). Errors keep the other side's message
// and name the URL when it cannot be reached.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "base/result.h"

namespace suanli::federation {

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;
};

class CenterClient {
 public:
  // base_url "http://127.0.0.1:8080"; token sent as a bearer token.
  CenterClient(std::string base_url, std::string token, int timeout_ms = 5000);
  // Any answer that came back (2xx or not); Unavailable naming the URL when none did.
  Result<HttpAnswer> Send(const std::string& method, const std::string& target,
                          const std::string& body = "") const;
  // 2xx answers parsed as JSON; others as the Status their error body names.
  Result<nlohmann::json> GetJson(const std::string& target) const;
  Result<nlohmann::json> PostJson(const std::string& target, const nlohmann::json& body) const;

  const std::string& url() const { return base_url_; }

 private:
  std::string base_url_, token_;
  int timeout_ms_;
};

// The REST API's HTTP status for a code (docs/api.md: 400, 401, 403, 404, 409, 409, 429, 503,
// 500), as the controller answers (server/reply.cc; the broker sits below the server).
int HttpStatusOf(StatusCode code);
// {"error": {"code": "INVALID_ARGUMENT", "message": "..."}} -> Status; else "HTTP N: body".
Status StatusFromAnswer(const HttpAnswer& a);

}  // namespace suanli::federation
