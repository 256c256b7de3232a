#include "cli/slurm/squeue_sort.h"

#include <algorithm>

#include "cli/slurm/job_view.h"

namespace suanli::cli::slurm_cmd {
namespace {

constexpr const char* kFields = "ijnuatpPVSelD";

// Slurm's own state order (its enum): pending, running, suspended, then the ended ones.
int StateRank(const std::string& s) {
  static const char* kOrder[] = {"PENDING",   "STARTING", "RUNNING", "SUSPENDED",
                                 "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT",
                                 "NODE_FAIL", "PREEMPTED", "LOST",   "OUT_OF_MEMORY"};
  for (int i = 0; i < static_cast<int>(std::size(kOrder)); ++i) {
    if (s == kOrder[i]) return i;
  }
  return static_cast<int>(std::size(kOrder));
}

double Number(const nlohmann::json& job, const char* key) {
  auto it = job.find(key);
  return it != job.end() && it->is_number() ? it->get<double>() : -1;
}

// -1 / 0 / +1 for one field, ascending.
int Compare(char field, const nlohmann::json& a, const nlohmann::json& b) {
  auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (field) {
    case 'i':
      return cmp(Number(a, "id"), Number(b, "id"));
    case 'j':
    case 'n':
      return cmp(JobText(a, "name"), JobText(b, "name"));
    case 'u':
      return cmp(JobText(a, "user"), JobText(b, "user"));
    case 'a':
      return cmp(JobText(a, "tenant"), JobText(b, "tenant"));
    case 't':
      return cmp(StateRank(JobText(a, "state")), StateRank(JobText(b, "state")));
    case 'p':
      return cmp(Number(a, "priority"), Number(b, "priority"));
    case 'P':
      return cmp(JobPartition(a), JobPartition(b));
    case 'V':
      return cmp(Number(a, "submit_time"), Number(b, "submit_time"));
    case 'S':
      return cmp(Number(a, "start_time"), Number(b, "start_time"));
    case 'e':
      return cmp(Number(a, "end_time"), Number(b, "end_time"));
    case 'l':
      return cmp(Number(a, "time_limit_s"), Number(b, "time_limit_s"));
    case 'D': {
      auto tasks = [](const nlohmann::json& j) {
        return j.contains("resources") && j["resources"].is_object()
                   ? j["resources"].value("tasks", 1.0)
                   : 1.0;
      };
      return cmp(tasks(a), tasks(b));
    }
  }
  return 0;
}

}  // namespace

Result<std::vector<SortKey>> ParseSqueueSort(const std::string& spec) {
  std::vector<SortKey> keys;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string item = spec.substr(start, comma == std::string::npos ? std::string::npos
                                                                     : comma - start);
    SortKey k;
    if (!item.empty() && (item[0] == '+' || item[0] == '-')) {
      k.descending = item[0] == '-';
      item.erase(0, 1);
    }
    if (item.size() != 1 || std::string(kFields).find(item[0]) == std::string::npos) {
      return InvalidArgument("Invalid sort specification: " + spec + " ('" + item +
                             "' is none of " + kFields + ")");
    }
    k.field = item[0];
    keys.push_back(k);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return keys;
}

void SortJobs(const std::vector<SortKey>& keys, std::vector<nlohmann::json>* jobs) {
  std::stable_sort(jobs->begin(), jobs->end(), [&](const nlohmann::json& a, const nlohmann::json& b) {
    for (const auto& k : keys) {
      int c = Compare(k.field, a, b);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return Compare('i', a, b) < 0;
  });
}

}  // namespace suanli::cli::slurm_cmd
