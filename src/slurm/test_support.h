#pragma once
// For the slurm tests: the message of a failed Result, or "<ok>" so that a parse that should
// have failed shows up in the expectation that reads the message.
#include <string>

#include "base/result.h"

namespace suanli::slurm {

template <typename T>
std::string ErrorMessage(const Result<T>& result) {
  return result.ok() ? "<ok>" : result.status().message();
}

}  // namespace suanli::slurm
