// FIFO: oldest submission first (the rank's time, set before any order runs); no duration key.
#include "core/order/ranker.h"

namespace suanli::core {
namespace {

class SubmitOrder : public DurationRanker {
 public:
  std::string_view name() const override { return "submit"; }
  DurationKey Key(const Job&, Time) const override { return DurationKey{}; }
};

}  // namespace

std::shared_ptr<const DurationRanker> MakeSubmitOrder() {
  return std::make_shared<const SubmitOrder>();
}

}  // namespace suanli::core
