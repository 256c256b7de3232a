#include "agent/controller_client.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "agent/protocol.h"

namespace suanli::agent {

Status ParseUrl(const std::string& url, std::string* scheme_host_port, std::string* host,
                int* port) {
  std::string rest = url;
  std::string scheme = "http";
  if (size_t p = rest.find("://"); p != std::string::npos) {
    scheme = rest.substr(0, p);
    rest = rest.substr(p + 3);
  }
  if (scheme != "http")
    return InvalidArgument(fmt::format("--url '{}': only http:// is supported", url));
  std::string hostport = rest.substr(0, rest.find('/'));
  if (hostport.empty()) return InvalidArgument(fmt::format("--url '{}' names no host", url));
  *port = 80;
  *host = hostport;
  if (size_t c = hostport.rfind(':');
      c != std::string::npos && hostport.find(']') == std::string::npos) {
    *host = hostport.substr(0, c);
    try {
      *port = std::stoi(hostport.substr(c + 1));
    } catch (const std::exception&) {
      return InvalidArgument(fmt::format("--url '{}' has a bad port", url));
    }
  }
  if (host->empty()) return InvalidArgument(fmt::format("--url '{}' names no host", url));
  if (*port <= 0 || *port > 65535)
    return InvalidArgument(fmt::format("--url '{}' has a bad port", url));
  *scheme_host_port = fmt::format("http://{}:{}", *host, *port);
  return Status::Ok();
}

std::string LocalAddressFor(const std::string& host, int port) {
  addrinfo hints{}, *res = nullptr;
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_DGRAM;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0 || res == nullptr)
    return "127.0.0.1";
  std::string out = "127.0.0.1";
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  // A UDP connect sends nothing; it only asks the kernel which source address the route would use.
  if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) == 0) {
    sockaddr_in local{};
    socklen_t len = sizeof(local);
    char buf[INET_ADDRSTRLEN];
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
        inet_ntop(AF_INET, &local.sin_addr, buf, sizeof(buf)))
      out = buf;
  }
  if (fd >= 0) close(fd);
  freeaddrinfo(res);
  return out;
}

std::vector<std::string> SplitUrls(const std::string& urls) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= urls.size()) {
    size_t comma = urls.find(',', start);
    std::string one = urls.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!one.empty()) out.push_back(one);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

HttpControllerClient::HttpControllerClient(const std::string& url, std::string join_token)
    : token_(std::move(join_token)) {
  for (const std::string& one : SplitUrls(url)) {
    std::string base, host;
    int port = 0;
    bases_.push_back(ParseUrl(one, &base, &host, &port).ok() ? base : one);
  }
  if (bases_.empty()) bases_.push_back(url);
  Use(bases_.front());
}

void HttpControllerClient::Use(const std::string& base) {
  base_ = base;
  std::string scheme_host_port;
  int port = 0;
  if (!ParseUrl(base_, &scheme_host_port, &host_, &port).ok()) host_.clear();
  client_ = std::make_unique<httplib::Client>(base_);
  client_->set_keep_alive(true);
  // httplib writes headers and body separately: with Nagle on, the body waits for the controller's
  // delayed ACK (~40 ms on Linux) and every poll carrying a `started` event paid it.
  client_->set_tcp_nodelay(true);
  client_->set_connection_timeout(3, 0);
  client_->set_default_headers({{"Authorization", "Bearer " + token_}});
}

HttpControllerClient::~HttpControllerClient() = default;

