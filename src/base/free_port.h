#pragma once
// A TCP port no socket holds now: the kernel's pick for a socket bound to port 0, released at
// once for someone else to bind (a service endpoint, a task's $PORT). Another process may take
// it in between; callers that bind it later must handle that.
#include <string>

#include "base/result.h"

namespace suanli {

// `host` is an IPv4 address to bind on; empty (or not an address) means every address.
Result<int> PickFreeTcpPort(const std::string& host = "");

}  // namespace suanli
