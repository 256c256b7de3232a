// The simulator's small spec parsers, as `suanli sim` reads its flags and files. Input:
// "KIND\nTEXT" with KIND one of cluster (an inline --cluster spec), nodes-file (an openb nodes
// CSV), vc-file (a Helios VC CSV), outage (--node-outage specs, one a line, against a fixed
// 16-node cluster) and weights (--tenant-weights). A cluster it accepts must be usable by the
// engine: devices with a known type and a positive capacity; outages must name real nodes.
#include <cmath>
#include <filesystem>
#include <string>

#include "sim/cluster_spec.h"
#include "sim/outage.h"
#include "sim/workload.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace suanli;

void CheckCluster(const core::ClusterState& c) {
  for (const auto& n : c.nodes) {
    FUZZ_CHECK(n.cpu_milli >= 0 && n.mem_mb >= 0);
    for (const auto& d : n.devices) {
      FUZZ_CHECK(d.type >= 0 && static_cast<size_t>(d.type) < c.accel_types.size());
      FUZZ_CHECK(d.total_milli > 0);
    }
  }
  FUZZ_CHECK(sim::TotalAccelMilli(c) >= 0);
  (void)sim::DescribeCluster(c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [kind, text] = fuzz::Select(fuzz::AsText(data, size));
  if (kind == "cluster") {
    auto c = sim::ParseInlineCluster(text);
    if (c.ok()) CheckCluster(*c);
  } else if (kind == "nodes-file") {
    auto c = sim::ParseClusterFile(fuzz::SplitLines(text), "nodes.csv");
    if (c.ok()) CheckCluster(*c);
  } else if (kind == "vc-file") {
    auto vcs = sim::ParseVcPartitions(fuzz::SplitLines(text), "vc.csv");
    if (vcs.ok()) {
      for (const auto& v : *vcs) FUZZ_CHECK(v.nodes >= 0 && v.gpus_per_node >= 0);
    }
  } else if (kind == "outage") {
    static const core::ClusterState cluster = sim::UniformCluster(16, 8, "");
    const core::Time origin = 1000;
    auto events = sim::ParseNodeOutages(fuzz::SplitLines(text), cluster, origin);
    if (events.ok()) {
      for (const auto& e : *events) {
        FUZZ_CHECK(e.node >= 0 && e.node < 16);
        FUZZ_CHECK(e.time >= origin);
      }
    }
  } else if (kind == "weights") {
    // A spec naming an existing file is read as one: keep the fuzzer off the file system.
    std::string spec(text);
    std::error_code ec;
    if (spec.empty() || std::filesystem::exists(spec, ec)) return 0;
    auto w = sim::ParseTenantWeights(spec);
    if (w.ok()) {
      for (const auto& [tenant, weight] : *w)
        FUZZ_CHECK(!tenant.empty() && std::isfinite(weight) && weight > 0);
    }
  }
  return 0;
}
