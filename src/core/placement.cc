#include "core/placement.h"

#include <algorithm>
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

constexpr size_t kMaxTaskClasses = 32;

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
  state_ = &state;
  classes_ready_ = false;  // built on first use: whole-device clusters under "auto" never need it
}

void Placer::BuildClasses(const Capacity& cap) {
  classes_ready_ = true;
  const ClusterState& state = *state_;
  const auto num_nodes = static_cast<size_t>(cap.num_nodes());
  {
    // The task mix FGD measures fragmentation against: every task the cluster knows of, by ask.
    // Classes remember which accelerator types they accept (bit per type; 0 = any), so a node
    // of a type a class cannot use counts all its free capacity as fragment for that class.
    std::map<std::tuple<int64_t, int64_t, int64_t, uint64_t>, double> counts;
    for (const Job& job : state.jobs) {
      if (job.shapes.empty()) continue;
      const Shape& s = job.shapes[std::clamp<int32_t>(job.shape_index, 0, job.shapes.size() - 1)];
      const double n = std::max(s.tasks, 1);
      uint64_t mask = 0;
      for (AccelType t : s.accel_types) {
        if (t >= 0 && t < 64) mask |= uint64_t{1} << t;
      }
      counts[{s.per_task.accel_milli, s.per_task.cpu_milli, s.per_task.mem_mb, mask}] += n;
    }
    std::vector<TaskClass> all;
    for (const auto& [key, count] : counts) {
      all.push_back(
          {std::get<0>(key), std::get<1>(key), std::get<2>(key), count, std::get<3>(key)});
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const TaskClass& a, const TaskClass& b) { return a.weight > b.weight; });
    if (all.size() > kMaxTaskClasses) all.resize(kMaxTaskClasses);
    double kept = 0;
    for (const auto& c : all) kept += c.weight;
    for (auto& c : all) c.weight = kept > 0 ? c.weight / kept : 0;
    classes_ = std::move(all);
    frag_.assign(num_nodes, NodeFrag{});
  }
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
  if (type != kNoAccel) {
    if (type < 0 || type >= cap.num_types()) return false;
    // Quick rejection from the per-type totals: no search when the cluster cannot hold it.
    const int64_t need_whole = whole ? int64_t{DevicesPerTask(shape.per_task)} * shape.tasks : 0;
    if (whole && cap.free_whole_devices(type) < need_whole) return false;
    if (!whole && cap.free_milli(type) < shape.per_task.accel_milli * shape.tasks) return false;
    if (DevicesPerTask(shape.per_task) > cap.max_devices_per_node(type)) return false;
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

const Placer::NodeFrag& Placer::Frag(const Capacity& cap, int32_t n) {
  if (!classes_ready_) BuildClasses(cap);
  NodeFrag& f = frag_[n];
  if (f.version == cap.version(n)) return f;
  f.version = cap.version(n);
  f.sum_free = f.whole = f.partial_sum = 0;
  for (int32_t d = 0; d < cap.num_devices(n); ++d) {
    if (cap.device_type(n, d) == kNoAccel) continue;
    const int64_t free = std::max<int64_t>(cap.device_free(n, d), 0);
    f.sum_free += free;
    if (cap.device_total(n, d) > 0 && free >= cap.device_total(n, d)) {
      ++f.whole;
    } else {
      f.partial_sum += free;
    }
  }
  f.raw.assign(classes_.size(), 0);
  f.expected = 0;
  for (size_t k = 0; k < classes_.size(); ++k) {
    const TaskClass& c = classes_[k];
    if (c.accel_milli > 0 && c.accel_milli < kMilliPerDevice) {
      for (int32_t d = 0; d < cap.num_devices(n); ++d) {
        if (cap.device_type(n, d) == kNoAccel) continue;
        const int64_t free = std::max<int64_t>(cap.device_free(n, d), 0);
        if (free < c.accel_milli) f.raw[k] += free;
      }
    }
  }
  // Expected fragmentation with the node as it is (FragDelta compares against this).
  f.expected = FragDelta(cap, n, {}, Resources{});
  return f;
}

// Expected fragmentation of node n after taking `r` on `devices` (empty: as it is now), minus
// nothing: callers subtract Frag().expected. A class that cannot run on the node at all sees all
// its free accelerator capacity as fragment; a fractional class sees devices with less free than it
// asks; a whole-device class sees partly used devices, or everything when too few are whole.
double Placer::FragDelta(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
                         const Resources& r) {
  const NodeFrag& before = frag_[n];
  int64_t sum_free = before.sum_free, whole = before.whole, partial = before.partial_sum;
  const int64_t share = devices.empty() ? 0 : r.accel_milli / static_cast<int64_t>(devices.size());
  struct Change {
    int64_t old_free, new_free;
  };
  Change changes[16];
  size_t num_changes = 0;
  for (int32_t d : devices) {
    const int64_t old_free = std::max<int64_t>(cap.device_free(n, d), 0);
    const int64_t new_free = old_free - share;
    const bool was_whole = old_free >= cap.device_total(n, d);
    sum_free -= share;
    if (was_whole) {
      --whole;
      partial += new_free;
    } else {
      partial -= share;
    }
    if (num_changes < 16) changes[num_changes++] = {old_free, new_free};
  }
  const int64_t cpu = cap.cpu_free(n) - (devices.empty() ? 0 : r.cpu_milli);
  const int64_t mem = cap.mem_free(n) - (devices.empty() ? 0 : r.mem_mb);
  uint64_t node_types = 0;
  for (int32_t d = 0; d < cap.num_devices(n); ++d) {
    const AccelType t = cap.device_type(n, d);
    if (t >= 0 && t < 64) node_types |= uint64_t{1} << t;
  }
  double expected = 0;
  for (size_t k = 0; k < classes_.size(); ++k) {
    const TaskClass& c = classes_[k];
    double frag;
    const bool type_ok = c.accel_milli <= 0 || c.types == 0 || (c.types & node_types) != 0;
    if (!type_ok || cpu < c.cpu_milli || mem < c.mem_mb) {
      frag = static_cast<double>(sum_free);
    } else if (c.accel_milli <= 0) {
      frag = 0;
    } else if (c.accel_milli < kMilliPerDevice) {
      int64_t raw = before.raw[k];
      for (size_t i = 0; i < num_changes; ++i) {
        if (changes[i].old_free < c.accel_milli) raw -= changes[i].old_free;
        if (changes[i].new_free < c.accel_milli) raw += changes[i].new_free;
      }
      frag = static_cast<double>(raw);
    } else {
      const int64_t need = (c.accel_milli + kMilliPerDevice - 1) / kMilliPerDevice;
      frag = static_cast<double>(whole >= need ? partial : sum_free);
    }
    expected += c.weight * frag;
  }
  return expected;
}

double Placer::Score(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
                     const Resources& r, AccelType type) {
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
  bool device_idle = false;
  if (devices.size() == 1 && IsFractional(r)) {
    const int32_t d = devices[0];
    device_left = Ratio(cap.device_free(n, d) - r.accel_milli, cap.device_total(n, d));
    device_idle = cap.device_free(n, d) >= cap.device_total(n, d);
  }
  switch (kind_) {
    case PlacementKind::kFgd:
    case PlacementKind::kAuto: {
      const double before = Frag(cap, n).expected;  // refreshes the cache FragDelta reads
      return FragDelta(cap, n, devices, r) - before;
    }
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
    case PlacementKind::kPacking:
      return (device_idle ? 2.0 : 0.0) + (node_idle ? 4.0 : 0.0) + accel_left + 0.01 * device_left;
    case PlacementKind::kBestFit:
    case PlacementKind::kTopology:
      return accel_left + cpu_left + mem_left + 0.01 * device_left;
    case PlacementKind::kRandom:
      return 0;
  }
  return 0;
}

bool Placer::PlaceScored(const Shape& shape, AccelType type, Capacity& cap,
                         std::vector<TaskAllocation>& out) {
  const Resources& r = shape.per_task;
  const int32_t per_task = DevicesPerTask(r);
  const bool fractional = IsFractional(r);
  static const std::vector<int32_t> kNone;
  std::vector<int32_t> devs;
  for (int32_t i = 0; i < shape.tasks; ++i) {
    const std::vector<int32_t>& candidates =
        type == kNoAccel ? cap.schedulable_nodes() : cap.nodes_with(type);
    Option best;
    double best_score = std::numeric_limits<double>::infinity();
    uint64_t seen = 0;  // feasible options so far, for reservoir sampling
    auto consider = [&](int32_t n, const std::vector<int32_t>& option) {
      if (kind_ == PlacementKind::kRandom) {
        ++seen;
        if (NextRandom() % seen == 0) {
          best.node = n;
          best.devices = option;
        }
        return;
      }
      const double s = Score(cap, n, option, r, type);
      if (s < best_score - 1e-12) {
        best_score = s;
        best.node = n;
        best.devices = option;
      }
    };
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
