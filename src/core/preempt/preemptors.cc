// The preemptor of each kind, in PreemptKind order: the order is part of every decision.
#include "core/preempt/preemptor.h"

namespace suanli::core {

std::vector<const Preemptor*> PreemptorsOf(const PreemptKinds& kinds) {
  const Preemptor* const in_order[] = {&ReclaimPreemptor(), &PriorityPreemptor(), &LasPreemptor(),
                                       &RemainingPreemptor()};
  std::vector<const Preemptor*> out;
  for (const Preemptor* p : in_order) {
    if (kinds.has(p->kind())) out.push_back(p);
  }
  return out;
}

}  // namespace suanli::core
