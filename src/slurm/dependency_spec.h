#pragma once
// Slurm's --dependency syntax: conditions joined by ',' (all must hold) or '?' (any may hold):
//   after:ID[+MINUTES][:ID[+MINUTES]...]   afterany:ID[:ID...]   afterok:...   afternotok:...
//   aftercorr:...   afterburstbuffer:...   singleton
// An ID may name one array task as JOB_TASK ("123_4").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace suanli::slurm {

enum class DependencyType {
  kAfter,             // the job has started (or been cancelled), plus an optional delay
  kAfterAny,          // the job has ended, whatever its state
  kAfterOk,           // the job has completed with exit code 0
  kAfterNotOk,        // the job has failed, timed out, been cancelled, ...
  kAfterCorr,         // the array task with the same index has completed successfully
  kAfterBurstBuffer,  // the job has ended and its burst buffer stage-out is done
  kSingleton,         // no other job of this name and user is running
};

std::string_view DependencyTypeName(DependencyType type);

struct DependencyJob {
  uint64_t job_id = 0;
  std::optional<uint32_t> array_task;  // "123_4"
  uint32_t delay_minutes = 0;          // "after:123+10", after only
  bool operator==(const DependencyJob&) const = default;
};

struct DependencyCondition {
  DependencyType type = DependencyType::kAfterAny;
  std::vector<DependencyJob> jobs;  // empty for singleton
  bool operator==(const DependencyCondition&) const = default;
};

struct DependencySpec {
  enum class Combine { kAll, kAny };  // ',' or '?'
  Combine combine = Combine::kAll;
  std::vector<DependencyCondition> conditions;
  bool operator==(const DependencySpec&) const = default;
};

Result<DependencySpec> ParseDependencySpec(std::string_view text);

// The spec written back in the same syntax ("afterok:12:13_4,after:7+10", "singleton"), so that
// ParseDependencySpec(FormatDependencySpec(s)) == s.
std::string FormatDependencySpec(const DependencySpec& spec);

}  // namespace suanli::slurm
