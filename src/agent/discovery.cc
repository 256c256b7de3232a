#include "agent/discovery.h"

#include <fmt/format.h>
#include <hwloc.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

namespace suanli::agent {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Typical memory of declared device types, so a declared node looks like a real one to the
// scheduler.
int64_t KnownMemoryMb(const std::string& type) {
  static const std::pair<const char*, int64_t> kKnown[] = {
      {"nvidia-a100", 81920}, {"nvidia-h100", 81920}, {"nvidia-h200", 143771},
      {"nvidia-h800", 81920}, {"nvidia-a800", 81920}, {"nvidia-v100", 32768},
      {"nvidia-l40s", 46068}, {"nvidia-t4", 15360},   {"ascend-910b", 65536},
      {"ascend-910", 32768},  {"ascend-310p", 24576}};
  for (const auto& [t, mb] : kKnown)
    if (type == t) return mb;
  return 0;
}

}  // namespace

// Linux's NR_CPUS is at most 8192; the bound keeps "0-2147483647" from allocating 8 GiB (and
// from overflowing the loop) before anything checks the CPUs against the machine.
constexpr int kMaxCpuIndex = 65535;

Result<std::vector<int>> ParseCpuList(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(Trim(text));
  std::string part;
  while (std::getline(ss, part, ',')) {
    part = Trim(part);
    if (part.empty()) continue;
    size_t dash = part.find('-');
    try {
      size_t used = 0;
      if (dash == std::string::npos) {
        int v = std::stoi(part, &used);
        if (used != part.size() || v < 0 || v > kMaxCpuIndex) throw std::invalid_argument(part);
        out.push_back(v);
      } else {
        int a = std::stoi(part.substr(0, dash), &used);
        if (used != dash) throw std::invalid_argument(part);
        std::string hi = part.substr(dash + 1);
        int b = std::stoi(hi, &used);
        if (used != hi.size() || a < 0 || b < a || b > kMaxCpuIndex) {
          throw std::invalid_argument(part);
        }
        for (int i = a; i <= b; ++i) out.push_back(i);
      }
    } catch (const std::exception&) {
      return InvalidArgument(fmt::format("bad CPU list '{}': cannot read '{}'", text, part));
    }
    if (out.size() > kMaxCpuIndex + 1) {
      return InvalidArgument(
          fmt::format("bad CPU list '{}': more than {} CPUs", text, kMaxCpuIndex + 1));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string FormatCpuList(const std::vector<int>& cpus) {
  std::vector<int> c = cpus;
  std::sort(c.begin(), c.end());
  std::string out;
  for (size_t i = 0; i < c.size();) {
    size_t j = i;
    while (j + 1 < c.size() && c[j + 1] == c[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", c[i]) : fmt::format("{}-{}", c[i], c[j]);
    i = j + 1;
  }
  return out;
}

Result<HostInfo> DiscoverHost() {
  hwloc_topology_t topo;
  if (hwloc_topology_init(&topo) != 0) return Internal("hwloc_topology_init failed");
  if (hwloc_topology_load(topo) != 0) {
    hwloc_topology_destroy(topo);
    return Internal("hwloc_topology_load failed");
  }
  HostInfo h;
  h.cpus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
  h.cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
  int numa = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
  for (int n = 0; n < numa; ++n) {
    hwloc_obj_t node = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, n);
    std::vector<int> cpus;
    for (int p = 0; p < h.cpus; ++p) {
      hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, p);
      if (hwloc_bitmap_isset(node->cpuset, pu->os_index))
        cpus.push_back(static_cast<int>(pu->os_index));
    }
    h.numa_cpus.push_back(std::move(cpus));
  }
  hwloc_obj_t root = hwloc_get_root_obj(topo);
  h.mem_mb = static_cast<int64_t>(root->total_memory / (1024 * 1024));
  hwloc_topology_destroy(topo);
  if (h.mem_mb == 0) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    h.mem_mb = static_cast<int64_t>(pages) * page / (1024 * 1024);
  }
  if (h.cores == 0) h.cores = h.cpus;
  if (h.cpus == 0) return Internal("hwloc found no CPUs this process may use");
  return h;
}

Result<std::vector<Device>> ParseDeclaredAccelerators(const std::string& spec, int first_index) {
  std::vector<Device> out;
  std::stringstream ss(spec);
  std::string entry;
  int group = 0;
  while (std::getline(ss, entry, ',')) {
    entry = Trim(entry);
    if (entry.empty()) continue;
    std::vector<std::string> parts;
    std::stringstream es(entry);
    std::string p;
    while (std::getline(es, p, ':')) parts.push_back(Trim(p));
    if (parts.size() < 2 || parts.size() > 3 || parts[0].empty())
      return InvalidArgument(fmt::format(
          "accelerator '{}' must be TYPE:COUNT[:MEMORY_MB], e.g. nvidia-a100:8", entry));
    std::string type = Lower(parts[0]);
    for (char c : type)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
        return InvalidArgument(
            fmt::format("accelerator type '{}' may hold only letters, digits, '-', '_'", parts[0]));
    int count = 0;
    int64_t memory = KnownMemoryMb(type);
    try {
      size_t used = 0;
      count = std::stoi(parts[1], &used);
      if (used != parts[1].size()) throw std::invalid_argument(parts[1]);
      if (parts.size() == 3) {
        memory = std::stoll(parts[2], &used);
        if (used != parts[2].size() || memory < 0) throw std::invalid_argument(parts[2]);
      }
    } catch (const std::exception&) {
      return InvalidArgument(
          fmt::format("accelerator '{}': count and memory must be whole numbers", entry));
    }
    if (count < 1 || count > 1024)
      return InvalidArgument(fmt::format("accelerator '{}': count must be 1..1024", entry));
    for (int i = 0; i < count; ++i) {
      Device d;
      d.index = first_index + static_cast<int>(out.size());
      d.driver_index = i;
      d.type = type;
      d.uuid = fmt::format("declared-{}-{}", type, i);
      d.memory_mb = memory;
      d.island = group;  // declared devices of one entry share one island (one NVLink/HCCS domain)
      d.declared = true;
      out.push_back(std::move(d));
    }
    ++group;
  }
  return out;
}

std::string NvidiaTypeFromName(const std::string& name) {
  std::string n = Lower(Trim(name));
  for (const char* prefix : {"nvidia ", "tesla ", "geforce ", "quadro "}) {
    if (n.rfind(prefix, 0) == 0) n = n.substr(std::string(prefix).size());
  }
  for (const char* prefix : {"geforce ", "quadro "}) {
    if (n.rfind(prefix, 0) == 0) n = n.substr(std::string(prefix).size());
  }
  std::string token;
  for (char c : n) {
    if (c == ' ' || c == '-') break;
    token += c;
  }
  if (token == "rtx" || token == "gtx") {  // "RTX 4090" -> rtx4090, "RTX A6000" -> rtxa6000
    size_t sp = n.find_first_of(" -");
    std::string rest = sp == std::string::npos ? "" : n.substr(sp + 1);
    for (char c : rest) {
      if (c == ' ' || c == '-') break;
      token += c;
    }
  }
  if (token.empty()) token = "gpu";
  return "nvidia-" + token;
}

std::string AscendTypeFromName(const std::string& name) {
  std::string n = Lower(Trim(name));
  if (n.rfind("ascend", 0) == 0) n = Trim(n.substr(6));
  std::string out;
  size_t i = 0;
  while (i < n.size() && std::isdigit(static_cast<unsigned char>(n[i]))) out += n[i++];
  while (i < n.size() && std::isalpha(static_cast<unsigned char>(n[i]))) out += n[i++];
  if (out.empty()) out = n.empty() ? "npu" : n;
  return "ascend-" + out;
}

Result<HostInfo> DiscoverAll(const DiscoveryOptions& options, std::vector<std::string>* notes) {
  SUANLI_ASSIGN_OR_RETURN(HostInfo host, DiscoverHost());
  SUANLI_ASSIGN_OR_RETURN(auto nvidia, DiscoverNvidia(options.nvml_library, notes));
  SUANLI_ASSIGN_OR_RETURN(auto ascend, DiscoverAscend(options.npu_smi, notes));
  for (auto& d : nvidia) host.devices.push_back(std::move(d));
  int island_base = 0;
  for (const auto& d : host.devices) island_base = std::max(island_base, d.island + 1);
  for (auto& d : ascend) {
    d.island += island_base;
    host.devices.push_back(std::move(d));
  }
  island_base = 0;
  for (const auto& d : host.devices) island_base = std::max(island_base, d.island + 1);
  SUANLI_ASSIGN_OR_RETURN(auto declared, ParseDeclaredAccelerators(options.declared, 0));
  for (auto& d : declared) {
    d.island += island_base;
    host.devices.push_back(std::move(d));
  }
  for (size_t i = 0; i < host.devices.size(); ++i) host.devices[i].index = static_cast<int>(i);
  if (options.cpus > 0) {
    if (options.cpus > host.cpus)
      notes->push_back(fmt::format("--cpus {} is more than the {} CPUs found; offering {} anyway",
                                   options.cpus, host.cpus, options.cpus));
    host.cpus = static_cast<int>(options.cpus);
  }
  if (options.mem_mb > 0) host.mem_mb = options.mem_mb;
  return host;
}

}  // namespace suanli::agent
