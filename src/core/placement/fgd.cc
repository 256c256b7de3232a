// FGD placement: see fgd.h.
#include "core/placement/fgd.h"

#include <algorithm>

#include "core/job_util.h"

namespace suanli::core {

void FgdScorer::BeginCycle(const ClusterState& state, const Capacity& cap) {
  state_ = &state;
  mix_learned_ = false;
  const auto num_nodes = static_cast<size_t>(cap.num_nodes());
  if (frag_.size() != num_nodes) frag_.assign(num_nodes, NodeFrag{});
}

void FgdScorer::LearnMixOnce() {
  if (mix_learned_ || state_ == nullptr) return;
  mix_learned_ = true;
  LearnMix(*state_);
}

double FgdScorer::Score(const Capacity& cap, const PlacementOption& option, PlacementRng&) {
  return FragIncrease(cap, option.node, *option.devices, *option.r);
}

// FGD needs the workload's task mix: how often each kind of task arrives. The paper takes it from
// the trace being replayed; a live scheduler does not know its future, so the mix is learned from
// arrivals: every job counts once, when first seen (pending, or running on the first cycle),
// whether it then fits or not - counting only what runs would hide exactly the asks that
// fragmentation turns away.
void FgdScorer::LearnMix(const ClusterState& state) {
  // Jobs to look at: pending ones, and those that started since the last pass (placed in cycles
  // that did not need the mix); all of them the first time.
  Time newest = latest_start_;
  size_t watched = 0;
  for (const Job& job : state.jobs) {
    const bool running = job.phase == JobPhase::kRunning;
    if (running) newest = std::max(newest, job.start_time);
    if (running && !first_cycle_ && job.start_time < latest_start_) continue;
    ++watched;
    if (job.shapes.empty() || !seen_.insert(job.id).second) continue;
    const int32_t index = running ? std::clamp<int32_t>(job.shape_index, 0,
                                                        static_cast<int32_t>(job.shapes.size()) - 1)
                                  : 0;
    const Shape& s = job.shapes[index];
    uint64_t mask = 0;
    for (AccelType t : s.accel_types) {
      if (t >= 0 && t < 64) mask |= uint64_t{1} << t;
    }
    const int32_t devices = s.per_task.accel_milli > 0 ? DevicesPerTask(s.per_task) : 0;
    const int64_t per_device = devices > 0 ? s.per_task.accel_milli / devices : 0;
    const double n = std::max(s.tasks, 1);
    mix_[{per_device, devices, s.per_task.cpu_milli, s.per_task.mem_mb, devices > 0 ? mask : 0}] +=
        n;
    mix_total_ += n;
  }
  first_cycle_ = false;
  latest_start_ = newest;
  // Forget ids that will not be looked at again once they dominate the set.
  if (seen_.size() > 2 * watched + 1024) {
    std::unordered_set<JobId> keep;
    for (const Job& job : state.jobs) {
      const bool watch = job.phase == JobPhase::kPending || job.start_time >= latest_start_;
      if (watch && seen_.count(job.id)) keep.insert(job.id);
    }
    seen_.swap(keep);
  }
  // The mix moves slowly once it has history: rebuild the classes (and so every node's cached
  // fragmentation) when it has grown by 1 %, not on every arrival.
  if (mix_total_ > 0 && (classes_epoch_ == 0 || mix_total_ >= 1.01 * mix_total_built_)) {
    BuildClasses();
  }
}

// The most popular asks that together make 95 % of the tasks seen (as FGD's artifact does), with
// their shares. Asks without an accelerator count towards the 95 % but are then left out: for
// them every free accelerator is fragment wherever the task goes, so they add the same to every
// choice and never change one.
void FgdScorer::BuildClasses() {
  std::vector<std::pair<ClassKey, double>> all(mix_.begin(), mix_.end());
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  constexpr double kPopularity = 0.95;
  std::vector<TaskClass> classes;
  double cumulative = 0;
  for (const auto& [key, count] : all) {
    if (cumulative >= kPopularity * mix_total_ && !classes.empty()) break;
    cumulative += count;
    if (std::get<1>(key) == 0) continue;
    TaskClass c;
    c.per_device = std::get<0>(key);
    c.devices = std::get<1>(key);
    c.cpu_milli = std::get<2>(key);
    c.mem_mb = std::get<3>(key);
    c.types = std::get<4>(key);
    c.weight = count / mix_total_;
    classes.push_back(c);
  }
  classes_ = std::move(classes);
  mix_total_built_ = mix_total_;
  ++classes_epoch_;
}

// A node's fragment for one class (FGD, §4): when the class cannot run on the node at all (no
// accepted type, too little CPU or memory, too few devices with room for its share) every free
// accelerator milli is fragment; otherwise the free milli on devices too small for its share is.
const FgdScorer::NodeFrag& FgdScorer::Frag(const Capacity& cap, int32_t n) {
  LearnMixOnce();
  NodeFrag& f = frag_[n];
  const int32_t nd = cap.num_devices(n);
  bool same = f.epoch == classes_epoch_ && f.cpu_free == cap.cpu_free(n) &&
              f.mem_free == cap.mem_free(n) && static_cast<int32_t>(f.dev_free.size()) == nd;
  for (int32_t d = 0; same && d < nd; ++d) same = f.dev_free[d] == cap.device_free(n, d);
  if (same) return f;
  f.epoch = classes_epoch_;
  f.cpu_free = cap.cpu_free(n);
  f.mem_free = cap.mem_free(n);
  f.dev_free.resize(nd);
  f.sum_free = 0;
  uint64_t node_types = 0;
  for (int32_t d = 0; d < nd; ++d) {
    f.dev_free[d] = cap.device_free(n, d);
    const AccelType t = cap.device_type(n, d);
    if (t == kNoAccel) continue;
    f.sum_free += std::max<int64_t>(f.dev_free[d], 0);
    if (t >= 0 && t < 64) node_types |= uint64_t{1} << t;
  }
  const size_t k_count = classes_.size();
  f.fit.assign(k_count, 0);
  f.small.assign(k_count, 0);
  f.type_ok.assign(k_count, 0);
  f.slots.assign(k_count, 0);
  f.expected = 0;
  for (size_t k = 0; k < k_count; ++k) {
    const TaskClass& c = classes_[k];
    f.type_ok[k] = c.types == 0 ? node_types != 0 : (c.types & node_types) != 0;
    for (int32_t d = 0; d < nd; ++d) {
      if (cap.device_type(n, d) == kNoAccel) continue;
      CountDevice(c, std::max<int64_t>(f.dev_free[d], 0), +1, &f.fit[k], &f.small[k], &f.slots[k]);
    }
    if (c.devices > 1) f.slots[k] = f.fit[k] / c.devices;
    f.expected +=
        c.weight * static_cast<double>(ClassFrag(c, f.type_ok[k], f.fit[k], f.small[k], f.slots[k],
                                                 f.sum_free, f.cpu_free, f.mem_free));
  }
  return f;
}

// A node's fragment for one class, in accelerator milli: the sum of two views of the free milli
// the class cannot use.
//  - FGD's (Weng et al., ATC'23): if one task of the class cannot start on the node (no accepted
//    type, too little CPU or memory, too few devices with room for its share) all of it; else the
//    free milli on devices too small for its share.
//  - A look-ahead over the node's other resources: what is left after as many tasks of the class
//    as the node's devices, CPU and memory allow. FGD's one-step view misses stranding by CPU or
//    memory: a node with 8 free devices but CPU for 2 more tasks has 6 devices it cannot use,
//    and a CPU-only task that takes that CPU looks free of cost to it.
int64_t FgdScorer::ClassFrag(const TaskClass& c, bool type_ok, int32_t fit, int64_t small,
                             int64_t slots, int64_t sum_free, int64_t cpu_free, int64_t mem_free) {
  if (!type_ok) return 2 * sum_free;
  const bool one_fits = cpu_free >= c.cpu_milli && mem_free >= c.mem_mb && fit >= c.devices;
  int64_t tasks = slots;
  if (c.cpu_milli > 0) tasks = std::min(tasks, std::max<int64_t>(cpu_free, 0) / c.cpu_milli);
  if (c.mem_mb > 0) tasks = std::min(tasks, std::max<int64_t>(mem_free, 0) / c.mem_mb);
  return (one_fits ? small : sum_free) + sum_free - tasks * c.per_device * c.devices;
}

int64_t FgdScorer::NodeFragment(const std::vector<int64_t>& device_free, int64_t cpu_free,
                                int64_t mem_free, const FragTask& task, bool type_ok) {
  TaskClass c;
  c.per_device = std::max<int64_t>(task.per_device, 1);
  c.devices = std::max(task.devices, 1);
  c.cpu_milli = task.cpu_milli;
  c.mem_mb = task.mem_mb;
  int32_t fit = 0;
  int64_t small = 0, slots = 0, sum_free = 0;
  for (int64_t f : device_free) {
    const int64_t free = std::max<int64_t>(f, 0);
    sum_free += free;
    CountDevice(c, free, +1, &fit, &small, &slots);
  }
  if (c.devices > 1) slots = fit / c.devices;
  return ClassFrag(c, type_ok, fit, small, slots, sum_free, cpu_free, mem_free);
}

// What one device with `free` milli adds (sign +1) to, or takes (-1) from, a class's counts:
// devices that can take one of its per-device asks, the free milli on those that cannot, and
// (for one-device tasks) how many of its tasks fit.
void FgdScorer::CountDevice(const TaskClass& c, int64_t free, int sign, int32_t* fit,
                            int64_t* small, int64_t* slots) {
  if (free >= c.per_device) {
    *fit += sign;
    if (c.devices == 1) *slots += sign * (free / c.per_device);
  } else {
    *small += sign * free;
  }
}

double FgdScorer::FragIncrease(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
                               const Resources& r) {
  const NodeFrag& f = Frag(cap, n);
  const int64_t share = devices.empty() ? 0 : r.accel_milli / static_cast<int64_t>(devices.size());
  const int64_t sum_free = f.sum_free - share * static_cast<int64_t>(devices.size());
  const int64_t cpu = f.cpu_free - r.cpu_milli;
  const int64_t mem = f.mem_free - r.mem_mb;
  double expected = 0;
  for (size_t k = 0; k < classes_.size(); ++k) {
    const TaskClass& c = classes_[k];
    int32_t fit = f.fit[k];
    int64_t small = f.small[k];
    int64_t slots = f.slots[k];
    for (int32_t d : devices) {
      const int64_t old_free = std::max<int64_t>(f.dev_free[d], 0);
      CountDevice(c, old_free, -1, &fit, &small, &slots);
      CountDevice(c, old_free - share, +1, &fit, &small, &slots);
    }
    if (c.devices > 1) slots = fit / c.devices;
    expected += c.weight * static_cast<double>(
                               ClassFrag(c, f.type_ok[k], fit, small, slots, sum_free, cpu, mem));
  }
  return expected - f.expected;
}

std::unique_ptr<PlacementScorer> MakeFgdScorer() { return std::make_unique<FgdScorer>(); }

}  // namespace suanli::core
