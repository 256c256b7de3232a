// The oracle orders, for the simulator only (they read Job::oracle_duration, the true duration a
// live scheduler cannot know): shortest true duration, or true remaining time, first.
#include "core/order/ranker.h"
#include "core/scheduler_internal.h"

namespace suanli::core {
namespace {

double OracleDuration(const Job& job) {
  return job.oracle_duration >= 0 ? static_cast<double>(job.oracle_duration)
                                  : scheduler_internal::kInf;
}

class OracleDurationOrder : public DurationRanker {
 public:
  std::string_view name() const override { return "oracle-duration"; }
  DurationKey Key(const Job& job, Time) const override {
    DurationKey k;
    k.key = OracleDuration(job);
    return k;
  }
};

class OracleRemainingOrder : public DurationRanker {
 public:
  std::string_view name() const override { return "oracle-remaining"; }
  DurationKey Key(const Job& job, Time now) const override {
    const UsedTime used = UsedOf(job, now);
    DurationKey k;
    k.key = OracleDuration(job) - used.used;
    k.falls = used.falls;
    k.floor = true;
    return k;
  }
};

}  // namespace

std::shared_ptr<const DurationRanker> MakeOracleDurationOrder() {
  return std::make_shared<const OracleDurationOrder>();
}
std::shared_ptr<const DurationRanker> MakeOracleRemainingOrder() {
  return std::make_shared<const OracleRemainingOrder>();
}

}  // namespace suanli::core