Result<nlohmann::json> HttpControllerClient::Post(const std::string& path,
                                                  const nlohmann::json& body, int timeout_ms) {
  client_->set_read_timeout(timeout_ms / 1000, (timeout_ms % 1000) * 1000);
  client_->set_write_timeout(10, 0);
  auto res = client_->Post((prefix_ + path).c_str(), body.dump(), "application/json");
  if (!res) {
    Status down =
        Unavailable(fmt::format("POST {}{}: {}", base_, path, httplib::to_string(res.error())));
    // The next try goes to the next controller of the list (the session retries).
    auto it = std::find(bases_.begin(), bases_.end(), base_);
    size_t i = it == bases_.end() ? 0 : static_cast<size_t>(it - bases_.begin());
    Use(bases_[(i + 1) % bases_.size()]);
    return down;
  }
  auto json = nlohmann::json::parse(res->body, nullptr, false);
  if ((res->status == 307 || res->status == 503) && json.is_object() && json.contains("leader") &&
      json["leader"].is_string()) {
    // A standby: go to the leader it names (or, knowing none, to the next controller).
    std::string leader = json["leader"].get<std::string>();
    std::string was = base_;
    if (!leader.empty() && leader != base_) {
      if (std::find(bases_.begin(), bases_.end(), leader) == bases_.end()) bases_.push_back(leader);
      Use(leader);
    } else {
      auto it = std::find(bases_.begin(), bases_.end(), base_);
      size_t i = it == bases_.end() ? 0 : static_cast<size_t>(it - bases_.begin());
      Use(bases_[(i + 1) % bases_.size()]);
    }
    return Unavailable(fmt::format("POST {}{}: a standby controller; trying {}", was, path, base_));
  }
  std::string message = res->body.substr(0, 300);
  if (json.is_object() && json.contains("error") && json["error"].is_object())
    message = json["error"].value("message", message);
  switch (res->status) {
    case 200:
    case 201:
    case 204:
      if (res->body.empty()) return nlohmann::json::object();
      if (json.is_discarded()) return Internal(fmt::format("POST {}: answer is not JSON", path));
      return json;
    case 401:
      return Unauthenticated(fmt::format("POST {}: the join token was refused: {}", path, message));
    case 404:
      return NotFound(fmt::format("POST {}: {}", path, message));
    case 400:
      return InvalidArgument(fmt::format("POST {}: {}", path, message));
    case 409:
      return FailedPrecondition(fmt::format("POST {}: {}", path, message));
    default:
      return Unavailable(fmt::format("POST {}: HTTP {}: {}", path, res->status, message));
  }
}

Result<ControllerClient::Registered> HttpControllerClient::Register(const nlohmann::json& body) {
  SUANLI_ASSIGN_OR_RETURN(auto j, Post("/agents/register", body, 10000));
  SUANLI_ASSIGN_OR_RETURN(auto reply, proto::DecodeRegisterReply(j));
  return Registered{reply.node, reply.heartbeat_ms, reply.fence_ms, reply.node_timeout_ms};
}

Result<PollAnswer> HttpControllerClient::Poll(const std::string& node, const nlohmann::json& body,
                                              int wait_ms, std::vector<std::string>* errors) {
  SUANLI_ASSIGN_OR_RETURN(auto j, Post("/agents/" + node + "/poll", body, wait_ms + 10000));
  return ParsePollAnswer(j, errors);
}

Status HttpControllerClient::UploadLog(const std::string& node, const TaskRef& ref,
                                       const std::string& stream, int64_t offset,
                                       const std::string& data) {
  proto::LogUpload up;
  up.ref = ref;
  up.stream = stream;
  up.offset = offset;
  up.data = data;
  auto r = Post("/agents/" + node + "/logs", proto::Encode(up), 10000);
  return r.ok() ? Status::Ok() : r.status();
}

int64_t FencePeriodMs(const ControllerClient::Registered& reply) {
  if (reply.fence_ms >= 0) return reply.fence_ms;
  if (reply.node_timeout_ms > 0) return std::max<int64_t>(1, reply.node_timeout_ms * 4 / 5);
  if (reply.heartbeat_ms < 1000) return std::min<int64_t>(kDefaultFenceMs, 4 * reply.heartbeat_ms);
  return kDefaultFenceMs;
}

}  // namespace suanli::agent
