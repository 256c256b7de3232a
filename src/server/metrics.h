#pragma once
// Prometheus histograms for latencies observed on many threads (API) or the owner thread
// (scheduling cycle). Gauges (jobs per tenant, accelerators per type) are rendered by the
// controller from its state.
#include <array>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace suanli::server {

class Histogram {
 public:
  Histogram(std::string name, std::string help, std::vector<double> bounds_s);
  void Observe(double seconds);
  void Render(std::string* out) const;

 private:
  std::string name_, help_;
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // per bucket (not cumulative), plus +Inf last
  double sum_ = 0;
  uint64_t count_ = 0;
};

struct Metrics {
  Histogram api_latency{"suanli_api_request_duration_seconds",
                        "HTTP API request latency, including the durable commit",
                        {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}};
  Histogram cycle_latency{"suanli_scheduling_cycle_duration_seconds",
                          "One scheduling pass: building the cluster view, the policy, applying",
                          {0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}};
  std::atomic<uint64_t> commits{0};
  std::atomic<uint64_t> committed_changes{0};
  std::atomic<uint64_t> commit_failures{0};
};

// Escapes a Prometheus label value.
std::string PromLabel(const std::string& v);

}  // namespace suanli::server
