#include "sim/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace suanli::sim {
namespace {

Distribution Describe(std::vector<double> v) {
  Distribution d;
  if (v.empty()) return d;
  double sum = 0;
  for (double x : v) sum += x;
  d.mean = sum / static_cast<double>(v.size());
  std::sort(v.begin(), v.end());
  d.p50 = Percentile(v, 50);
  d.p95 = Percentile(v, 95);
  d.p99 = Percentile(v, 99);
  d.max = v.back();
  return d;
}

// Adds the accelerator-ms of a step function over [a, b) to equal buckets over [t0, t1).
void AddSteps(const RunOutcome& o, core::Time t0, core::Time t1, std::vector<double>& buckets) {
  if (t1 <= t0 || buckets.empty()) return;
  const double width = static_cast<double>(t1 - t0) / static_cast<double>(buckets.size());
  for (size_t i = 0; i < o.allocation_steps.size(); ++i) {
    const double milli = static_cast<double>(o.allocation_steps[i].second);
    if (milli == 0) continue;
    double a = static_cast<double>(o.allocation_steps[i].first - t0);
    double b = static_cast<double>(
        (i + 1 < o.allocation_steps.size() ? o.allocation_steps[i + 1].first : o.end) - t0);
    while (a < b) {
      size_t k = std::min(static_cast<size_t>(a / width), buckets.size() - 1);
      double edge = k + 1 == buckets.size() ? b : std::min(b, (k + 1) * width);
      if (edge <= a) edge = b;  // guard against rounding at the last edge
      buckets[k] += milli / 1000.0 * (edge - a);
      a = edge;
    }
  }
}

}  // namespace

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

double JainIndex(const std::vector<double>& x) {
  double sum = 0, sq = 0;
  for (double v : x) sum += v, sq += v * v;
  if (x.empty() || sq == 0) return 1.0;
  return sum * sum / (static_cast<double>(x.size()) * sq);
}

RunSummary Summarize(const std::string& label, const std::vector<RunPart>& parts,
                     int timeline_buckets) {
  RunSummary s;
  s.label = label;
  std::vector<double> jct, queue, slow;
  core::Time t0 = std::numeric_limits<core::Time>::max(),
             t1 = std::numeric_limits<core::Time>::min();
  int64_t capacity_milli = 0;
  double allocated_ms = 0;
  const size_t tenant_count = parts.empty() ? 0 : parts[0].workload->tenants.size();
  s.tenants.resize(tenant_count);
  std::vector<double> tenant_jct(tenant_count), tenant_queue(tenant_count);
  for (size_t i = 0; i < tenant_count; ++i) {
    s.tenants[i].name = parts[0].workload->tenants[i].name;
    s.tenants[i].weight = parts[0].workload->tenants[i].weight;
  }
  for (const RunPart& part : parts) {
    const Workload& w = *part.workload;
    const RunOutcome& o = *part.outcome;
    capacity_milli += o.capacity_milli;
    s.cycles += o.cycles;
    s.preemptions += o.preemptions;
    s.node_losses += o.node_losses;
    s.outage_gpu_h += o.outage_accel_ms / 3.6e6;
    s.lost_gpu_h += o.lost_accel_ms / 3.6e6;
    if (!w.jobs.empty()) {
      t0 = std::min(t0, o.start);
      t1 = std::max(t1, o.end);
    }
    for (size_t i = 0; i < o.allocation_steps.size(); ++i) {
      core::Time until =
          i + 1 < o.allocation_steps.size() ? o.allocation_steps[i + 1].first : o.end;
      allocated_ms += o.allocation_steps[i].second / 1000.0 *
                      static_cast<double>(until - o.allocation_steps[i].first);
    }
    for (size_t i = 0; i < w.jobs.size(); ++i) {
      const SimJob& sj = w.jobs[i];
      const JobOutcome& jo = o.jobs[i];
      TenantSummary& ts = s.tenants[sj.job.tenant];
      ++s.jobs;
      ++ts.jobs;
      const double q = jo.pending_ms / 1000.0;
      ts.max_queue_s = std::max(ts.max_queue_s, q);
      if (jo.end == core::kUnknownTime) {
        ++s.unfinished;
        if (s.unfinished_jobs.size() < 20) s.unfinished_jobs.push_back(sj.name);
        queue.push_back(q);
        continue;
      }
      ++s.finished;
      ++ts.finished;
      if (jo.shape_index > 0) ++s.alternative_shape_runs;
      const double j = (jo.end - jo.submit) / 1000.0;
      jct.push_back(j);
      queue.push_back(q);
      slow.push_back(std::max(1.0, j / std::max(sj.work_ms / 1000.0, kSlowdownFloorS)));
      tenant_jct[sj.job.tenant] += j;
      tenant_queue[sj.job.tenant] += q;
    }
    for (size_t i = 0; i < tenant_count && i < o.tenants.size(); ++i) {
      s.tenants[i].received_gpu_h += o.tenants[i].received_accel_ms / 3.6e6;
      s.tenants[i].fair_gpu_h += o.tenants[i].fair_accel_ms / 3.6e6;
      s.tenants[i].demand_gpu_h += o.tenants[i].demand_accel_ms / 3.6e6;
    }
  }
  s.jct_s = Describe(jct);
  s.queue_s = Describe(queue);
  s.slowdown = Describe(slow);
  s.capacity_gpus = capacity_milli / 1000;
  if (t1 > t0) {
    s.makespan_s = (t1 - t0) / 1000.0;
    if (capacity_milli > 0) {
      s.utilization = allocated_ms / (capacity_milli / 1000.0 * static_cast<double>(t1 - t0));
    }
    std::vector<double> buckets(static_cast<size_t>(std::max(timeline_buckets, 1)), 0.0);
    for (const RunPart& part : parts) AddSteps(*part.outcome, t0, t1, buckets);
    const double width = static_cast<double>(t1 - t0) / static_cast<double>(buckets.size());
    for (double& b : buckets) b = capacity_milli > 0 ? b / (capacity_milli / 1000.0 * width) : 0;
    s.utilization_timeline = buckets;
  }
  // Tenants: shares, entitlement among tenants that had work, fairness over received / fair.
  double weight_sum = 0, received_sum = 0;
  for (const auto& t : s.tenants) {
    if (t.jobs > 0) weight_sum += t.weight;
    received_sum += t.received_gpu_h;
  }
  std::vector<double> ratios;
  for (size_t i = 0; i < tenant_count; ++i) {
    TenantSummary& t = s.tenants[i];
    if (t.finished > 0) {
      t.avg_jct_s = tenant_jct[i] / t.finished;
      t.avg_queue_s = tenant_queue[i] / t.finished;
    }
    if (t.jobs > 0 && weight_sum > 0) t.entitlement = t.weight / weight_sum;
    if (received_sum > 0) t.share = t.received_gpu_h / received_sum;
    if (t.fair_gpu_h > 0) {
      t.fair_ratio = t.received_gpu_h / t.fair_gpu_h;
      // A tenant that got more than its fair share was not treated unfairly; capping keeps a tiny
      // tenant's windfall from swamping the index (someone else is then below 1 anyway).
      ratios.push_back(std::min(1.0, t.fair_ratio));
    }
  }
  s.jain_fairness = JainIndex(ratios);
  return s;
}

}  // namespace suanli::sim
