#include "store/records.h"

#include <array>

namespace suanli::store {
namespace {

constexpr std::array<std::pair<JobState, std::string_view>, 10> kNames = {{
    {JobState::kPending, "PENDING"},
    {JobState::kStarting, "STARTING"},
    {JobState::kRunning, "RUNNING"},
    {JobState::kCompleted, "COMPLETED"},
    {JobState::kFailed, "FAILED"},
    {JobState::kCancelled, "CANCELLED"},
    {JobState::kTimeout, "TIMEOUT"},
    {JobState::kPreempted, "PREEMPTED"},
    {JobState::kLost, "LOST"},
    {JobState::kOutOfMemory, "OUT_OF_MEMORY"},
}};

}  // namespace

std::string_view JobStateName(JobState s) {
  for (const auto& [state, name] : kNames) {
    if (state == s) return name;
  }
  return "UNKNOWN";
}

std::optional<JobState> ParseJobState(std::string_view name) {
  for (const auto& [state, n] : kNames) {
    if (n == name) return state;
  }
  return std::nullopt;
}

bool IsTerminal(JobState s) {
  return s != JobState::kPending && s != JobState::kStarting && s != JobState::kRunning;
}

double UsageRecord::AccelSeconds() const {
  double total = 0;
  for (const auto& [type, s] : accel_s) total += s;
  return total;
}

std::vector<JobState> AllJobStates() {
  std::vector<JobState> out;
  for (const auto& [state, name] : kNames) out.push_back(state);
  return out;
}

}  // namespace suanli::store
