#pragma once
// Chooses the CPU set of each task: whole CPUs (ceil of the request), preferring one NUMA node and
// the least-used CPUs, with ties broken by the lowest CPU id so placement is repeatable. When the
// node is oversubscribed, CPUs are shared rather than refusing (the cpu quota still bounds the
// task's time).
#include <map>
#include <vector>

namespace suanli::agent {

class CpuAllocator {
 public:
  // numa_cpus: OS CPU ids per NUMA node (one node holding everything is fine).
  explicit CpuAllocator(std::vector<std::vector<int>> numa_cpus);
  std::vector<int> Allocate(double cpus);
  void Reserve(const std::vector<int>& cpus);  // re-attached tasks after a restart
  void Release(const std::vector<int>& cpus);
  int InUse(int cpu) const;

 private:
  std::vector<std::vector<int>> numa_;
  std::map<int, int> use_;  // cpu -> tasks using it
};

}  // namespace suanli::agent
