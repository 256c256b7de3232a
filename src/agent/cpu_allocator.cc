#include "agent/cpu_allocator.h"

#include <algorithm>
#include <cmath>

namespace suanli::agent {

CpuAllocator::CpuAllocator(std::vector<std::vector<int>> numa_cpus) : numa_(std::move(numa_cpus)) {
  numa_.erase(std::remove_if(numa_.begin(), numa_.end(), [](const auto& n) { return n.empty(); }),
              numa_.end());
  for (const auto& node : numa_)
    for (int c : node) use_[c] = 0;
}

int CpuAllocator::InUse(int cpu) const {
  auto it = use_.find(cpu);
  return it == use_.end() ? 0 : it->second;
}

std::vector<int> CpuAllocator::Allocate(double cpus) {
  size_t total = use_.size();
  if (total == 0) return {};
  size_t want = std::clamp<size_t>(static_cast<size_t>(std::ceil(cpus - 1e-9)), 1, total);
  auto free_in = [&](const std::vector<int>& node) {
    return std::count_if(node.begin(), node.end(), [&](int c) { return use_[c] == 0; });
  };
  // The NUMA node that can hold the whole request on idle CPUs, else the one with the most idle
  // CPUs.
  int best = 0;
  for (size_t n = 1; n < numa_.size(); ++n) {
    auto fb = free_in(numa_[best]), fn = free_in(numa_[n]);
    bool fits_b = static_cast<size_t>(fb) >= want, fits_n = static_cast<size_t>(fn) >= want;
    if ((fits_n && !fits_b) || (fits_n == fits_b && fn > fb)) best = static_cast<int>(n);
  }
  // Candidates: the chosen node first, then the others; least used first, lowest id on ties.
  std::vector<std::pair<int, int>> order;  // (rank key, cpu)
  for (size_t n = 0; n < numa_.size(); ++n)
    for (int c : numa_[n])
      order.push_back({use_[c] * 2 + (static_cast<int>(n) == best ? 0 : 1), c});
  std::sort(order.begin(), order.end());
  std::vector<int> out;
  for (size_t i = 0; i < want; ++i) out.push_back(order[i].second);
  std::sort(out.begin(), out.end());
  Reserve(out);
  return out;
}

void CpuAllocator::Reserve(const std::vector<int>& cpus) {
  for (int c : cpus)
    if (use_.count(c)) ++use_[c];
}

void CpuAllocator::Release(const std::vector<int>& cpus) {
  for (int c : cpus)
    if (use_.count(c) && use_[c] > 0) --use_[c];
}

}  // namespace suanli::agent
