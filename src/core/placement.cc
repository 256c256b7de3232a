// The Placer: what every placement rule shares (see placement.h); the rules are in placement/.
#include "core/placement.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/job_util.h"
#include "core/placement/gang.h"

namespace suanli::core {
namespace {

bool Accepts(const Shape& shape, AccelType t) {
  return shape.accel_types.empty() || std::find(shape.accel_types.begin(), shape.accel_types.end(),
                                                t) != shape.accel_types.end();
}

}  // namespace

Placer::Best::Best() : score(std::numeric_limits<double>::infinity()) {}

void Placer::BeginCycle(const ClusterState& state, const Capacity& cap) {
  scorer_->BeginCycle(state, cap);
  state_ = &state;
  owners_built_ = false;
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

const Job* Placer::OwnerOf(const Shape& shape) {
  if (!owners_built_) {
    owners_built_ = true;
    shape_owner_.clear();
    for (const Job& job : state_->jobs) {
      if (job.phase != JobPhase::kPending) continue;
      for (const Shape& s : job.shapes) shape_owner_[&s] = &job;
    }
  }
  const auto owner = shape_owner_.find(&shape);
  return owner == shape_owner_.end() ? nullptr : owner->second;
}

std::vector<AccelType> Placer::EquallyFastTypes(const Shape& shape, const Job& job, AccelType type,
                                                const Capacity& cap) const {
  const double speed = TypeSpeed(job, type);
  std::vector<AccelType> peers;
  for (AccelType t = 0; t < cap.num_types(); ++t) {
    if (Accepts(shape, t) && TypeSpeed(job, t) == speed && !cap.nodes_with(t).empty()) {
      peers.push_back(t);
    }
  }
  return peers;
}

// The scheduler asks for one accelerator type at a time, in its order (fastest first, then by
// index). Where several types are equally fast for the job, that order is arbitrary, and taking
// the first type with room would fill one type's nodes before the scorer ever sees the others:
// so the scorer looks at every equally fast type, and declines a type while another one holds
// the better option (the scheduler then asks for that one).
AccelType Placer::BestType(const Shape& shape, AccelType type, Capacity& cap) {
  int32_t accepted_types = 0;
  for (AccelType t = 0; t < cap.num_types(); ++t) {
    if (!cap.nodes_with(t).empty() && Accepts(shape, t)) ++accepted_types;
  }
  if (accepted_types <= 1 || state_ == nullptr) return type;
  const Job* job = OwnerOf(shape);
  if (job == nullptr || keep_order_.count(job->id)) return type;
  const std::vector<AccelType> peers = EquallyFastTypes(shape, *job, type, cap);
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
    Best best;
    for (AccelType t : peers) ScanType(shape.per_task, t, cap, &best);
    decision_.shape = &shape;
    decision_.fingerprint = std::move(fingerprint);
    decision_.type = best.option.node >= 0 ? best.option.type : kNoAccel;
    decision_.option = std::move(best.option);
  }
  decision_fresh_ = true;
  if (decision_.type == kNoAccel) return type;
  if (decision_.type != type) {
    awaiting_[job->id] = decision_.type;
  } else {
    awaiting_.erase(job->id);
  }
  return decision_.type;
}

bool Placer::Place(const Shape& shape, AccelType type, Capacity& cap,
                   std::vector<TaskAllocation>& out) {
  out.clear();
  if (shape.tasks <= 0) return false;
  const bool whole = shape.per_task.accel_milli >= kMilliPerDevice;
  const bool topology = whole && scorer_->TopologyForWholeDevices();
  scorer_->BeforePlace(shape);  // before any early "no room": asks turned away count too
  if (type != kNoAccel) {
    if (type < 0 || type >= cap.num_types()) return false;
    // Quick rejection from the per-type totals: no search when the cluster cannot hold it.
    const int64_t need_whole = whole ? int64_t{DevicesPerTask(shape.per_task)} * shape.tasks : 0;
    if (whole && cap.free_whole_devices(type) < need_whole) return false;
    if (!whole && cap.free_milli(type) < shape.per_task.accel_milli * shape.tasks) return false;
    if (DevicesPerTask(shape.per_task) > cap.max_devices_per_node(type)) return false;
  }
  decision_fresh_ = false;
  if (!topology && type != kNoAccel && BestType(shape, type, cap) != type) {
    return false;  // another equally fast type holds the better option
  }
  const bool ok =
      topology ? PlaceGangByTopology(shape, type, cap, out) : PlaceScored(shape, type, cap, out);
  if (!ok) {
    for (const auto& task : out) cap.Apply(task, +1);
    out.clear();
    return false;
  }
  scorer_->Placed(out);
  return true;
}

void Placer::Consider(const Capacity& cap, int32_t n, const std::vector<int32_t>& devices,
                      const Resources& r, AccelType type, Best* best) {
  auto take = [&] {
    best->option.node = n;
    best->option.devices = devices;
    best->option.type = type;
  };
  const PlacementScorer::Choice choice = scorer_->choice();
  if (choice == PlacementScorer::Choice::kUniformUnscored) {
    // Reservoir sampling: uniform over the feasible options.
    ++best->seen;
    if (rng_.Next() % best->seen == 0) take();
    return;
  }
  const double s = scorer_->Score(cap, PlacementOption{n, type, &devices, &r}, rng_);
  if (choice == PlacementScorer::Choice::kLowestDrawTies && std::abs(s - best->score) <= 1e-12) {
    ++best->seen;
    if (rng_.Next() % best->seen == 0) take();
    return;
  }
  if (s < best->score - 1e-12) {
    best->seen = 1;
    best->score = s;
    take();
  }
}

void Placer::ScanType(const Resources& r, AccelType type, Capacity& cap, Best* best) {
  static const std::vector<int32_t> kNone;
  const int32_t per_task = DevicesPerTask(r);
  const bool fractional = IsFractional(r);
  // Devices with equal free space score alike; a scored rule tries each once.
  const bool every_device = scorer_->choice() == PlacementScorer::Choice::kUniformUnscored;
  std::vector<int32_t> devs;
  const std::vector<int32_t>& candidates =
      type == kNoAccel ? cap.schedulable_nodes() : cap.nodes_with(type);
  for (int32_t n : candidates) {
    if (!FitsHost(cap, n, r)) continue;
    if (type == kNoAccel) {
      Consider(cap, n, kNone, r, type, best);
    } else if (fractional) {
      int64_t last_free = -1;
      for (int32_t d = 0; d < cap.num_devices(n); ++d) {
        if (cap.device_type(n, d) != type || cap.device_free(n, d) < r.accel_milli) continue;
        if (cap.device_free(n, d) == last_free && !every_device) continue;
        last_free = cap.device_free(n, d);
        devs.assign(1, d);
        Consider(cap, n, devs, r, type, best);
      }
    } else if (cap.whole_free(n, type) >= per_task) {
      devs = PickWholeDevices(cap, n, type, per_task);
      if (static_cast<int32_t>(devs.size()) == per_task) Consider(cap, n, devs, r, type, best);
    }
  }
}

bool Placer::PlaceScored(const Shape& shape, AccelType type, Capacity& cap,
                         std::vector<TaskAllocation>& out) {
  const Resources& r = shape.per_task;
  for (int32_t i = 0; i < shape.tasks; ++i) {
    Best best;
    if (i == 0 && decision_fresh_ && decision_.shape == &shape && decision_.type == type &&
        decision_.option.node >= 0) {
      best.option = decision_.option;  // BestType just scanned this very capacity for this shape
    } else {
      ScanType(r, type, cap, &best);
    }
    if (best.option.node < 0) return false;
    TaskAllocation task;
    task.node = best.option.node;
    task.type = type;
    task.res = r;
    task.devices = best.option.devices;
    cap.Apply(task, -1);
    out.push_back(std::move(task));
  }
  return true;
}

}  // namespace suanli::core
