// A stand-in libnvidia-ml.so.1 for tests on machines without NVIDIA GPUs. It implements the NVML
// entry points the agent loads, with the same ABI, describing GPUs chosen through environment
// variables:
//   FAKE_NVML_COUNT   number of GPUs (default 4)
//   FAKE_NVML_NAME    product name (default "NVIDIA A100-SXM4-80GB")
//   FAKE_NVML_MEM_MB  memory per GPU (default 81920)
//   FAKE_NVML_LINKS   NVLink pairs "0-1,2-3" (default: none); "switch" = every GPU on an NVSwitch
//   FAKE_NVML_FAIL_INIT  when set, nvmlInit_v2 fails (driver present but broken)
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

struct PciInfo {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
};
struct Memory {
  unsigned long long total, free, used;
};

int Count() {
  const char* c = getenv("FAKE_NVML_COUNT");
  return c ? atoi(c) : 4;
}

// Handles are 1-based integers disguised as pointers.
int IndexOf(void* handle) { return static_cast<int>(reinterpret_cast<long>(handle)) - 1; }

void BusId(int gpu, char* out, size_t size) {
  snprintf(out, size, "00000000:%02X:00.0", 0x10 + gpu);
}

std::vector<std::pair<int, int>> Links() {
  std::vector<std::pair<int, int>> out;
  const char* l = getenv("FAKE_NVML_LINKS");
  if (!l) return out;
  std::string s = l;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t comma = s.find(',', pos);
    std::string pair = s.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    int a, b;
    if (sscanf(pair.c_str(), "%d-%d", &a, &b) == 2) out.push_back({a, b});
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

// The peer at the far end of `link` of `gpu`: another GPU, -2 for an NVSwitch, -1 for an inactive
// link.
int Peer(int gpu, unsigned link) {
  const char* l = getenv("FAKE_NVML_LINKS");
  if (l && std::string(l) == "switch") return link < 2 ? -2 : -1;
  unsigned n = 0;
  for (auto [a, b] : Links()) {
    if (a == gpu || b == gpu) {
      if (n == link) return a == gpu ? b : a;
      ++n;
    }
  }
  return -1;
}

}  // namespace

extern "C" {

int nvmlInit_v2() { return getenv("FAKE_NVML_FAIL_INIT") ? 9 /* DRIVER_NOT_LOADED */ : 0; }
int nvmlShutdown() { return 0; }
const char* nvmlErrorString(int r) { return r == 9 ? "Driver Not Loaded" : "Unknown Error"; }
int nvmlDeviceGetCount_v2(unsigned* count) {
  *count = static_cast<unsigned>(Count());
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** handle) {
  if (static_cast<int>(index) >= Count()) return 2;  // INVALID_ARGUMENT
  *handle = reinterpret_cast<void*>(static_cast<long>(index) + 1);
  return 0;
}
int nvmlDeviceGetName(void* h, char* name, unsigned len) {
  const char* n = getenv("FAKE_NVML_NAME");
  snprintf(name, len, "%s", n ? n : "NVIDIA A100-SXM4-80GB");
  return 0;
}
int nvmlDeviceGetUUID(void* h, char* uuid, unsigned len) {
  snprintf(uuid, len, "GPU-fake-0000-%04d", IndexOf(h));
  return 0;
}
int nvmlDeviceGetMemoryInfo(void* h, Memory* m) {
  const char* mb = getenv("FAKE_NVML_MEM_MB");
  m->total = (mb ? strtoull(mb, nullptr, 10) : 81920ull) << 20;
  m->used = 0;
  m->free = m->total;
  return 0;
}
int nvmlDeviceGetPciInfo_v3(void* h, PciInfo* p) {
  memset(p, 0, sizeof(*p));
  BusId(IndexOf(h), p->busId, sizeof(p->busId));
  return 0;
}
int nvmlDeviceGetNvLinkState(void* h, unsigned link, int* active) {
  *active = Peer(IndexOf(h), link) != -1;
  return 0;
}
int nvmlDeviceGetNvLinkRemotePciInfo_v2(void* h, unsigned link, PciInfo* p) {
  int peer = Peer(IndexOf(h), link);
  if (peer == -1) return 2;
  memset(p, 0, sizeof(*p));
  if (peer == -2)
    snprintf(p->busId, sizeof(p->busId), "00000000:C0:00.0");  // the switch
  else
    BusId(peer, p->busId, sizeof(p->busId));
  return 0;
}

}  // extern "C"
