#pragma once
// Ships one captured stream (stdout or stderr of a task) to the controller and keeps the file
// bounded. Offsets are logical: the byte position in everything the task ever wrote to the stream,
// so the controller can store uploads idempotently and followers see one continuous log across
// rotations. Rotation is copy-then-truncate (the job keeps its O_APPEND descriptor): the current
// file is copied to
// "<file>.1" and truncated once everything in it was uploaded and it is over the size limit.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "agent/fs_util.h"
#include "base/result.h"

namespace suanli::agent {

struct LogChunk {
  int64_t offset = 0;  // logical
  std::string data;
};

// A file the job opened itself, as its own user (sbatch --output/--error), rather than the agent's
// log file: read only once `gate` is not empty (the job writes it after opening its files, so
// nothing older in a truncated file is read), only while it is a regular file owned by
// `owner_uid` (FileSystem::ReadAtOwnedBy), and never rotated: it is the user's. A read error
// other than absence gives the file up (refused()). Opened appending
// to a file of S bytes, the shipper starts with base -S, so the job's first byte is offset 0.
struct UserFile {
  std::string gate;
  int owner_uid = 0;
};

class LogShipper {
 public:
  // `fs` is not owned and must outlive the shipper.
  LogShipper(std::string path, int64_t base = 0, FileSystem* fs = DefaultFileSystem(),
             std::optional<UserFile> user = std::nullopt)
      : path_(std::move(path)),
        base_(base),
        sent_(
            std::max<int64_t>(base, 0)),  // a negative base: the file's bytes before 0 are not ours
        fs_(fs),
        user_(std::move(user)) {}
  // Up to max_bytes not yet uploaded (empty data = nothing new).
  Result<LogChunk> Next(size_t max_bytes) const;
  void Ack(const LogChunk& chunk) {
    sent_ = chunk.offset + static_cast<int64_t>(chunk.data.size());
  }
  // True when every byte in the file has been uploaded (or a user file cannot be: refused, or
  // never opened by the job).
  bool Drained() const;
  // Rotates when the file is larger than max_bytes and drained; returns whether it rotated.
  Result<bool> MaybeRotate(int64_t max_bytes);
  int64_t base() const { return base_; }
  int64_t sent() const { return sent_; }
  const std::string& path() const { return path_; }
  const std::optional<UserFile>& user_file() const { return user_; }
  // Why a user file is no longer read (set by Next on any read error but absence); empty while it
  // is.
  const std::string& refused() const { return refused_; }

 private:
  int64_t FileSize() const;
  bool GateOpen() const;
  std::string path_;
  int64_t base_;  // logical offset of the file's first byte
  int64_t sent_;  // logical offset of the first byte not yet uploaded
  FileSystem* fs_;
  std::optional<UserFile> user_;
  mutable std::string refused_;
};

}  // namespace suanli::agent
