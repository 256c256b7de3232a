// SRTF: shortest remaining time first, the remaining time being the limit (or learned estimate)
// less the time already run; one from an estimate stops at 0, since an estimate can be overrun.
#include "core/order/ranker.h"

namespace suanli::core {
namespace {

class RemainingOrder : public DurationRanker {
 public:
  std::string_view name() const override { return "remaining"; }
  DurationKey Key(const Job& job, Time now) const override {
    bool estimated = false;
    const double expected = ExpectedDuration(job, &estimated);
    const UsedTime used = UsedOf(job, now);
    DurationKey k;
    k.key = expected - used.used;
    k.falls = used.falls;
    k.floor = estimated;
    return k;
  }
};

}  // namespace

std::shared_ptr<const DurationRanker> MakeRemainingOrder() {
  return std::make_shared<const RemainingOrder>();
}

}  // namespace suanli::core
