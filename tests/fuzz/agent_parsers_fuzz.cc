// The node agent's parsers of text it does not control: --accelerators specs, `npu-smi info`
// output, kernel CPU lists, a task's exit file, /etc/hccn.conf, the controller URL and
// /proc/self/mountinfo. Input: "KIND\nTEXT" with KIND one of declared, npu-smi, cpulist,
// exit-file, hccn, url, mountinfo. CPU lists must survive Format -> Parse unchanged.
#include <algorithm>
#include <string>
#include <vector>

#include "agent/cgroup.h"
#include "agent/controller_client.h"
#include "agent/discovery.h"
#include "agent/process_launcher.h"
#include "agent/task_env.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace suanli::agent;
  auto [kind, view] = suanli::fuzz::Select(suanli::fuzz::AsText(data, size));
  std::string text(view);
  if (kind == "declared") {
    auto d = ParseDeclaredAccelerators(text, 3);
    if (d.ok()) {
      for (size_t i = 0; i < d->size(); ++i) {
        FUZZ_CHECK((*d)[i].index == 3 + static_cast<int>(i));
        FUZZ_CHECK(!(*d)[i].type.empty() && (*d)[i].memory_mb >= 0);
      }
    }
  } else if (kind == "npu-smi") {
    (void)ParseNpuSmiInfo(text);
  } else if (kind == "cpulist") {
    auto cpus = ParseCpuList(text);
    if (cpus.ok()) {
      for (int c : *cpus) FUZZ_CHECK(c >= 0);
      auto again = ParseCpuList(FormatCpuList(*cpus));
      FUZZ_CHECK(again.ok());
      std::vector<int> sorted = *cpus;  // Format sorts; the set of CPUs must not change
      std::sort(sorted.begin(), sorted.end());
      FUZZ_CHECK(*again == sorted);
    }
  } else if (kind == "exit-file") {
    auto e = ParseExitFile(text);
    if (e.ok()) FUZZ_CHECK(e->exit_code >= -1 && e->signal >= 0);
  } else if (kind == "hccn") {
    (void)ParseHccnConf(text);
  } else if (kind == "url") {
    std::string base, host;
    int port = 0;
    if (ParseUrl(text, &base, &host, &port).ok()) {
      FUZZ_CHECK(!host.empty() && port > 0 && port <= 65535);
    }
  } else if (kind == "mountinfo") {
    (void)ParseCgroupLayout(text,
                            [](const std::string&) { return std::string("cpu memory pids"); });
  }
  return 0;
}
