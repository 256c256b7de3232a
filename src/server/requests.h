#pragma once
// Parsed and validated requests, produced on HTTP threads (requests.cc) and handed to the
// controller's owner thread. Parsing enforces types, ranges and unknown fields; the agent
// protocol's bodies are read by src/proto, which also checks the agent's protocol version.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "proto/messages.h"
#include "store/records.h"

namespace suanli::server {

struct SubmitRequest {
  store::JobSpec spec;
  std::string tenant;  // empty = the caller's tenant
  std::string array;   // sbatch --array syntax ("0-9%2"); checked against the site's limits by
                       // the controller, which expands it into one job per task
};

struct JobListRequest {
  std::vector<store::JobState> states;  // empty = PENDING, STARTING, RUNNING (or all with `all`)
  bool all = false;
  store::JobId array = 0;  // only the tasks of this job array
  std::string tenant;
  std::string user;
  int64_t limit = 1000;
};

// PATCH /tenants/{name}: the fields given, with their values in `values` (name, parent and
// created are not read; a tenant keeps its place in the tree).
struct TenantUpdate {
  static constexpr const char* kFields[] = {"weight", "quota", "limit", "budget_accel_hours",
                                            "budget_period"};
  std::set<std::string> fields;
  store::TenantRecord values;
  bool Has(const std::string& field) const { return fields.count(field) > 0; }
};

struct UserRequest {
  std::string name;
  std::string tenant;
  std::string role = "member";
};

struct UsageRequest {
  std::string tenant;
  std::string user;
  TimeMs since = 0;
  TimeMs until = 0;
  std::string by = "tenant";  // tenant | user | type
  bool csv = false;
};

// The agent protocol's messages (src/proto, docs/protocol.md), under the controller's names.
using TaskRef = proto::TaskRef;
using AgentEvent = proto::TaskEvent;
using PollRequest = proto::PollRequest;
using LogUpload = proto::LogUpload;

// A registration as the controller keeps it: the node's record and the tasks to re-attach.
struct RegisterRequest {
  store::NodeRecord node;
  std::vector<TaskRef> running;
};

struct LogRead {
  int32_t task = 0;
  std::string stream = "stdout";
  int64_t offset = 0;
};

Result<SubmitRequest> ParseSubmit(const std::string& body);
// The body of cancel, hold and release: empty, {} or {"array": true|false}.
Result<bool> ParseArrayFlag(const std::string& body);
Result<store::TenantRecord> ParseTenant(const std::string& body);
Result<TenantUpdate> ParseTenantUpdate(const std::string& body);
Result<UserRequest> ParseUser(const std::string& body);
Result<std::string> ParseTokenRequest(const std::string& body);  // the user, may be empty
Result<RegisterRequest> ParseRegister(const std::string& body);
Result<PollRequest> ParsePoll(const std::string& body);
Result<LogUpload> ParseLogUpload(const std::string& body);

// Query parameters arrive as a name -> value map.
using Params = std::multimap<std::string, std::string>;
Result<JobListRequest> ParseJobList(const Params& params);
Result<UsageRequest> ParseUsage(const Params& params);
Result<LogRead> ParseLogRead(const Params& params);
Result<TimeMs> ParseSinceParam(const Params& params, const char* name);

// "2026-01-01", "2026-01-01T10:00:00Z" or epoch seconds ("1763877600.5") -> epoch ms.
Result<TimeMs> ParseTime(const std::string& text, const char* field);
// Names of tenants, users and nodes: 1-64 of [A-Za-z0-9._-], starting with a letter or digit.
Status CheckName(const std::string& name, const char* what);

}  // namespace suanli::server
