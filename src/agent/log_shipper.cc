#include "agent/log_shipper.h"

namespace suanli::agent {

int64_t LogShipper::FileSize() const {
  auto info = fs_->Stat(path_);
  return info.ok() ? info->size : 0;
}

bool LogShipper::Drained() const { return base_ + FileSize() <= sent_; }

Result<LogChunk> LogShipper::Next(size_t max_bytes) const {
  LogChunk c;
  c.offset = sent_;
  auto data = fs_->ReadAt(path_, sent_ - base_, max_bytes);
  if (data.status().code() == StatusCode::kNotFound) return c;  // not created yet
  if (!data.ok()) return data.status();
  c.data = std::move(data).value();
  return c;
}

Result<bool> LogShipper::MaybeRotate(int64_t max_bytes) {
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

std::string Base64Encode(const std::string& in) {
  static const char* kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kChars[v >> 18];
    out += kChars[(v >> 12) & 63];
    out += kChars[(v >> 6) & 63];
    out += kChars[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += kChars[v >> 18];
    out += kChars[(v >> 12) & 63];
    out += i + 1 < in.size() ? kChars[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace suanli::agent
