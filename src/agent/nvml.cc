// NVIDIA discovery through NVML, loaded with dlopen so the agent runs (and builds) on machines
// without a driver. Only the few entry points we need are declared here, with the ABI of nvml.h.
#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>

#include "agent/discovery.h"

namespace suanli::agent {
namespace {

using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr unsigned kMaxNvLinks = 18;  // NVML_NVLINK_MAX_LINKS

struct nvmlMemory_t {
  unsigned long long total, free, used;
};
struct nvmlPciInfo_t {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
};

struct NvmlApi {
  nvmlReturn_t (*init)();
  nvmlReturn_t (*shutdown)();
  const char* (*error_string)(nvmlReturn_t);
  nvmlReturn_t (*count)(unsigned*);
  nvmlReturn_t (*handle)(unsigned, nvmlDevice_t*);
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned);
  nvmlReturn_t (*uuid)(nvmlDevice_t, char*, unsigned);
  nvmlReturn_t (*memory)(nvmlDevice_t, nvmlMemory_t*);
  nvmlReturn_t (*pci)(nvmlDevice_t, nvmlPciInfo_t*);
  nvmlReturn_t (*link_state)(nvmlDevice_t, unsigned, int*);
  nvmlReturn_t (*link_remote)(nvmlDevice_t, unsigned, nvmlPciInfo_t*);
};

template <typename F>
bool Load(void* lib, const char* symbol, F* out) {
  *out = reinterpret_cast<F>(dlsym(lib, symbol));
  return *out != nullptr;
}

// "00000000:3B:00.0" and "0000:3b:00.0" name the same device.
std::string NormalizeBusId(const char* id) {
  std::string s(id);
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t colon = s.find(':');
  if (colon != std::string::npos && colon > 4) s = s.substr(colon - 4);
  return s;
}

int Find(std::vector<int>& parent, int x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

}  // namespace

Result<std::vector<Device>> DiscoverNvidia(const std::string& library,
                                           std::vector<std::string>* notes) {
  std::vector<Device> out;
  if (library.empty()) return out;
  void* lib = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    notes->push_back(fmt::format("no NVIDIA driver: cannot load {} ({})", library, dlerror()));
    return out;
  }
  NvmlApi api{};
  bool ok = Load(lib, "nvmlInit_v2", &api.init) && Load(lib, "nvmlShutdown", &api.shutdown) &&
            Load(lib, "nvmlDeviceGetCount_v2", &api.count) &&
            Load(lib, "nvmlDeviceGetHandleByIndex_v2", &api.handle) &&
            Load(lib, "nvmlDeviceGetName", &api.name) &&
            Load(lib, "nvmlDeviceGetUUID", &api.uuid) &&
            Load(lib, "nvmlDeviceGetMemoryInfo", &api.memory);
  Load(lib, "nvmlErrorString", &api.error_string);
  // NVLink and PCI queries are optional: older drivers or PCIe-only cards lack them.
  bool links = Load(lib, "nvmlDeviceGetPciInfo_v3", &api.pci) &&
               Load(lib, "nvmlDeviceGetNvLinkState", &api.link_state) &&
               Load(lib, "nvmlDeviceGetNvLinkRemotePciInfo_v2", &api.link_remote);
  if (!ok) {
    dlclose(lib);
    return Internal(fmt::format("{} lacks NVML entry points the agent needs", library));
  }
  auto err = [&](nvmlReturn_t r) {
    return api.error_string ? std::string(api.error_string(r)) : fmt::format("NVML error {}", r);
  };
  if (nvmlReturn_t r = api.init(); r != kNvmlSuccess) {
    std::string message = fmt::format("nvmlInit_v2 failed: {}", err(r));  // before the library goes
    dlclose(lib);
    return Unavailable(message);
  }
  unsigned count = 0;
  Status status;
  std::vector<std::string> bus_ids;
  std::vector<nvmlDevice_t> handles;
  if (nvmlReturn_t r = api.count(&count); r != kNvmlSuccess)
    status = Unavailable(fmt::format("nvmlDeviceGetCount_v2 failed: {}", err(r)));
  for (unsigned i = 0; status.ok() && i < count; ++i) {
    nvmlDevice_t h = nullptr;
    char name[96] = {0}, uuid[96] = {0};
    nvmlMemory_t mem{};
    if (nvmlReturn_t r = api.handle(i, &h); r != kNvmlSuccess) {
      status = Unavailable(fmt::format("GPU {}: no handle: {}", i, err(r)));
      break;
    }
    if (api.name(h, name, sizeof(name)) != kNvmlSuccess ||
        api.uuid(h, uuid, sizeof(uuid)) != kNvmlSuccess || api.memory(h, &mem) != kNvmlSuccess) {
      status = Unavailable(fmt::format("GPU {}: cannot read name, UUID or memory", i));
      break;
    }
    Device d;
    d.index = static_cast<int>(i);
    d.driver_index = static_cast<int>(i);
    d.type = NvidiaTypeFromName(name);
    d.uuid = uuid;
    d.memory_mb = static_cast<int64_t>(mem.total / (1024 * 1024));
    d.dev_path = fmt::format("/dev/nvidia{}", i);
    nvmlPciInfo_t pci{};
    bus_ids.push_back(links && api.pci(h, &pci) == kNvmlSuccess ? NormalizeBusId(pci.busId) : "");
    handles.push_back(h);
    out.push_back(std::move(d));
  }
  if (status.ok()) {
    // Islands: union GPUs joined by an active NVLink. A link whose far end is not one of our GPUs
    // is an NVSwitch; every GPU reaching the switch fabric is joined through it (node -1 + n stands
    // for it).
    int n = static_cast<int>(out.size());
    std::vector<int> parent(n + 1);
    std::iota(parent.begin(), parent.end(), 0);
    std::map<std::string, int> by_bus;
    for (int i = 0; i < n; ++i)
      if (!bus_ids[i].empty()) by_bus[bus_ids[i]] = i;
    for (int i = 0; links && i < n; ++i) {
      for (unsigned l = 0; l < kMaxNvLinks; ++l) {
        int active = 0;
        if (api.link_state(handles[i], l, &active) != kNvmlSuccess || !active) continue;
        nvmlPciInfo_t remote{};
        if (api.link_remote(handles[i], l, &remote) != kNvmlSuccess) continue;
        auto it = by_bus.find(NormalizeBusId(remote.busId));
        int other = it == by_bus.end() ? n : it->second;
        parent[Find(parent, i)] = Find(parent, other);
      }
    }
    // Number islands densely in order of the lowest GPU index in each.
    std::map<int, int> island_of_root;
    for (int i = 0; i < n; ++i) {
      int root = Find(parent, i);
      auto [it, inserted] = island_of_root.emplace(root, static_cast<int>(island_of_root.size()));
      out[i].island = it->second;
    }
  }
  api.shutdown();
  dlclose(lib);
  if (!status.ok()) return status;
  return out;
}

}  // namespace suanli::agent
