#pragma once
// Small file helpers with Status errors that name the path and the OS reason.
#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::agent {

Result<std::string> ReadFile(const std::string& path);
// Writes (truncating) without creating: the way cgroup control files are written.
Status WriteControl(const std::string& path, const std::string& value);
// Creates or replaces `path` atomically (write to a temporary beside it, then rename).
Status WriteFileAtomic(const std::string& path, const std::string& data, int mode = 0644);
Status MakeDirs(const std::string& path, int mode = 0755);
Status RemoveTree(const std::string& path);
bool Exists(const std::string& path);
std::vector<std::string> ListDir(const std::string& path);  // names, without "." and ".."
std::string ErrnoText(int err);

// Start time of a process in clock ticks since boot (field 22 of /proc/PID/stat); 0 when it is
// gone. A pid plus its start time names one process even after pids are reused.
uint64_t ProcessStartTime(int pid);

}  // namespace suanli::agent
