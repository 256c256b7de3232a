#pragma once
// Where a client command finds the controller and its credentials.
// Order: --url/--token flags, then --data-dir files, then SUANLI_URL/SUANLI_TOKEN, then ./data/url
// and
// ./data/admin.token (so a lab admin can use the CLI right after `make up` in the source tree).
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::cli {

struct ConnectionFlags {
  std::string url;       // --url
  std::string token;     // --token
  std::string data_dir;  // --data-dir
};

struct Connection {
  std::string url;  // "http://127.0.0.1:8080" (no trailing slash): the first of `urls`
  std::string token;  // may be empty only for unauthenticated routes
  std::string
      url_source;  // where url came from, for error messages ("SUANLI_URL", "data/url", ...)
  std::string token_source;
  // Every controller given (SUANLI_URL=http://a:8080,http://b:8080): the client tries them in
  // turn and follows a standby to the leader.
  std::vector<std::string> urls;
};

// Looks up environment variables; tests replace it.
using EnvLookup = std::function<std::string(const std::string&)>;
std::string RealEnv(const std::string& name);

// Resolves url and token. Missing url: InvalidArgument explaining the three ways to give one.
// Missing token: Unauthenticated explaining how to get one (unless require_token is false).
Result<Connection> ResolveConnection(const ConnectionFlags& flags, const EnvLookup& env = RealEnv,
                                     bool require_token = true);

// "127.0.0.1:8080" or "http://h:p/" -> "http://h:p"; rejects other schemes and empty hosts.
Result<std::string> NormalizeUrl(const std::string& url);

}  // namespace suanli::cli
