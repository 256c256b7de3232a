#pragma once
// Result<T> holds either a value or the Status that explains why there is none.
#include <cassert>
#include <utility>
#include <variant>

#include "base/status.h"

namespace suanli {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace suanli

#define SUANLI_CONCAT_INNER(a, b) a##b
#define SUANLI_CONCAT(a, b) SUANLI_CONCAT_INNER(a, b)
// SUANLI_ASSIGN_OR_RETURN(auto x, ComputeX()); returns the error Status when not ok.
#define SUANLI_ASSIGN_OR_RETURN(lhs, expr)                          \
  auto SUANLI_CONCAT(_res_, __LINE__) = (expr);                     \
  if (!SUANLI_CONCAT(_res_, __LINE__).ok())                         \
    return SUANLI_CONCAT(_res_, __LINE__).status();                 \
  lhs = std::move(SUANLI_CONCAT(_res_, __LINE__)).value()
