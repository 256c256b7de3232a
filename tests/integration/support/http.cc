#include "support/http.h"

#include <httplib.h>

namespace suanli::it {
namespace {

HttpResponse Convert(const httplib::Result& r) {
  HttpResponse out;
  if (!r) return out;
  out.status = r->status;
  out.body = r->body;
  out.content_type = r->get_header_value("Content-Type");
  out.next_offset = r->get_header_value("X-Suanli-Next-Offset");
  out.job_state = r->get_header_value("X-Suanli-Job-State");
  return out;
}

httplib::Headers AuthHeaders(const std::string& token) {
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  return h;
}

httplib::Client MakeClient(const std::string& base_url) {
  httplib::Client c(base_url);
  c.set_connection_timeout(2, 0);
  c.set_read_timeout(10, 0);
  c.set_write_timeout(10, 0);
  return c;
}

}  // namespace

nlohmann::json HttpResponse::json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

std::string HttpResponse::Describe() const {
  if (status == 0) return "no response (server unreachable)";
  return "HTTP " + std::to_string(status) + ": " + body.substr(0, 2000);
}

HttpClient::HttpClient(std::string base_url, std::string token)
    : base_url_(std::move(base_url)), token_(std::move(token)) {}

std::string HttpClient::FullPath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  return "/api/v1/" + path;
}

HttpResponse HttpClient::Get(const std::string& path) const {
  auto c = MakeClient(base_url_);
  return Convert(c.Get(FullPath(path), AuthHeaders(token_)));
}

HttpResponse HttpClient::Post(const std::string& path, const std::string& body) const {
  auto c = MakeClient(base_url_);
  return Convert(c.Post(FullPath(path), AuthHeaders(token_), body, "application/json"));
}

HttpResponse HttpClient::Post(const std::string& path, const nlohmann::json& body) const {
  return Post(path, body.dump());
}

HttpResponse HttpClient::Patch(const std::string& path, const std::string& body) const {
  auto c = MakeClient(base_url_);
  return Convert(c.Patch(FullPath(path), AuthHeaders(token_), body, "application/json"));
}

HttpResponse HttpClient::Delete(const std::string& path) const {
  auto c = MakeClient(base_url_);
  return Convert(c.Delete(FullPath(path), AuthHeaders(token_)));
}

}  // namespace suanli::it
