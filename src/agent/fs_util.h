#pragma once
// Small file helpers with Status errors that name the path and the OS reason, and the FileSystem
// interface through which the supervisor and the log shipper touch task directories and logs.
#include <cstdint>
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

struct FileInfo {
  int64_t size = 0;
  int64_t mtime_s = 0;  // seconds since the epoch
  bool is_dir = false;
};

// The file operations of task directories and logs, behind an interface as LevelDB's Env: the real
// one (DefaultFileSystem) is the default everywhere, tests inject a fake that can fail on purpose
// (e.g. disk full). Error messages follow the free functions above, so both read the same.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual Result<std::string> ReadFile(const std::string& path) const = 0;
  // Up to max_bytes from `offset` (fewer at the end, none past it); kNotFound when absent.
  virtual Result<std::string> ReadAt(const std::string& path, int64_t offset,
                                     size_t max_bytes) const = 0;
  // As ReadAt, for a file a job wrote as its own user (sbatch --output), which the agent reads as
  // root: only a regular file owned by `uid`, never through a symbolic link, so a job cannot make
  // the agent read someone else's file into its log. kPermissionDenied otherwise.
  virtual Result<std::string> ReadAtOwnedBy(const std::string& path, int64_t offset,
                                            size_t max_bytes, int uid) const = 0;
  virtual Result<FileInfo> Stat(const std::string& path) const = 0;  // kNotFound when absent
  virtual bool Exists(const std::string& path) const = 0;
  virtual std::vector<std::string> ListDir(const std::string& path) const = 0;
  virtual Status WriteFileAtomic(const std::string& path, const std::string& data,
                                 int mode = 0644) = 0;
  // Creates the file (0600) when absent; how a task's output reaches its log.
  virtual Status Append(const std::string& path, const std::string& data) = 0;
  virtual Status Truncate(const std::string& path) = 0;
  virtual Status MakeDirs(const std::string& path, int mode = 0755) = 0;
  virtual Status SetMode(const std::string& path, int mode) = 0;
  virtual Status SetOwner(const std::string& path, int uid, int gid) = 0;
  virtual Status RemoveTree(const std::string& path) = 0;  // absent is fine
};

// The machine's file system (shared, stateless).
FileSystem* DefaultFileSystem();

}  // namespace suanli::agent
