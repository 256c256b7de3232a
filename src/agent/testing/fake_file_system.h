#pragma once
// An in-memory FileSystem for tests, with failures on demand: a disk that fills up (ENOSPC once the
// files would exceed a byte budget) and errors on writes to chosen paths. Paths are plain strings;
// "a//b" and a trailing '/' name the same file as "a/b".
#include <map>
#include <string>
#include <vector>

#include "agent/fs_util.h"
#include "base/clock.h"

namespace suanli::agent {

class FakeFileSystem : public FileSystem {
 public:
  // `clock` (optional) stamps modification times, as the supervisor ages finished tasks by them.
  explicit FakeFileSystem(const Clock* clock = nullptr) : clock_(clock) {}

  Result<std::string> ReadFile(const std::string& path) const override;
  Result<std::string> ReadAt(const std::string& path, int64_t offset,
                             size_t max_bytes) const override;
  Result<std::string> ReadAtOwnedBy(const std::string& path, int64_t offset, size_t max_bytes,
                                    int uid) const override;  // by SetOwner's uid (0 when unset)
  Result<FileInfo> Stat(const std::string& path) const override;
  bool Exists(const std::string& path) const override;
  std::vector<std::string> ListDir(const std::string& path) const override;
  Status WriteFileAtomic(const std::string& path, const std::string& data, int mode) override;
  Status Append(const std::string& path, const std::string& data) override;
  Status Truncate(const std::string& path) override;
  Status MakeDirs(const std::string& path, int mode) override;
  Status SetMode(const std::string& path, int mode) override;
  Status SetOwner(const std::string& path, int uid, int gid) override;  // recorded, not checked
  Status RemoveTree(const std::string& path) override;

  // The disk holds this many more bytes of file data; -1 = unlimited (the default). A write that
  // does not fit fails with ENOSPC and changes nothing (writes here are all or nothing).
  void SetFreeBytes(int64_t bytes) { free_bytes_ = bytes; }
  // Every write, append, truncate or mkdir of a path containing `path_part` fails with `err`.
  void FailWritesTo(const std::string& path_part, int err) { failures_[path_part] = err; }
  void ClearFailures() { failures_.clear(); }

  int mode(const std::string& path) const;   // -1 when absent
  int owner(const std::string& path) const;  // uid, -1 when absent
  std::vector<std::string> Paths() const;    // every file and directory, sorted

 private:
  struct Node {
    bool is_dir = false;
    std::string data;
    int mode = 0;
    int64_t mtime_s = 0;
    int uid = 0;
  };
  // errno for a write to `path` (0 = allowed) given `growth` more bytes.
  int WriteError(const std::string& path, int64_t growth) const;
  const Node* Find(const std::string& path) const;
  bool ParentIsDir(const std::string& path) const;
  int64_t NowS() const { return clock_ ? clock_->NowMs() / 1000 : 0; }

  const Clock* clock_;
  std::map<std::string, Node> nodes_;  // normalized path -> node; "/" is always a directory
  std::map<std::string, int> failures_;
  int64_t free_bytes_ = -1;
};

}  // namespace suanli::agent
