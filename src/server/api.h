#pragma once
// The HTTP adapter: one route table (enumerable, checked against docs/openapi.json by a test),
// request parsing on HTTP threads, and everything else posted to the controller's owner thread.
#include <string>
#include <utility>
#include <vector>

namespace httplib {
class Server;
}

namespace suanli::server {

class Executor;
class NodeSignals;
class RateLimiter;
struct Metrics;

struct RouteInfo {
  std::string method;  // GET, POST, PATCH, DELETE
  std::string path;    // OpenAPI form, e.g. /api/v1/jobs/{id}
};

// Every API route the server registers, in OpenAPI form.
std::vector<RouteInfo> ApiRoutes();

struct ApiOptions {
  std::string data_dir;
  std::string web_dir;  // empty or missing: a page saying the dashboard is not built
  RateLimiter* rate_limiter = nullptr;  // user routes, per token; null = no limit
  std::string service_host = "127.0.0.1";  // where service endpoints listen (service_gateway.h)
};

// Registers the API, /metrics, the dashboard and the JSON error handler on `http`.
void RegisterApi(httplib::Server& http, Executor* executor, NodeSignals* signals, Metrics* metrics,
                 const ApiOptions& options);

// Where the dashboard's built files are: `configured` if set, else <binary dir>/../web/dist,
// else $SUANLI_SOURCE_DIR/web/dist; empty when none exists.
std::string ResolveWebDir(const std::string& configured);

}  // namespace suanli::server
