#include "agent/log_shipper.h"

namespace suanli::agent {

int64_t LogShipper::FileSize() const {
  auto info = fs_->Stat(path_);
  return info.ok() ? info->size : 0;
}

bool LogShipper::GateOpen() const {
  if (!user_) return true;
  auto gate = fs_->Stat(user_->gate);
  return gate.ok() && gate->size > 0;
}

bool LogShipper::Drained() const {
  if (user_ && (!refused_.empty() || !GateOpen())) return true;
  return base_ + FileSize() <= sent_;
}

Result<LogChunk> LogShipper::Next(size_t max_bytes) const {
  LogChunk c;
  c.offset = sent_;
  if (user_ && (!refused_.empty() || !GateOpen())) return c;
  auto data = user_ ? fs_->ReadAtOwnedBy(path_, sent_ - base_, max_bytes, user_->owner_uid)
                    : fs_->ReadAt(path_, sent_ - base_, max_bytes);
  if (data.status().code() == StatusCode::kNotFound) return c;  // not created yet
  // A user file that cannot be read (not the job's, or e.g. unreadable to root on a root-squashed
  // NFS) is given up: told once by the caller, never read again, and the task's end not held.
  if (user_ && !data.ok()) {
    refused_ = data.status().message();
    return data.status();
  }
  if (!data.ok()) return data.status();
  c.data = std::move(data).value();
  return c;
}

Result<bool> LogShipper::MaybeRotate(int64_t max_bytes) {
  if (user_) return false;  // the user's file: never truncated by the agent
  int64_t size = FileSize();
  if (max_bytes <= 0 || size <= max_bytes || base_ + size > sent_) return false;
  auto content = fs_->ReadFile(path_);
  if (!content.ok()) return content.status();
  if (static_cast<int64_t>(content->size()) != size)
    return false;  // still being written: next time
  SUANLI_RETURN_IF_ERROR(fs_->WriteFileAtomic(path_ + ".1", *content, 0600));
  // Bytes the job appends between the read above and this truncate are lost (the copytruncate
  // race); the window is a few microseconds and only at rotation.
  SUANLI_RETURN_IF_ERROR(fs_->Truncate(path_));
  base_ += static_cast<int64_t>(content->size());
  sent_ = base_;
  return true;
}

}  // namespace suanli::agent
