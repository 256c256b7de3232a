// Ascend discovery through `npu-smi info`: its device table is the one interface every CANN release
// ships. (The DCMI C library exposes the same facts; `npu-smi` avoids binding to its ABI.)
#include <fmt/format.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <regex>
#include <sstream>

#include "agent/discovery.h"

namespace suanli::agent {
namespace {

std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  std::string c;
  while (std::getline(ss, c, '|')) {
    size_t b = c.find_first_not_of(' '), e = c.find_last_not_of(' ');
    cells.push_back(b == std::string::npos ? "" : c.substr(b, e - b + 1));
  }
  // A line "| a | b |" splits into "", "a", "b": drop the empty edges.
  if (!cells.empty() && cells.front().empty()) cells.erase(cells.begin());
  return cells;
}

// The digits a regex matched, when they fit `T`: std::stoi would throw out_of_range on a row such
// as "| 99999999999 910B3 |" and end the agent.
template <typename T>
bool ReadDigits(const std::string& digits, T* out) {
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return ec == std::errc() && end == digits.data() + digits.size();
}

bool FindOnPath(const std::string& name, std::string* path) {
  if (name.find('/') != std::string::npos) {
    *path = name;
    return access(name.c_str(), X_OK) == 0;
  }
  const char* env = getenv("PATH");
  std::stringstream ss(env ? env : "/usr/local/bin:/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    std::string p = (dir.empty() ? "." : dir) + "/" + name;
    if (access(p.c_str(), X_OK) == 0) {
      *path = p;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<std::vector<Device>> ParseNpuSmiInfo(const std::string& text) {
  // Each device is two rows: "| NPU Name | Health | ..." then "| Chip | Bus-Id | AICore Memory HBM
  // |".
  static const std::regex kFirst(R"(^(\d+)\s+(\S+)$)");
  static const std::regex kUsage(R"((\d+)\s*/\s*(\d+)\s*$)");
  std::vector<Device> out;
  std::stringstream ss(text);
  std::string line;
  bool header_seen = false;
  int pending = -1;  // index into out awaiting its second row
  while (std::getline(ss, line)) {
    if (line.find("Process id") != std::string::npos ||
        line.find("Process ID") != std::string::npos)
      break;  // the process table that follows has its own rows
    if (line.find("NPU") != std::string::npos && line.find("Name") != std::string::npos) {
      header_seen = true;
      continue;
    }
    if (!header_seen || line.empty() || line[0] != '|') continue;
    auto cells = Cells(line);
    if (cells.size() < 3) continue;
    std::smatch m;
    if (pending < 0 && std::regex_match(cells[0], m, kFirst)) {
      Device d;
      if (!ReadDigits(m[1].str(), &d.index)) {
        return InvalidArgument(
            fmt::format("npu-smi output: NPU id '{}' is out of range", m[1].str()));
      }
      d.driver_index = d.index;
      d.type = AscendTypeFromName(m[2]);
      d.uuid = fmt::format("npu-{}", d.index);
      d.dev_path = fmt::format("/dev/davinci{}", d.index);
      // 910B boards join all 8 NPUs with HCCS; older 910 boards join them in two groups of four.
      d.island = d.type == "ascend-910" ? d.index / 4 : 0;
      out.push_back(std::move(d));
      pending = static_cast<int>(out.size()) - 1;
    } else if (pending >= 0) {
      Device& d = out[pending];
      if (cells.size() >= 2 && !cells[1].empty()) d.uuid = "npu-" + cells[1];  // the PCI bus id
      std::smatch u;
      if (std::regex_search(cells.back(), u, kUsage) && !ReadDigits(u[2].str(), &d.memory_mb)) {
        return InvalidArgument(
            fmt::format("npu-smi output: HBM size '{}' is out of range", u[2].str()));
      }
      pending = -1;
    }
  }
  if (!header_seen && !text.empty())
    return InvalidArgument("npu-smi output has no device table (no 'NPU ... Name' header)");
  return out;
}

Result<std::vector<Device>> DiscoverAscend(const std::string& npu_smi,
                                           std::vector<std::string>* notes) {
  std::string path;
  if (npu_smi.empty() || !FindOnPath(npu_smi, &path)) {
    if (!npu_smi.empty()) notes->push_back(fmt::format("no Ascend driver: {} not found", npu_smi));
    return std::vector<Device>{};
  }
  std::string cmd = "'" + path + "' info 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return Internal(fmt::format("cannot run {}", path));
  std::string text;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) text.append(buf, n);
  int rc = pclose(p);
  if (rc != 0)
    return Unavailable(
        fmt::format("{} info failed (status {})", path, WIFEXITED(rc) ? WEXITSTATUS(rc) : rc));
  return ParseNpuSmiInfo(text);
}

}  // namespace suanli::agent
