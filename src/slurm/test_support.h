#pragma once
// What the slurm tests share: a fixed "now", and the message of a failed Result (or "<ok>", so
// that a parse that should have failed shows up in the expectation that reads the message).
#include <cstdint>
#include <string>

#include "base/result.h"
#include "slurm/batch_request.h"

namespace suanli::slurm {

// "Now" in every test that needs one: 2026-12-06 22:56:40 UTC, a Sunday.
constexpr int64_t kTestNow = 1796597800;

// A parse at kTestNow, in UTC, with Slurm's default limits.
inline BatchParseOptions TestParseOptions() { return {{kTestNow, 0}, {}}; }

template <typename T>
std::string ErrorMessage(const Result<T>& result) {
  return result.ok() ? "<ok>" : result.status().message();
}

}  // namespace suanli::slurm
