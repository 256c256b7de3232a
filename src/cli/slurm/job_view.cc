#include "cli/slurm/job_view.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "cli/format.h"
#include "slurm/hostlist.h"

namespace suanli::cli::slurm_cmd {
namespace {

struct StateRow {
  std::string_view api;  // Suanli's state
  SlurmState slurm;
};

// One table for both directions, so that squeue, sacct and scancel agree on every name.
constexpr StateRow kStates[] = {
    {"PENDING", {"PD", "PENDING"}}, {"STARTING", {"CF", "CONFIGURING"}},
    {"RUNNING", {"R", "RUNNING"}},  {"COMPLETED", {"CD", "COMPLETED"}},
    {"FAILED", {"F", "FAILED"}},    {"CANCELLED", {"CA", "CANCELLED"}},
    {"TIMEOUT", {"TO", "TIMEOUT"}}, {"PREEMPTED", {"PR", "PREEMPTED"}},
    {"LOST", {"NF", "NODE_FAIL"}},  {"OUT_OF_MEMORY", {"OOM", "OUT_OF_MEMORY"}},
    {"", {"CG", "COMPLETING"}},  // Slurm's; the API never reports it
};

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

const nlohmann::json& Field(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json kNull;
  return obj.is_object() && obj.contains(key) ? obj[key] : kNull;
}

double Number(const nlohmann::json& obj, const char* key, double fallback) {
  const auto& v = Field(obj, key);
  return v.is_number() ? v.get<double>() : fallback;
}

std::vector<std::string> DistinctNodes(const nlohmann::json& job) {
  std::vector<std::string> nodes;
  const auto& list = Field(job, "nodes");
  if (!list.is_array()) return nodes;
  for (const auto& n : list) {
    if (!n.is_string()) continue;
    std::string name = n.get<std::string>();
    if (std::find(nodes.begin(), nodes.end(), name) == nodes.end()) nodes.push_back(name);
  }
  return nodes;
}

double GpusPerTask(const nlohmann::json& job) { return Number(Field(job, "resources"), "gpus", 0); }

std::string GpuType(const nlohmann::json& job) {
  const auto& t = Field(Field(job, "resources"), "gpu_type");
  return t.is_string() ? t.get<std::string>() : "";
}

}  // namespace

SlurmState StateOf(const nlohmann::json& job) {
  std::string state = JobText(job, "state");
  for (const auto& row : kStates) {
    if (!row.api.empty() && row.api == state) return row.slurm;
  }
  return {"?", "UNKNOWN"};
}

Result<std::set<std::string>> ParseStateFilter(const std::vector<std::string>& words) {
  std::set<std::string> out;
  for (const auto& w : words) {
    std::string upper = Upper(w);
    if (upper == "ALL") {
      for (const auto& row : kStates) out.insert(std::string(row.slurm.name));
      continue;
    }
    bool found = false;
    for (const auto& row : kStates) {
      if (upper == row.slurm.code || upper == row.slurm.name) {
        out.insert(std::string(row.slurm.name));
        found = true;
      }
    }
    if (!found) return InvalidArgument("Invalid job state specified: " + w);
  }
  return out;
}

std::vector<std::string> ApiStatesFor(const std::set<std::string>& slurm_names) {
  std::vector<std::string> out;
  for (const auto& row : kStates) {
    if (!row.api.empty() && slurm_names.count(std::string(row.slurm.name)))
      out.emplace_back(row.api);
  }
  return out;
}

std::string SlurmJobId(const nlohmann::json& job) {
  if (job.contains("slurm_id") && job["slurm_id"].is_string()) return job["slurm_id"];
  const nlohmann::json& array = Field(job, "array");
  if (!array.is_object()) return JobText(job, "id");
  return std::to_string(array.value("job_id", int64_t{0})) + "_" +
         std::to_string(array.value("task_id", int64_t{0}));
}

std::string SlurmReason(const nlohmann::json& job) {
  if (JobText(job, "state") != "PENDING") return "None";
  // The scheduler's gates carry Slurm's own word (Dependency, BeginTime, JobHeldUser, ...).
  if (std::string code = JobText(job, "reason_code"); !code.empty()) return code;
  std::string reason = JobText(job, "reason");
  if (reason.empty() || reason == "waiting for the next scheduling pass") return "None";
  if (reason == "no nodes registered yet") return "ReqNodeNotAvail";
  if (reason.starts_with("waiting for ")) return "Resources";
  if (reason.starts_with("behind job ")) return "Priority";
  if (reason.find("is at its quota") != std::string::npos) return "AssocGrpGRES";
  if (reason.find("accelerator-hour budget") != std::string::npos) return "AssocGrpBillingMinutes";
  return reason;  // no Slurm word fits: ours is more telling than a wrong one
}

std::string JobPartition(const nlohmann::json& job) {
  std::string type = GpuType(job);
  if (GpusPerTask(job) <= 0 || type.empty() || type == "any") return std::string(kAllPartition);
  std::replace(type.begin(), type.end(), '|', ',');
  return type;
}

std::string JobNodeList(const nlohmann::json& job) {
  return suanli::slurm::CompressHostlist(DistinctNodes(job));
}

int64_t JobTasks(const nlohmann::json& job) {
  return static_cast<int64_t>(Number(Field(job, "resources"), "tasks", 1));
}

int64_t JobNodeCount(const nlohmann::json& job) {
  auto nodes = DistinctNodes(job);
  return nodes.empty() ? JobTasks(job) : static_cast<int64_t>(nodes.size());
}

double JobCpus(const nlohmann::json& job) {
  return Number(Field(job, "resources"), "cpus", 1) * static_cast<double>(JobTasks(job));
}

std::string JobTresPerNode(const nlohmann::json& job) {
  double gpus = GpusPerTask(job);
  if (gpus <= 0) return "N/A";
  std::string type = GpuType(job);
  std::string out = "gres/gpu:";
  if (!type.empty() && type != "any") out += type + ":";
  return out + FormatNumber(gpus);
}

std::string JobAllocTres(const nlohmann::json& job) {
  if (!Field(job, "start_time").is_number()) return "";
  const auto& r = Field(job, "resources");
  double tasks = static_cast<double>(JobTasks(job));
  std::string out = "cpu=" + FormatNumber(std::ceil(Number(r, "cpus", 1) * tasks));
  double gpus = GpusPerTask(job) * tasks;
  if (gpus > 0) out += ",gres/gpu=" + FormatNumber(gpus);
  out += ",mem=" + FormatSizeMb(Number(r, "mem_mb", 0) * tasks);
  out += ",node=" + std::to_string(JobNodeCount(job));
  return out;
}

std::string JobExitCode(const nlohmann::json& job) {
  const auto& code = Field(job, "exit_code");
  const auto& signal = Field(job, "signal");
  std::string c = code.is_number() ? FormatNumber(code.get<double>()) : "0";
  std::string s = signal.is_number() ? FormatNumber(signal.get<double>()) : "0";
  return c + ":" + s;
}

std::string SlurmTime(const nlohmann::json& epoch, std::string_view none) {
  return FormatEpoch(epoch, "%Y-%m-%dT%H:%M:%S", /*local=*/true, none);
}

std::string JobTimeLimit(const nlohmann::json& job) {
  double limit = Number(job, "time_limit_s", 0);
  return limit > 0 ? FormatElapsed(limit) : "UNLIMITED";
}

double JobRunSeconds(const nlohmann::json& job, double now) {
  const auto& start = Field(job, "start_time");
  if (!start.is_number()) return 0;
  const auto& end = Field(job, "end_time");
  double until = end.is_number() ? end.get<double>() : now;
  return std::max(0.0, until - start.get<double>());
}

std::string JobRunTime(const nlohmann::json& job, double now) {
  return FormatElapsed(JobRunSeconds(job, now));
}

std::string JobElapsedLong(const nlohmann::json& job, double now) {
  return FormatElapsed(JobRunSeconds(job, now), /*always_hours=*/true);
}

std::string JobText(const nlohmann::json& job, const char* key) {
  const auto& v = Field(job, key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return FormatNumber(v.get<double>());
  return "";
}

}  // namespace suanli::cli::slurm_cmd
