#include "core/placement.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <tuple>

#include "core/job_util.h"

namespace suanli::core {
namespace {

struct NamedKind {
  const char* name;
  PlacementKind kind;
};
constexpr NamedKind kKinds[] = {
    {"auto", PlacementKind::kAuto},
    {"topology", PlacementKind::kTopology},
    {"fgd", PlacementKind::kFgd},
    {"random", PlacementKind::kRandom},
    {"dot-product", PlacementKind::kDotProduct},
    {"clustering", PlacementKind::kClustering},
    {"packing", PlacementKind::kPacking},
    {"best-fit", PlacementKind::kBestFit},
};

bool FitsHost(const Capacity& cap, int32_t n, const Resources& r) {
  return cap.schedulable(n) && cap.cpu_free(n) >= r.cpu_milli && cap.mem_free(n) >= r.mem_mb;
}

double Ratio(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

bool ParsePlacement(std::string_view name, PlacementKind* kind) {
  for (const auto& k : kKinds) {
    if (name == k.name) {
      *kind = k.kind;
      return true;
    }
  }
  return false;
}

std::vector<std::string> PlacementKindNames() {
  std::vector<std::string> names;
  for (const auto& k : kKinds) names.emplace_back(k.name);
  return names;
}

uint64_t Placer::NextRandom() {  // splitmix64: tiny, seeded, identical on every platform
  uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void Placer::BeginCycle(const ClusterState& state, const Capacity& cap) {
  const auto num_nodes = static_cast<size_t>(cap.num_nodes());
  if (kind_ == PlacementKind::kClustering || kind_ == PlacementKind::kPacking) {
    asks_on_node_.assign(num_nodes, {});
    tasks_on_node_.assign(num_nodes, 0);
    for (const Job& job : state.jobs) {
      if (job.phase != JobPhase::kRunning) continue;
      for (const auto& task : job.allocation) Record(task, +1);
    }
  }
  // FGD's mix and the jobs' shapes are gathered on first use in the cycle: a cycle that places
  // only whole devices under "auto", or only one type, never pays for them.
  state_ = &state;
  mix_learned_ = false;
  owners_built_ = false;
  if (frag_.size() != num_nodes) frag_.assign(num_nodes, NodeFrag{});
  for (const auto& [job, type] : awaiting_) keep_order_.insert(job);
  awaiting_.clear();
  decision_ = TypeDecision{};
  if (keep_order_.size() > 1024) {  // only pending jobs matter
    std::unordered_set<JobId> keep;
    for (const Job& job : state.jobs) {
      if (job.phase == JobPhase::kPending && keep_order_.count(job.id)) keep.insert(job.id);
    }
    keep_order_.swap(keep);
  }
}

// The scheduler asks for one accelerator type at a time, in its order (fastest first, then by
// index). Where several types are equally fast for the job, that order is arbitrary, and taking
// the first type with room would fill one type's nodes before the scorer ever sees the others:
// so the scorer looks at every equally fast type, and declines a type while another one holds
// the better option (the scheduler then asks for that one).
AccelType Placer::BestType(const Shape& shape, AccelType type, Capacity& cap) {
  int32_t accepted_types = 0;
  for (AccelType t = 0; t < cap.num_types(); ++t) {
    if (!cap.nodes_with(t).empty() &&
        (shape.accel_types.empty() || std::find(shape.accel_types.begin(), shape.accel_types.end(),
                                                t) != shape.accel_types.end())) {
      ++accepted_types;
    }
  }
  if (accepted_types <= 1 || state_ == nullptr) return type;
  if (!owners_built_) {
    owners_built_ = true;
    shape_owner_.clear();
    for (const Job& job : state_->jobs) {
      if (job.phase != JobPhase::kPending) continue;
      for (const Shape& s : job.shapes) shape_owner_[&s] = &job;
    }
  }
  const auto owner = shape_owner_.find(&shape);
  if (owner == shape_owner_.end()) return type;
  const Job& job = *owner->second;
  if (keep_order_.count(job.id)) return type;
  const double speed = TypeSpeed(job, type);
  std::vector<AccelType> peers;
  for (AccelType t = 0; t < cap.num_types(); ++t) {
    const bool accepted =
        shape.accel_types.empty() ||
        std::find(shape.accel_types.begin(), shape.accel_types.end(), t) != shape.accel_types.end();
    if (accepted && TypeSpeed(job, t) == speed && !cap.nodes_with(t).empty()) peers.push_back(t);
  }
  if (peers.size() <= 1) return type;
  // Reuse the decision while nothing the choice depends on has moved: the scheduler asks type
  // after type over the same capacity, and a random choice must not be re-drawn each time.
  std::vector<int64_t> fingerprint;
  fingerprint.reserve(2 * peers.size() + 1);
  for (AccelType t : peers) {
    fingerprint.push_back(cap.free_milli(t));
    fingerprint.push_back(cap.free_whole_devices(t));
  }
  if (decision_.shape != &shape || decision_.fingerprint != fingerprint) {
    Option best;
    double best_score = std::numeric_limits<double>::infinity();
    uint64_t seen = 0;
    for (AccelType t : peers) ScanType(shape.per_task, t, cap, &best, &best_score, &seen);
    decision_.shape = &shape;
    decision_.fingerprint = std::move(fingerprint);
    decision_.type = best.node >= 0 ? best.type : kNoAccel;
    decision_.option = std::move(best);
  }
  decision_fresh_ = true;
  if (decision_.type == kNoAccel) return type;
  if (decision_.type != type) {
    awaiting_[job.id] = decision_.type;
  } else {
    awaiting_.erase(job.id);
  }
  return decision_.type;
}

// FGD needs the workload's task mix: how often each kind of task arrives. The paper takes it from
// the trace being replayed; a live scheduler does not know its future, so the mix is learned from
// arrivals: every job counts once, when first seen (pending, or running on the first cycle),
// whether it then fits or not - counting only what runs would hide exactly the asks that
// fragmentation turns away.
void Placer::LearnMix(const ClusterState& state) {
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
void Placer::BuildClasses() {
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

void Placer::Record(const TaskAllocation& task, int sign) {
  if (task.node < 0 || static_cast<size_t>(task.node) >= tasks_on_node_.size()) return;
  tasks_on_node_[task.node] += sign;
  auto& asks = asks_on_node_[task.node];
  if (sign > 0) {
    asks.push_back(task.res.accel_milli);
  } else {
    auto it = std::find(asks.begin(), asks.end(), task.res.accel_milli);
    if (it != asks.end()) asks.erase(it);
  }
}

std::vector<int32_t> Placer::PickDevices(const Capacity& cap, int32_t n, AccelType type,
                                         int32_t count) {
  std::map<int32_t, std::vector<int32_t>> by_island;
  for (int32_t d = 0; d < cap.num_devices(n); ++d) {
    if (cap.device_type(n, d) == type && cap.device_total(n, d) > 0 &&
        cap.device_free(n, d) >= cap.device_total(n, d)) {
      by_island[cap.device_island(n, d)].push_back(d);
    }
  }
  // One island that holds the whole ask, the tightest such; otherwise the fullest islands first.
  const std::vector<int32_t>* best = nullptr;
  for (const auto& [island, devs] : by_island) {
    if (static_cast<int32_t>(devs.size()) >= count && (!best || devs.size() < best->size())) {
      best = &devs;
    }
  }
  std::vector<int32_t> picked;
  if (best) {
    picked.assign(best->begin(), best->begin() + count);
    return picked;
  }
  std::vector<const std::vector<int32_t>*> islands;
  for (const auto& [island, devs] : by_island) islands.push_back(&devs);
  std::stable_sort(islands.begin(), islands.end(),
                   [](auto* a, auto* b) { return a->size() > b->size(); });
  for (auto* devs : islands) {
    for (int32_t d : *devs) {
      if (static_cast<int32_t>(picked.size()) == count) break;
      picked.push_back(d);
    }
  }
  if (static_cast<int32_t>(picked.size()) < count) picked.clear();
  std::sort(picked.begin(), picked.end());
  return picked;
}

bool Placer::Place(const Shape& shape, AccelType type, Capacity& cap,
                   std::vector<TaskAllocation>& out) {
  out.clear();
  if (shape.tasks <= 0) return false;
  const bool whole = shape.per_task.accel_milli >= kMilliPerDevice;
  const bool topology = kind_ == PlacementKind::kTopology || kind_ == PlacementKind::kAuto;
  if (!mix_learned_ && state_ != nullptr &&
      (kind_ == PlacementKind::kFgd || (kind_ == PlacementKind::kAuto && !whole))) {
    mix_learned_ = true;  // before any early "no room": asks turned away count in the mix too
    LearnMix(*state_);
  }
  if (type != kNoAccel) {
    if (type < 0 || type >= cap.num_types()) return false;
    // Quick rejection from the per-type totals: no search when the cluster cannot hold it.
    const int64_t need_whole = whole ? int64_t{DevicesPerTask(shape.per_task)} * shape.tasks : 0;
    if (whole && cap.free_whole_devices(type) < need_whole) return false;
    if (!whole && cap.free_milli(type) < shape.per_task.accel_milli * shape.tasks) return false;
    if (DevicesPerTask(shape.per_task) > cap.max_devices_per_node(type)) return false;
  }
  decision_fresh_ = false;
  if (!(topology && whole) && type != kNoAccel && BestType(shape, type, cap) != type) {
    return false;  // another equally fast type holds the better option
  }
  const bool ok = (topology && whole) ? PlaceTopology(shape, type, cap, out)
                                      : PlaceScored(shape, type, cap, out);
  if (!ok) {
    for (const auto& task : out) cap.Apply(task, +1);
    out.clear();
    return false;
  }
  if (!tasks_on_node_.empty()) {
    for (const auto& task : out) Record(task, +1);
  }
  return true;
}

int32_t Placer::FindWholeNode(const Capacity& cap, AccelType type, int32_t per_task,
                              const Resources& r, int32_t remaining, int32_t switch_id) const {
  const int32_t max_free = cap.max_devices_per_node(type);
  const int32_t want = std::min<int64_t>(int64_t{remaining} * per_task, max_free);
  auto scan = [&](int32_t f) -> int32_t {
    for (int32_t n : cap.bucket(type, f)) {
      if ((switch_id < 0 || cap.switch_id(n) == switch_id) && FitsHost(cap, n, r)) return n;
    }
    return -1;
  };
  // The tightest node that holds all the remaining tasks, else the roomiest nodes first.
  for (int32_t f = want; f <= max_free; ++f) {
    if (int32_t n = scan(f); n >= 0) return n;
  }
  for (int32_t f = want - 1; f >= per_task; --f) {
    if (int32_t n = scan(f); n >= 0) return n;
  }
  return -1;
}

bool Placer::PlaceTopology(const Shape& shape, AccelType type, Capacity& cap,
                           std::vector<TaskAllocation>& out) {
  const Resources& r = shape.per_task;
  const int32_t per_task = DevicesPerTask(r);
  // Gang members after the first prefer the first one's switch (fewest switches); the first goes
  // to the tightest node that holds as many members as possible.
  int32_t sw = -1;
  for (int32_t i = 0; i < shape.tasks; ++i) {
    int32_t node = -1;
    for (const auto& placed : out) {  // pack gang members together first
      if (cap.whole_free(placed.node, type) >= per_task && FitsHost(cap, placed.node, r)) {
        node = placed.node;
        break;
      }
    }
    if (node < 0) node = FindWholeNode(cap, type, per_task, r, shape.tasks - i, sw);
    if (node < 0 && sw >= 0) node = FindWholeNode(cap, type, per_task, r, shape.tasks - i, -1);
    if (node < 0) return false;
    if (sw < 0 && shape.tasks > 1) sw = cap.switch_id(node);
    TaskAllocation task;
    task.node = node;
    task.type = type;
    task.res = r;
    task.devices = PickDevices(cap, node, type, per_task);
    if (static_cast<int32_t>(task.devices.size()) != per_task) return false;
    cap.Apply(task, -1);
    out.push_back(std::move(task));
  }
  return true;
}

// A node's fragment for one class (FGD, §4): when the class cannot run on the node at all (no
// accepted type, too little CPU or memory, too few devices with room for its share) every free
// accelerator milli is fragment; otherwise the free milli on devices too small for its share is.
const Placer::NodeFrag& Placer::Frag(const Capacity& cap, int32_t n) {
  if (!mix_learned_ && state_ != nullptr) {
    mix_learned_ = true;
    LearnMix(*state_);
  }
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
      const int64_t free = std::max<int64_t>(f.dev_free[d], 0);
      if (free >= c.per_device) {
        ++f.fit[k];
        if (c.devices == 1) f.slots[k] += free / c.per_device;
      } else {
        f.small[k] += free;
      }
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
int64_t Placer::ClassFrag(const TaskClass& c, bool type_ok, int32_t fit, int64_t small,
                          int64_t slots, int64_t sum_free, int64_t cpu_free, int64_t mem_free) {
  if (!type_ok) return 2 * sum_free;
  const bool one_fits = cpu_free >= c.cpu_milli && mem_free >= c.mem_mb && fit >= c.devices;
  int64_t tasks = slots;
  if (c.cpu_milli > 0) tasks = std::min(tasks, std::max<int64_t>(cpu_free, 0) / c.cpu_milli);
  if (c.mem_mb > 0) tasks = std::min(tasks, std::max<int64_t>(mem_free, 0) / c.mem_mb);
  return (one_fits ? small : sum_free) + sum_free - tasks * c.per_device * c.devices;
}

int64_t Placer::NodeFragment(const std::vector<int64_t>& device_free, int64_t cpu_free,
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
void Placer::CountDevice(const TaskClass& c, int64_t free, int sign, int32_t* fit, int64_t* small,
                         int64_t* slots) {
  if (free >= c.per_device) {
    *fit += sign;
    if (c.devices == 1) *slots += sign * (free / c.per_device);
  } else {
    *small += sign * free;
  }
}

double Placer::FragIncrease(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
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

double Placer::Score(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
                     const Resources& r, AccelType type) {
  if (kind_ == PlacementKind::kFgd || kind_ == PlacementKind::kAuto) {
    return FragIncrease(cap, n, devices, r);
  }
  int64_t accel_free = 0, accel_total = 0;
  bool node_idle = true;
  for (int32_t d = 0; d < cap.num_devices(n); ++d) {
    if (type != kNoAccel && cap.device_type(n, d) != type) continue;
    accel_free += cap.device_free(n, d);
    accel_total += cap.device_total(n, d);
    if (cap.device_free(n, d) < cap.device_total(n, d)) node_idle = false;
  }
  const int64_t take = devices.empty() ? 0 : r.accel_milli;
  const double cpu_left = Ratio(cap.cpu_free(n) - r.cpu_milli, cap.cpu_total(n));
  const double mem_left = Ratio(cap.mem_free(n) - r.mem_mb, cap.mem_total(n));
  const double accel_left = Ratio(accel_free - take, accel_total);
  double device_left = 0;  // the chosen device's leftover, to prefer the tightest device
  if (devices.size() == 1 && IsFractional(r)) {
    const int32_t d = devices[0];
    device_left = Ratio(cap.device_free(n, d) - r.accel_milli, cap.device_total(n, d));
  }
  switch (kind_) {
    case PlacementKind::kFgd:
    case PlacementKind::kAuto:
      return FragIncrease(cap, n, devices, r);  // handled above; listed for -Wswitch
    case PlacementKind::kDotProduct: {
      // Alignment of the ask with what the node has free; larger is better.
      const double dot =
          Ratio(r.cpu_milli, cap.cpu_total(n)) * Ratio(cap.cpu_free(n), cap.cpu_total(n)) +
          Ratio(r.mem_mb, cap.mem_total(n)) * Ratio(cap.mem_free(n), cap.mem_total(n)) +
          Ratio(take, accel_total) * Ratio(accel_free, accel_total);
      return -dot;
    }
    case PlacementKind::kClustering: {
      bool same = false;
      if (static_cast<size_t>(n) < asks_on_node_.size()) {
        const auto& asks = asks_on_node_[n];
        same = std::find(asks.begin(), asks.end(), r.accel_milli) != asks.end();
      }
      return (same ? 0.0 : 4.0) + accel_left + 0.01 * device_left;
    }
    case PlacementKind::kPacking: {
      // FGD's GPU packing: share a partly used device (the tightest) before opening a whole one,
      // whole devices of a partly used node (the fewest) before an idle node (the smallest).
      if (devices.empty()) return static_cast<double>(NextRandom() >> 11) * 0x1.0p-53;
      int64_t whole_used = 0, whole_free = 0, shared_left = 0;
      for (int32_t d : devices) {
        if (cap.device_free(n, d) >= cap.device_total(n, d)) {
          ++whole_used;
        } else {
          shared_left += cap.device_free(n, d);
        }
      }
      for (int32_t d = 0; d < cap.num_devices(n); ++d) {
        if (cap.device_type(n, d) != kNoAccel && cap.device_free(n, d) >= cap.device_total(n, d)) {
          ++whole_free;
        }
      }
      if (node_idle) return 4.0 + 0.01 * static_cast<double>(whole_free);
      if (whole_used > 0) return 2.0 + 0.01 * static_cast<double>(whole_used);
      return Ratio(shared_left, kMilliPerDevice * static_cast<int64_t>(devices.size()));
    }
    case PlacementKind::kBestFit:
    case PlacementKind::kTopology:
      return accel_left + cpu_left + mem_left + 0.01 * device_left;
    case PlacementKind::kRandom:
      return 0;
  }
  return 0;
}

void Placer::ScanType(const Resources& r, AccelType type, Capacity& cap, Option* best,
                      double* best_score, uint64_t* seen) {
  static const std::vector<int32_t> kNone;
  const int32_t per_task = DevicesPerTask(r);
  const bool fractional = IsFractional(r);
  std::vector<int32_t> devs;
  auto consider = [&](int32_t n, const std::vector<int32_t>& option) {
    if (kind_ == PlacementKind::kRandom) {  // reservoir sampling: uniform over feasible options
      ++*seen;
      if (NextRandom() % *seen == 0) {
        best->node = n;
        best->devices = option;
        best->type = type;
      }
      return;
    }
    const double s = Score(cap, n, option, r, type);
    // Packing's tiers tie often; like FGD's artifact (the Kubernetes scheduler picks among
    // equal scores at random) it draws among them, seeded, instead of taking the first node.
    if (kind_ == PlacementKind::kPacking && std::abs(s - *best_score) <= 1e-12) {
      ++*seen;
      if (NextRandom() % *seen == 0) {
        best->node = n;
        best->devices = option;
        best->type = type;
      }
      return;
    }
    if (s < *best_score - 1e-12) *seen = 1;
    if (s < *best_score - 1e-12) {
      *best_score = s;
      best->node = n;
      best->devices = option;
      best->type = type;
    }
  };
  const std::vector<int32_t>& candidates =
      type == kNoAccel ? cap.schedulable_nodes() : cap.nodes_with(type);
  for (int32_t n : candidates) {
    if (!FitsHost(cap, n, r)) continue;
    if (type == kNoAccel) {
      consider(n, kNone);
    } else if (fractional) {
      int64_t last_free = -1;  // devices with equal free space score alike; try each once
      for (int32_t d = 0; d < cap.num_devices(n); ++d) {
        if (cap.device_type(n, d) != type || cap.device_free(n, d) < r.accel_milli) continue;
        if (cap.device_free(n, d) == last_free && kind_ != PlacementKind::kRandom) continue;
        last_free = cap.device_free(n, d);
        devs.assign(1, d);
        consider(n, devs);
      }
    } else if (cap.whole_free(n, type) >= per_task) {
      devs = PickDevices(cap, n, type, per_task);
      if (static_cast<int32_t>(devs.size()) == per_task) consider(n, devs);
    }
  }
}

bool Placer::PlaceScored(const Shape& shape, AccelType type, Capacity& cap,
                         std::vector<TaskAllocation>& out) {
  const Resources& r = shape.per_task;
  for (int32_t i = 0; i < shape.tasks; ++i) {
    Option best;
    if (i == 0 && decision_fresh_ && decision_.shape == &shape && decision_.type == type &&
        decision_.option.node >= 0) {
      best = decision_.option;  // BestType just scanned this very capacity for this shape
    } else {
      double best_score = std::numeric_limits<double>::infinity();
      uint64_t seen = 0;
      ScanType(r, type, cap, &best, &best_score, &seen);
    }
    if (best.node < 0) return false;
    TaskAllocation task;
    task.node = best.node;
    task.type = type;
    task.res = r;
    task.devices = best.devices;
    cap.Apply(task, -1);
    out.push_back(std::move(task));
  }
  return true;
}

}  // namespace suanli::core
