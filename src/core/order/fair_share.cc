// Fair share between tenants: see fair_share.h.
#include "core/order/fair_share.h"

#include <tuple>

namespace suanli::core {

bool FairShareInterleave::Before(const FairShare& share, int32_t a, const QueueRank& x, int32_t b,
                                 const QueueRank& y) {
  if (x.prio != y.prio || x.level != y.level) {
    return std::tie(x.prio, x.level) < std::tie(y.prio, y.level);
  }
  // A starving job (level -1) goes oldest first, whoever its tenant.
  if (x.level < 0) return RankLess(x, y);
  return share.Before(a, b) || (!share.Before(b, a) && RankLess(x, y));
}

}  // namespace suanli::core
