#include "cli/connection.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace suanli::cli {
namespace {

// First line of a small file, trimmed; "" when absent.
std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
    line.pop_back();
  return line;
}

}  // namespace

std::string RealEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

Result<std::string> NormalizeUrl(const std::string& raw) {
  std::string url = raw;
  if (url.empty()) return InvalidArgument("empty server URL");
  if (url.find("://") == std::string::npos) url = "http://" + url;
  while (url.size() > url.find("://") + 3 && url.back() == '/') url.pop_back();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return InvalidArgument("server URL '" + raw + "' must start with http:// or https://");
  }
  std::string host = url.substr(url.find("://") + 3);
  if (host.empty() || host[0] == ':' || host[0] == '/') {
    return InvalidArgument("server URL '" + raw + "' has no host");
  }
  return url;
}

Result<Connection> ResolveConnection(const ConnectionFlags& flags, const EnvLookup& env,
                                     bool require_token) {
  Connection c;
  auto from_dir = [](const std::string& dir, const std::string& file) {
    return ReadFirstLine(dir + "/" + file);
  };
  // URL
  if (!flags.url.empty()) {
    c.url = flags.url, c.url_source = "--url";
  } else if (!flags.data_dir.empty()) {
    c.url = from_dir(flags.data_dir, "url"), c.url_source = flags.data_dir + "/url";
    if (c.url.empty()) {
      return InvalidArgument("no server address in " + flags.data_dir +
                             "/url (is `suanli up --data-dir " + flags.data_dir + "` running?)");
    }
  } else if (!env("SUANLI_URL").empty()) {
    c.url = env("SUANLI_URL"), c.url_source = "SUANLI_URL";
  } else {
    c.url = from_dir("data", "url"), c.url_source = "data/url";
  }
  if (c.url.empty()) {
    return InvalidArgument(
        "no server address: pass --url http://HOST:PORT, set SUANLI_URL, pass --data-dir DIR, or "
        "run "
        "from the directory where `suanli up` wrote data/url");
  }
  std::stringstream list(c.url);
  for (std::string one; std::getline(list, one, ',');) {
    auto normalized = NormalizeUrl(one);
    if (!normalized.ok()) {
      return InvalidArgument(normalized.status().message() + " (from " + c.url_source + ")");
    }
    c.urls.push_back(*normalized);
  }
  if (c.urls.empty()) return InvalidArgument("empty server URL (from " + c.url_source + ")");
  c.url = c.urls.front();
  // Token
  if (!flags.token.empty()) {
    c.token = flags.token, c.token_source = "--token";
  } else if (!flags.data_dir.empty()) {
    c.token = from_dir(flags.data_dir, "admin.token"),
    c.token_source = flags.data_dir + "/admin.token";
  } else if (!env("SUANLI_TOKEN").empty()) {
    c.token = env("SUANLI_TOKEN"), c.token_source = "SUANLI_TOKEN";
  } else {
    c.token = from_dir("data", "admin.token"), c.token_source = "data/admin.token";
  }
  if (c.token.empty() && require_token) {
    return Unauthenticated(
        "no token: pass --token, set SUANLI_TOKEN (e.g. export SUANLI_TOKEN=$(cat "
        "data/admin.token)), "
        "or pass --data-dir DIR holding admin.token; users get tokens from `suanli token create`");
  }
  return c;
}

}  // namespace suanli::cli
