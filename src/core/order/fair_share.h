#pragma once
// Fair share: tenants interleaved by hierarchical weighted DRF (core/fair_share.h). Not a key of a
// job's rank but an order between tenants: the queue keeps one bucket per tenant, and where the
// fronts of two buckets share a band and LAS queue, the tenant furthest below its weighted share
// goes first.
#include <string_view>

#include "core/fair_share.h"
#include "core/job_queue.h"

namespace suanli::core {

class FairShareInterleave {
 public:
  std::string_view name() const { return "fair-share"; }
  // Whether bucket `a`'s front (rank `x`) goes before bucket `b`'s (rank `y`).
  static bool Before(const FairShare& share, int32_t a, const QueueRank& x, int32_t b,
                     const QueueRank& y);
};

}  // namespace suanli::core
