#pragma once
// Status carries success or an error code with a message that names what is wrong.
// Errors cross module boundaries as Status/Result, never as exceptions.
#include <string>
#include <string_view>
#include <utility>

namespace suanli {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed or impossible request (HTTP 400)
  kUnauthenticated,     // missing, bad or revoked token (HTTP 401)
  kPermissionDenied,    // authenticated but not allowed (HTTP 403)
  kNotFound,            // absent, or invisible to the caller (HTTP 404)
  kAlreadyExists,       // HTTP 409
  kFailedPrecondition,  // wrong state for the operation (HTTP 409)
  kResourceExhausted,   // quota or size limit (HTTP 429/413)
  kUnavailable,         // try again later (HTTP 503)
  kInternal,            // a bug or an I/O failure (HTTP 500)
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NOT_FOUND: tenant 'physics' does not exist"
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace suanli

// Returns early from the enclosing function when `expr` is not ok.
#define SUANLI_RETURN_IF_ERROR(expr)             \
  do {                                           \
    ::suanli::Status _st = (expr);               \
    if (!_st.ok()) return _st;                   \
  } while (0)
