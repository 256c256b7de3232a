// The REST API's request decoding (src/server/requests.cc, json_input.cc): every route's JSON body
// and the query-parameter parsers, as the HTTP threads run them on what a client sends.
// Input: "ROUTE\nBODY". Body routes: submit, tenant, tenant-update, user, token, register, poll,
// logs, object. Query routes (BODY is one "name=value" a line): jobs, usage, log-read, since.
// Scalar routes: time, name, bearer (an Authorization header), role. Besides "no crash", what a
// parser accepts must be within the ranges docs/api.md states, since the controller's owner thread
// trusts them.
#include <cmath>
#include <string>

#include "server/auth.h"
#include "server/json_input.h"
#include "server/requests.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace suanli::server;
using suanli::fuzz::SplitLines;

bool ValidName(const std::string& n) { return CheckName(n, "name").ok(); }

void CheckShape(const suanli::store::ShapeSpec& s) {
  FUZZ_CHECK(s.tasks >= 1 && s.tasks <= 1024);
  FUZZ_CHECK(std::isfinite(s.cpus) && s.cpus >= 0 && s.cpus <= 4096);
  FUZZ_CHECK(s.mem_mb >= 0);
  FUZZ_CHECK(std::isfinite(s.gpus) && s.gpus >= 0 && s.gpus <= 1024);
  FUZZ_CHECK(s.gpus < 1 || std::floor(s.gpus) == s.gpus);
}

void Submit(const std::string& body) {
  auto r = ParseSubmit(body);
  if (!r.ok()) return;
  const auto& s = r->spec;
  FUZZ_CHECK(s.command.empty() != s.script.empty());  // exactly one way to run it
  FUZZ_CHECK(!s.name.empty());
  FUZZ_CHECK(r->tenant.empty() || ValidName(r->tenant));
  FUZZ_CHECK(s.time_limit_s >= 0 && s.grace_s >= 0 && s.grace_s <= 3600);
  FUZZ_CHECK(s.shapes.size() <= 16);
  CheckShape(s.main);
  for (const auto& shape : s.shapes) {
    CheckShape(shape);
    FUZZ_CHECK(shape.speed >= 0.001 && shape.speed <= 1000);
  }
}

Params ReadParams(std::string_view text) {
  Params params;
  for (const std::string& line : SplitLines(text)) {
    size_t eq = line.find('=');
    if (eq == std::string::npos) {
      params.emplace(line, "");
    } else {
      params.emplace(line.substr(0, eq), line.substr(eq + 1));
    }
  }
  return params;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [route, text] = suanli::fuzz::Select(suanli::fuzz::AsText(data, size));
  std::string body(text);
  if (route == "submit") {
    Submit(body);
  } else if (route == "tenant") {
    auto r = ParseTenant(body);
    if (r.ok()) FUZZ_CHECK(ValidName(r->name));
  } else if (route == "tenant-update") {
    (void)ParseTenantUpdate(body);
  } else if (route == "user") {
    auto r = ParseUser(body);
    if (r.ok()) FUZZ_CHECK(ValidName(r->name));
  } else if (route == "token") {
    (void)ParseTokenRequest(body);
  } else if (route == "register") {
    auto r = ParseRegister(body);
    if (r.ok()) FUZZ_CHECK(ValidName(r->node.name));
  } else if (route == "poll") {
    (void)ParsePoll(body);
  } else if (route == "logs") {
    (void)ParseLogUpload(body);
  } else if (route == "object") {
    auto r = ParseObject(body);
    if (r.ok()) FUZZ_CHECK(r->is_object());
  } else if (route == "jobs") {
    auto r = ParseJobList(ReadParams(text));
    if (r.ok()) FUZZ_CHECK(r->limit >= 0);
  } else if (route == "usage") {
    auto r = ParseUsage(ReadParams(text));
    if (r.ok()) FUZZ_CHECK(r->by == "tenant" || r->by == "user" || r->by == "type");
  } else if (route == "log-read") {
    auto r = ParseLogRead(ReadParams(text));
    if (r.ok()) FUZZ_CHECK(r->offset >= 0 && r->task >= 0);
  } else if (route == "since") {
    (void)ParseSinceParam(ReadParams(text), "since");
  } else if (route == "time") {
    // Never before 1970, and a NUL never hides trailing text.
    auto t = ParseTime(body, "time");
    if (t.ok()) FUZZ_CHECK(*t >= 0 && body.find('\0') == std::string::npos);
  } else if (route == "bearer") {
    // The token is what follows "Bearer ", without surrounding spaces; a header is never echoed.
    std::string token = BearerToken(text);
    FUZZ_CHECK(token.empty() || text.find(token) != std::string_view::npos);
    FUZZ_CHECK(token.empty() || (token.front() != ' ' && token.back() != ' '));
  } else if (route == "role") {
    if (auto role = ParseRole(text)) FUZZ_CHECK(ParseRole(RoleName(*role)) == role);
  } else if (route == "name") {
    if (ValidName(body)) {
      FUZZ_CHECK(!body.empty() && body.size() <= 64);
      for (char c : body)
        FUZZ_CHECK(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
    }
  }
  return 0;
}
