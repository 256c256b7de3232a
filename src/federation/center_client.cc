#include "federation/center_client.h"

#include <httplib.h>

namespace suanli::federation {

CenterClient::CenterClient(std::string base_url, std::string token, int timeout_ms)
    : base_url_(std::move(base_url)), token_(std::move(token)), timeout_ms_(timeout_ms) {}

Result<HttpAnswer> CenterClient::Send(const std::string& method, const std::string& target,
                                      const std::string& body) const {
  httplib::Client cli(base_url_);
  if (!cli.is_valid()) return InvalidArgument("not a valid URL: '" + base_url_ + "'");
  const time_t sec = timeout_ms_ / 1000;
  const time_t usec = (timeout_ms_ % 1000) * 1000;
  cli.set_connection_timeout(sec, usec);
  cli.set_read_timeout(sec, usec);
  cli.set_write_timeout(sec, usec);
  httplib::Headers headers;
  if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
  httplib::Result r = method == "GET"      ? cli.Get(target, headers)
                      : method == "DELETE" ? cli.Delete(target, headers)
                      : method == "PATCH"  ? cli.Patch(target, headers, body, "application/json")
                                           : cli.Post(target, headers, body, "application/json");
  if (!r) {
    return Unavailable("cannot reach " + base_url_ + " (" + httplib::to_string(r.error()) + ")");
  }
  HttpAnswer a;
  a.status = r->status;
  a.body = r->body;
  a.content_type = r->get_header_value("Content-Type");
  for (const auto& [k, v] : r->headers) a.headers[k] = v;
  return a;
}

int HttpStatusOf(StatusCode code) {
  static const std::pair<StatusCode, int> kHttp[] = {{StatusCode::kOk, 200},
                                                     {StatusCode::kInvalidArgument, 400},
                                                     {StatusCode::kUnauthenticated, 401},
                                                     {StatusCode::kPermissionDenied, 403},
                                                     {StatusCode::kNotFound, 404},
                                                     {StatusCode::kAlreadyExists, 409},
                                                     {StatusCode::kFailedPrecondition, 409},
                                                     {StatusCode::kResourceExhausted, 429},
                                                     {StatusCode::kUnavailable, 503},
                                                     {StatusCode::kInternal, 500}};
  for (const auto& [c, http] : kHttp) {
    if (c == code) return http;
  }
  return 500;
}

Status StatusFromAnswer(const HttpAnswer& a) {
  auto j = nlohmann::json::parse(a.body, nullptr, false);
  std::string name, message;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    name = j["error"].value("code", "");
    message = j["error"].value("message", "");
  }
  if (message.empty()) message = "HTTP " + std::to_string(a.status) + ": " + a.body.substr(0, 200);
  // The code by its name where the other side gave one, else the nearest to the HTTP status.
  for (int c = static_cast<int>(StatusCode::kInvalidArgument);
       c <= static_cast<int>(StatusCode::kInternal); ++c) {
    auto code = static_cast<StatusCode>(c);
    if (name == StatusCodeName(code) || (name.empty() && HttpStatusOf(code) == a.status)) {
      return Status(code, message);
    }
  }
  return Status(a.status >= 500 ? StatusCode::kUnavailable : StatusCode::kInvalidArgument, message);
}

namespace {
Result<nlohmann::json> JsonOf(Result<HttpAnswer> a) {
  if (!a.ok()) return a.status();
  if (a->status < 200 || a->status >= 300) return StatusFromAnswer(*a);
  auto j = nlohmann::json::parse(a->body, nullptr, false);
  if (j.is_discarded()) return Internal("the answer is not JSON: " + a->body.substr(0, 200));
  return j;
}
}  // namespace

Result<nlohmann::json> CenterClient::GetJson(const std::string& target) const {
  return JsonOf(Send("GET", target));
}

Result<nlohmann::json> CenterClient::PostJson(const std::string& target,
                                              const nlohmann::json& body) const {
  return JsonOf(Send("POST", target, body.dump()));
}

}  // namespace suanli::federation
