#include "cli/api_client.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>

namespace suanli::cli {
namespace {

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

StatusCode CodeFromName(const std::string& name, int http_status) {
  static const std::pair<const char*, StatusCode> kNames[] = {
      {"INVALID_ARGUMENT", StatusCode::kInvalidArgument},
      {"UNAUTHENTICATED", StatusCode::kUnauthenticated},
      {"PERMISSION_DENIED", StatusCode::kPermissionDenied},
      {"NOT_FOUND", StatusCode::kNotFound},
      {"ALREADY_EXISTS", StatusCode::kAlreadyExists},
      {"FAILED_PRECONDITION", StatusCode::kFailedPrecondition},
      {"RESOURCE_EXHAUSTED", StatusCode::kResourceExhausted},
      {"UNAVAILABLE", StatusCode::kUnavailable},
      {"INTERNAL", StatusCode::kInternal},
  };
  for (const auto& [n, code] : kNames) {
    if (name == n) return code;
  }
  switch (http_status) {
    case 400:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 409:
      return StatusCode::kFailedPrecondition;
    case 413:
    case 429:
      return StatusCode::kResourceExhausted;
    case 503:
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

std::string RawResponse::Header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

ApiClient::ApiClient(Connection connection, int timeout_s)
    : connection_(std::move(connection)), timeout_s_(timeout_s) {}

std::string ApiClient::Target(const std::string& path, const QueryParams& query) {
  std::string target = "/api/v1/" + (path.empty() || path[0] != '/' ? path : path.substr(1));
  char sep = '?';
  for (const auto& [k, v] : query) {
    target += sep + UrlEncode(k) + "=" + UrlEncode(v);
    sep = '&';
  }
  return target;
}

Status ApiClient::ErrorFromResponse(int http_status, const std::string& body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  std::string code_name, message;
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    code_name = j["error"].value("code", "");
    message = j["error"].value("message", "");
  }
  if (message.empty()) {
    message = "HTTP " + std::to_string(http_status);
    std::string snippet = body.substr(0, 200);
    if (!snippet.empty()) message += ": " + snippet;
  }
  return Status(CodeFromName(code_name, http_status), message);
}

Result<RawResponse> ApiClient::Send(const std::string& method, const std::string& target,
                                    const std::string* body) const {
  // Controllers to try, in order: the one that answered last, then the others. A standby's
  // answer (307 to the leader, or 503 naming it) moves on to the leader it names; a controller
  // that cannot be reached moves on to the next. Nothing was processed in either case, so
  // trying again elsewhere never runs a request twice; a request that was sent and got no answer
  // may have run, and only a read is then tried elsewhere.
  std::vector<std::string> order = connection_.urls;
  if (order.empty()) order.push_back(connection_.url);
  std::rotate(order.begin(), order.begin() + std::min(current_, order.size() - 1), order.end());
  Status last = Unavailable("no controller to send to");
  for (size_t i = 0; i < order.size() && i < 8; ++i) {
    const std::string url = order[i];
    bool may_have_run = false;
    auto r = SendTo(url, method, target, body, &may_have_run);
    if (!r.ok()) {
      if (may_have_run && method != "GET") return r.status();
      last = r.status();
      continue;  // unreachable: the next controller
    }
    auto leader = StandbyPointsTo(*r);
    if (leader) {
      last = Unavailable("the controller at " + url + " is a standby" +
                         (leader->empty() ? " and knows no leader yet" : "; leader: " + *leader));
      if (!leader->empty() && std::find(order.begin(), order.end(), *leader) == order.end()) {
        order.insert(order.begin() + static_cast<long>(i) + 1, *leader);
      } else if (!leader->empty()) {
        // Try the leader next, wherever it was in the list.
        auto it = std::find(order.begin() + static_cast<long>(i) + 1, order.end(), *leader);
        if (it != order.end()) std::iter_swap(order.begin() + static_cast<long>(i) + 1, it);
      }
      continue;
    }
    auto it = std::find(connection_.urls.begin(), connection_.urls.end(), url);
    if (it != connection_.urls.end()) current_ = static_cast<size_t>(it - connection_.urls.begin());
    if (r->status < 200 || r->status >= 300) return ErrorFromResponse(r->status, r->body);
    return std::move(r).value();
  }
  return last;
}

std::optional<std::string> ApiClient::StandbyPointsTo(const RawResponse& r) {
  if (r.status != 307 && r.status != 503) return std::nullopt;
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (!j.is_object() || !j.contains("leader") || !j["leader"].is_string()) return std::nullopt;
  return j["leader"].get<std::string>();
}

Result<RawResponse> ApiClient::SendTo(const std::string& url, const std::string& method,
                                      const std::string& target, const std::string* body,
                                      bool* may_have_run) const {
  httplib::Client client(url);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(timeout_s_, 0);
  client.set_write_timeout(timeout_s_, 0);
  httplib::Headers headers;
  if (!connection_.token.empty()) headers.emplace("Authorization", "Bearer " + connection_.token);
  const std::string text = body ? *body : std::string("{}");
  httplib::Result r = method == "GET"     ? client.Get(target, headers)
                      : method == "POST"  ? client.Post(target, headers, text, "application/json")
                      : method == "PATCH" ? client.Patch(target, headers, text, "application/json")
                                          : client.Delete(target, headers);
  if (!r) {
    *may_have_run = r.error() != httplib::Error::Connection;
    std::string why = httplib::to_string(r.error());
    if (r.error() == httplib::Error::Connection) why = "connection refused or host unreachable";
    if (r.error() == httplib::Error::Read) why = "the connection closed without an answer";
    return Unavailable("cannot reach the server at " + url + " (from " + connection_.url_source +
                       "): " + why);
  }
  RawResponse out;
  out.status = r->status;
  out.body = r->body;
  for (const auto& [k, v] : r->headers) {
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers[lower] = v;
  }
  return out;
}

Result<nlohmann::json> ApiClient::ParseJson(const RawResponse& response) const {
  if (response.status == 204 || response.body.empty()) return nlohmann::json::object();
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (j.is_discarded()) {
    return Internal("the server at " + connection_.url +
                    " answered with something that is not JSON: " + response.body.substr(0, 200));
  }
  return j;
}

Result<nlohmann::json> ApiClient::Get(const std::string& path, const QueryParams& query) const {
  SUANLI_ASSIGN_OR_RETURN(RawResponse r, Send("GET", Target(path, query), nullptr));
  return ParseJson(r);
}

Result<nlohmann::json> ApiClient::Post(const std::string& path, const nlohmann::json& body,
                                       int* http_status) const {
  std::string text = body.dump();
  SUANLI_ASSIGN_OR_RETURN(RawResponse r, Send("POST", Target(path, {}), &text));
  if (http_status) *http_status = r.status;
  return ParseJson(r);
}

Result<nlohmann::json> ApiClient::Patch(const std::string& path, const nlohmann::json& body) const {
  std::string text = body.dump();
  SUANLI_ASSIGN_OR_RETURN(RawResponse r, Send("PATCH", Target(path, {}), &text));
  return ParseJson(r);
}

Result<nlohmann::json> ApiClient::Delete(const std::string& path) const {
  SUANLI_ASSIGN_OR_RETURN(RawResponse r, Send("DELETE", Target(path, {}), nullptr));
  return ParseJson(r);
}

Result<RawResponse> ApiClient::GetRaw(const std::string& path, const QueryParams& query) const {
  return Send("GET", Target(path, query), nullptr);
}

}  // namespace suanli::cli
