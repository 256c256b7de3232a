#pragma once
// Learned run-time estimates for jobs that declare no time limit, so SJF and SRTF can rank them
// without oracle knowledge. Users rarely declare limits (Philly's trace has none), yet the same
// user running the same kind of job on the same width tends to take similar time: the predictor
// keeps the recent run times of finished jobs under a hierarchy of keys, from the most specific
// (tenant, user, job name, width) to the coarsest (width alone), and answers with the median of
// the most specific key that has enough history. The median, not the mean: run times are
// heavy-tailed (a few jobs run for weeks) and one of them must not make a whole group look long.
//
// Pure: the caller reports each finished job and asks at submission, so the server and the
// simulator learn the same way, and a replay is byte-identical. An estimate only ranks jobs; it
// is never a promise (backfill and reservations use declared limits alone).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model.h"

namespace suanli::core {

// What identifies "the same kind of job". Empty strings are "not known" and their levels are
// skipped (a trace without users learns by tenant and width).
struct DurationFacts {
  std::string_view tenant;
  std::string_view user;
  std::string_view name;    // the job's name as the user gave it
  int64_t accel_milli = 0;  // accelerators of the whole gang, in milli-devices
};

class DurationPredictor {
 public:
  struct Options {
    size_t window = 25;        // run times kept per key (the most recent)
    size_t min_samples = 3;    // a key answers once it has this many
    size_t max_keys = 200000;  // past this, only keys already known learn (bounded memory)
  };
  DurationPredictor() : DurationPredictor(Options{}) {}
  explicit DurationPredictor(Options options);

  // A job of `facts` ran for `run_ms` (at full speed, across restarts). Negative is ignored.
  void Observe(const DurationFacts& facts, Time run_ms);
  // The median recent run time of the most specific key with enough history, or kUnknownTime.
  Time Predict(const DurationFacts& facts) const;

  size_t keys() const { return keys_.size(); }
  int64_t observed() const { return observed_; }

 private:
  struct History {
    std::vector<Time> runs;  // a ring of at most options_.window
    size_t next = 0;         // where the next run goes once the ring is full
  };
  // The keys of `facts`, most specific first; levels whose fields are unknown are left out.
  void KeysOf(const DurationFacts& facts, std::vector<std::string>* out) const;

  Options options_;
  std::unordered_map<std::string, History> keys_;
  int64_t observed_ = 0;
  mutable std::vector<std::string> scratch_keys_;
  mutable std::vector<Time> scratch_runs_;
};

}  // namespace suanli::core
