#pragma once
// Which accelerator device nodes a task must not be able to open. cgroup v2 has no device
// controller without eBPF, and CUDA_VISIBLE_DEVICES is only advice a job can rewrite, so the task's
// own mount namespace gets /dev/null bind-mounted over every other accelerator's node.
#include <string>
#include <vector>

#include "agent/types.h"

namespace suanli::agent {

// The device-node name ("nvidia3", "davinci0") of `device`: its discovered path's last part, else
// (declared devices) derived from its type and driver index; "" when neither says.
std::string DeviceNodeName(const Device& device);

// Every NVIDIA (`nvidiaN`) or Ascend (`davinciN`) device node present under `dev_root` that is not
// the node of a device in `assigned` (node-local indexes into `host`), as full paths, sorted.
// Control nodes (nvidiactl, nvidia-uvm, davinci_manager…) stay: every task needs them.
std::vector<std::string> DeviceNodesToMask(const std::vector<Device>& host,
                                           const std::vector<int>& assigned,
                                           const std::string& dev_root);

}  // namespace suanli::agent
