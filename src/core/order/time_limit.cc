// SJF: shortest declared time limit first, or the learned estimate where it is shorter (learned
// SJF); a job with neither goes last.
#include "core/order/ranker.h"

namespace suanli::core {
namespace {

class TimeLimitOrder : public DurationRanker {
 public:
  std::string_view name() const override { return "time-limit"; }
  DurationKey Key(const Job& job, Time) const override {
    bool estimated = false;
    DurationKey k;
    k.key = ExpectedDuration(job, &estimated);
    return k;
  }
};

}  // namespace

std::shared_ptr<const DurationRanker> MakeTimeLimitOrder() {
  return std::make_shared<const TimeLimitOrder>();
}

}  // namespace suanli::core
