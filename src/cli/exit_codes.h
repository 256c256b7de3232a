#pragma once
// Process exit codes of the client commands, documented in docs/cli.md. Scripts branch on them,
// so they never change meaning.
#include "base/status.h"

namespace suanli::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,     // the server refused or failed (conflict, internal error, ...)
  kExitUsage = 2,     // bad flags or arguments, or a request the server called invalid (HTTP 400)
  kExitNotFound = 3,  // no such job/tenant/user/token, or not visible to the caller (HTTP 404)
  kExitAuth = 4,      // missing, bad or revoked token (401) or not allowed (403)
  kExitUnreachable = 5,  // no server at the address, or it answered 503
  kExitJobFailed = 6,    // `wait`: a job ended in any state but COMPLETED
  kExitTimeout = 7,      // `wait --timeout` passed before every job ended
};

// The exit code a command ends with when it fails with `status`.
inline int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kNotFound:
      return kExitNotFound;
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return kExitAuth;
    case StatusCode::kUnavailable:
      return kExitUnreachable;
    default:
      return kExitError;
  }
}

}  // namespace suanli::cli
