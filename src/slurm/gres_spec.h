#pragma once
// Slurm's generic-resource and memory syntax:
//   --gres=NAME[:TYPE][:COUNT][,NAME...]   ("gpu:2", "gpu:a100:4", "gpu:a100", "none")
//   --gpus, --gpus-per-node, --gpus-per-task=[TYPE:]COUNT
//   --mem, --mem-per-cpu, --mem-per-gpu=SIZE[K|M|G|T][B]   (megabytes by default; --mem=0 is all)
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace suanli::slurm {

struct GresRequest {
  std::string name;  // "gpu", "shard", "mps", ...
  std::string type;  // "a100"; empty when any type will do
  uint64_t count = 1;
  bool operator==(const GresRequest&) const = default;
};

// "none" gives an empty list, as it clears a request in Slurm.
Result<std::vector<GresRequest>> ParseGresList(std::string_view text);

struct GpuCount {
  std::string type;  // empty when any type will do
  uint64_t count = 0;
  bool operator==(const GpuCount&) const = default;
};

Result<GpuCount> ParseGpuCount(std::string_view text);

struct MemorySize {
  bool whole_node = false;  // --mem=0: all the memory of each node
  uint64_t megabytes = 0;
  bool operator==(const MemorySize&) const = default;
};

enum class MemoryScope { kPerNode, kPerCpu, kPerGpu };

// Only --mem (kPerNode) gives 0 a meaning; per-CPU and per-GPU sizes must be positive.
Result<MemorySize> ParseMemorySize(std::string_view text, MemoryScope scope);

}  // namespace suanli::slurm
