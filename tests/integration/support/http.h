#pragma once
// A small HTTP client for talking to a `suanli` controller from tests (loopback only).
#include <nlohmann/json.hpp>
#include <string>

namespace suanli::it {

struct HttpResponse {
  int status = 0;  // 0 when the server could not be reached
  std::string body;
  std::string content_type;
  std::string next_offset;  // X-Suanli-Next-Offset, for logs
  std::string job_state;    // X-Suanli-Job-State, for logs
  // The body parsed as JSON, or a discarded value when it is not JSON.
  nlohmann::json json() const;
  std::string Describe() const;  // "HTTP 404: {...}"
};

class HttpClient {
 public:
  // base_url like "http://127.0.0.1:43121"; token may be empty (no Authorization header).
  HttpClient(std::string base_url, std::string token);
  HttpResponse Get(const std::string& path) const;
  HttpResponse Post(const std::string& path, const std::string& body) const;
  HttpResponse Post(const std::string& path, const nlohmann::json& body) const;
  HttpResponse Patch(const std::string& path, const std::string& body) const;
  HttpResponse Delete(const std::string& path) const;
  // Paths starting with "/" are taken as is; others get the "/api/v1/" prefix.
  static std::string FullPath(const std::string& path);

 private:
  std::string base_url_;
  std::string token_;
};

}  // namespace suanli::it
