#include "core/duration_predictor.h"

#include <algorithm>

namespace suanli::core {
namespace {

// Fields are joined with a byte no name contains, so ("ab", "c") and ("a", "bc") differ.
constexpr char kSep = '\x1f';

std::string Key(char level, std::initializer_list<std::string_view> parts) {
  std::string k(1, level);
  for (std::string_view p : parts) {
    k += kSep;
    k += p;
  }
  return k;
}

}  // namespace

DurationPredictor::DurationPredictor(Options options) : options_(options) {
  options_.window = std::max<size_t>(options_.window, 1);
  options_.min_samples = std::clamp<size_t>(options_.min_samples, 1, options_.window);
}

void DurationPredictor::KeysOf(const DurationFacts& f, std::vector<std::string>* out) const {
  out->clear();
  const std::string width = std::to_string(f.accel_milli);
  const bool user = !f.user.empty(), name = !f.name.empty();
  if (user && name) out->push_back(Key('n', {f.tenant, f.user, f.name, width}));
  if (user) {
    out->push_back(Key('w', {f.tenant, f.user, width}));
    out->push_back(Key('u', {f.tenant, f.user}));
  }
  out->push_back(Key('t', {f.tenant, width}));
  out->push_back(Key('T', {f.tenant}));
  out->push_back(Key('g', {width}));
}

void DurationPredictor::Observe(const DurationFacts& facts, Time run_ms) {
  if (run_ms < 0) return;
  ++observed_;
  KeysOf(facts, &scratch_keys_);
  for (std::string& k : scratch_keys_) {
    auto it = keys_.find(k);
    if (it == keys_.end()) {
      if (keys_.size() >= options_.max_keys) continue;
      it = keys_.emplace(std::move(k), History{}).first;
    }
    History& h = it->second;
    if (h.runs.size() < options_.window) {
      h.runs.push_back(run_ms);
    } else {
      h.runs[h.next] = run_ms;
      h.next = (h.next + 1) % options_.window;
    }
  }
}

Time DurationPredictor::Predict(const DurationFacts& facts) const {
  KeysOf(facts, &scratch_keys_);
  for (const std::string& k : scratch_keys_) {
    auto it = keys_.find(k);
    if (it == keys_.end() || it->second.runs.size() < options_.min_samples) continue;
    scratch_runs_ = it->second.runs;
    // The lower median: with an even count, the shorter of the two middle runs.
    auto mid = scratch_runs_.begin() + static_cast<std::ptrdiff_t>((scratch_runs_.size() - 1) / 2);
    std::nth_element(scratch_runs_.begin(), mid, scratch_runs_.end());
    return *mid;
  }
  return kUnknownTime;
}

}  // namespace suanli::core
