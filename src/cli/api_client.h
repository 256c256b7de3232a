#pragma once
// The CLI's view of the REST API (docs/api.md): JSON in and out, errors as Status.
// HTTP errors keep the server's message; a server that cannot be reached is UNAVAILABLE naming the
// URL.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/result.h"
#include "cli/connection.h"

namespace suanli::cli {

struct RawResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string Header(const std::string& lower_name) const;
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

class ApiClient {
 public:
  explicit ApiClient(Connection connection, int timeout_s = 30);

  // path is relative to /api/v1 ("jobs/7"); query values are URL-encoded here.
  Result<nlohmann::json> Get(const std::string& path, const QueryParams& query = {}) const;
  Result<nlohmann::json> Post(const std::string& path, const nlohmann::json& body,
                              int* http_status = nullptr) const;
  Result<nlohmann::json> Patch(const std::string& path, const nlohmann::json& body) const;
  Result<nlohmann::json> Delete(const std::string& path) const;
  // Non-JSON responses (logs, CSV): the raw response when 2xx, the error otherwise.
  Result<RawResponse> GetRaw(const std::string& path, const QueryParams& query = {}) const;

  const Connection& connection() const { return connection_; }

  // Builds "/api/v1/<path>?k=v&..." with URL-encoding.
  static std::string Target(const std::string& path, const QueryParams& query);
  // Maps a non-2xx response to a Status carrying the server's error message.
  static Status ErrorFromResponse(int http_status, const std::string& body);

 private:
  Result<RawResponse> Send(const std::string& method, const std::string& target,
                           const std::string* body) const;
  // One controller. `may_have_run`: the request may have reached it (no answer came back).
  Result<RawResponse> SendTo(const std::string& url, const std::string& method,
                             const std::string& target, const std::string* body,
                             bool* may_have_run) const;
  // The leader a standby's answer names ("" when it knows none); nullopt for other answers.
  static std::optional<std::string> StandbyPointsTo(const RawResponse& r);
  Result<nlohmann::json> ParseJson(const RawResponse& response) const;

  Connection connection_;
  int timeout_s_;
  mutable size_t current_ = 0;  // index in connection_.urls of the controller that last answered
};

}  // namespace suanli::cli
