#include "agent/log_shipper.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/fs_util.h"

namespace suanli::agent {

int64_t LogShipper::FileSize() const {
  struct stat st;
  return stat(path_.c_str(), &st) == 0 ? st.st_size : 0;
}

bool LogShipper::Drained() const { return base_ + FileSize() <= sent_; }

Result<LogChunk> LogShipper::Next(size_t max_bytes) const {
  LogChunk c;
  c.offset = sent_;
  int fd = open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return c;  // not created yet
    return Internal(fmt::format("cannot open {}: {}", path_, ErrnoText(errno)));
  }
  c.data.resize(max_bytes);
  ssize_t n = pread(fd, c.data.data(), max_bytes, sent_ - base_);
  int e = errno;
  close(fd);
  if (n < 0) return Internal(fmt::format("cannot read {}: {}", path_, ErrnoText(e)));
  c.data.resize(static_cast<size_t>(n));
  return c;
}

Result<bool> LogShipper::MaybeRotate(int64_t max_bytes) {
  int64_t size = FileSize();
  if (max_bytes <= 0 || size <= max_bytes || base_ + size > sent_) return false;
  auto content = ReadFile(path_);
  if (!content.ok()) return content.status();
  if (static_cast<int64_t>(content->size()) != size)
    return false;  // still being written: next time
  SUANLI_RETURN_IF_ERROR(WriteFileAtomic(path_ + ".1", *content, 0600));
  // Bytes the job appends between the read above and this truncate are lost (the copytruncate
  // race); the window is a few microseconds and only at rotation.
  if (truncate(path_.c_str(), 0) != 0)
    return Internal(fmt::format("cannot truncate {}: {}", path_, ErrnoText(errno)));
  base_ += static_cast<int64_t>(content->size());
  sent_ = base_;
  return true;
}

}  // namespace suanli::agent
