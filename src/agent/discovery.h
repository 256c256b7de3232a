#pragma once
// What this node has: CPUs, cores and NUMA layout (hwloc), memory, and accelerators from three
// sources — NVIDIA GPUs through NVML loaded at run time, Ascend NPUs through `npu-smi`, and devices
// declared on the command line for machines without a driver (and for tests).
#include <string>
#include <vector>

#include "agent/types.h"
#include "base/result.h"

namespace suanli::agent {

struct DiscoveryOptions {
  std::string nvml_library = "libnvidia-ml.so.1";  // a path or a name for the dynamic loader
  std::string npu_smi = "npu-smi";                 // a path or a name looked up on PATH
  std::string declared;                            // "nvidia-a100:8,ascend-910b:4[:memory_mb]"
  double cpus = 0;                                 // 0 = discovered
  int64_t mem_mb = 0;                              // 0 = discovered
};

// CPUs this process may run on, cores, NUMA nodes and memory (hwloc). Devices are left empty.
Result<HostInfo> DiscoverHost();

// Everything: host + NVML + npu-smi + declared devices, indexes renumbered 0..n-1 in that order.
// Failure to query a driver that is present is an error; an absent driver means no such devices.
Result<HostInfo> DiscoverAll(const DiscoveryOptions& options, std::vector<std::string>* notes);

// "nvidia-a100:8,ascend-910b:4" (optionally ":memory_mb" per entry). Indexes start at first_index.
Result<std::vector<Device>> ParseDeclaredAccelerators(const std::string& spec, int first_index);

// "NVIDIA A100-SXM4-80GB" -> "nvidia-a100"; "Tesla V100-SXM2-32GB" -> "nvidia-v100".
std::string NvidiaTypeFromName(const std::string& name);
// "910B3" -> "ascend-910b"; "310P3" -> "ascend-310p".
std::string AscendTypeFromName(const std::string& name);

// NVIDIA GPUs via NVML (dlopen of `library`). A library that cannot be loaded means "no NVIDIA
// driver": an empty list and a note. Islands come from active NVLinks (union of connected GPUs;
// GPUs reaching an NVSwitch share one island).
Result<std::vector<Device>> DiscoverNvidia(const std::string& library,
                                           std::vector<std::string>* notes);

// Parses the device table printed by `npu-smi info`.
Result<std::vector<Device>> ParseNpuSmiInfo(const std::string& text);
// Runs `npu_smi info` when it exists; absent means no Ascend devices.
Result<std::vector<Device>> DiscoverAscend(const std::string& npu_smi,
                                           std::vector<std::string>* notes);

// Parses a CPU list as the kernel prints it ("0-3,8,10-11").
Result<std::vector<int>> ParseCpuList(const std::string& text);
std::string FormatCpuList(const std::vector<int>& cpus);

}  // namespace suanli::agent
