#include "agent/device_mask.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

namespace suanli::agent {
namespace {

// "nvidia12" / "davinci0": a prefix followed by digits only.
bool IsAcceleratorNode(const std::string& name) {
  for (const char* prefix : {"nvidia", "davinci"}) {
    std::string p = prefix;
    if (name.size() > p.size() && name.compare(0, p.size(), p) == 0 &&
        std::all_of(name.begin() + static_cast<std::ptrdiff_t>(p.size()), name.end(),
                    [](char c) { return c >= '0' && c <= '9'; }))
      return true;
  }
  return false;
}

}  // namespace

std::string DeviceNodeName(const Device& device) {
  if (!device.dev_path.empty()) return std::filesystem::path(device.dev_path).filename().string();
  if (device.type.rfind("nvidia", 0) == 0) return fmt::format("nvidia{}", device.driver_index);
  if (device.type.rfind("ascend", 0) == 0) return fmt::format("davinci{}", device.driver_index);
  return "";
}

std::vector<std::string> DeviceNodesToMask(const std::vector<Device>& host,
                                           const std::vector<int>& assigned,
                                           const std::string& dev_root) {
  std::set<std::string> keep;
  for (const auto& d : host)
    if (std::count(assigned.begin(), assigned.end(), d.index)) keep.insert(DeviceNodeName(d));
  std::vector<std::string> out;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dev_root, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (IsAcceleratorNode(name) && !keep.count(name)) out.push_back(it->path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace suanli::agent
