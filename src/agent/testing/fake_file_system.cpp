// *.cpp, not *.cc: the module glob must not pull test doubles into the agent library.
#include "agent/testing/fake_file_system.h"

#include <fmt/format.h>

#include <cerrno>

namespace suanli::agent {
namespace {

std::string Normalize(const std::string& path) {
  std::string out;
  for (char c : path)
    if (!(c == '/' && !out.empty() && out.back() == '/')) out += c;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool IsUnder(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         (dir == "/" || path[dir.size()] == '/');
}

}  // namespace

const FakeFileSystem::Node* FakeFileSystem::Find(const std::string& path) const {
  std::string p = Normalize(path);
  if (p == "/" || p == ".") {
    static const Node root{true, "", 0755, 0, 0};
    return &root;
  }
  auto it = nodes_.find(p);
  return it == nodes_.end() ? nullptr : &it->second;
}

bool FakeFileSystem::ParentIsDir(const std::string& path) const {
  const Node* parent = Find(Parent(Normalize(path)));
  return parent && parent->is_dir;
}

int FakeFileSystem::WriteError(const std::string& path, int64_t growth) const {
  for (const auto& [part, err] : failures_)
    if (path.find(part) != std::string::npos) return err;
  if (free_bytes_ >= 0 && growth > free_bytes_) return ENOSPC;
  return 0;
}

Result<std::string> FakeFileSystem::ReadFile(const std::string& path) const {
  const Node* n = Find(path);
  if (!n) return NotFound(fmt::format("{} does not exist", path));
  if (n->is_dir) return Internal(fmt::format("cannot read {}: {}", path, ErrnoText(EISDIR)));
  return n->data;
}

Result<std::string> FakeFileSystem::ReadAt(const std::string& path, int64_t offset,
                                           size_t max_bytes) const {
  SUANLI_ASSIGN_OR_RETURN(std::string data, ReadFile(path));
  if (offset < 0) return Internal(fmt::format("cannot read {}: {}", path, ErrnoText(EINVAL)));
  if (static_cast<size_t>(offset) >= data.size()) return std::string();
  return data.substr(static_cast<size_t>(offset), max_bytes);
}

Result<std::string> FakeFileSystem::ReadAtOwnedBy(const std::string& path, int64_t offset,
                                                  size_t max_bytes, int uid) const {
  const Node* n = Find(path);
  if (n && (n->is_dir || n->uid != uid)) {
    return PermissionDenied(
        fmt::format("{} is not a regular file owned by uid {}: not read", path, uid));
  }
  return ReadAt(path, offset, max_bytes);
}

Result<FileInfo> FakeFileSystem::Stat(const std::string& path) const {
  const Node* n = Find(path);
  if (!n) return NotFound(fmt::format("{} does not exist", path));
  return FileInfo{static_cast<int64_t>(n->data.size()), n->mtime_s, n->is_dir};
}

bool FakeFileSystem::Exists(const std::string& path) const { return Find(path) != nullptr; }

std::vector<std::string> FakeFileSystem::ListDir(const std::string& path) const {
  std::string dir = Normalize(path);
  std::vector<std::string> out;
  for (const auto& [p, n] : nodes_)
    if (IsUnder(p, dir) && Parent(p) == dir) out.push_back(p.substr(p.rfind('/') + 1));
  return out;
}

Status FakeFileSystem::WriteFileAtomic(const std::string& path, const std::string& data, int mode) {
  std::string p = Normalize(path), tmp = path + ".tmp";
  if (!ParentIsDir(p)) return Internal(fmt::format("cannot create {}: {}", tmp, ErrnoText(ENOENT)));
  const Node* old = Find(p);
  if (old && old->is_dir)
    return Internal(fmt::format("cannot rename {} to {}: {}", tmp, path, ErrnoText(EISDIR)));
  // The temporary holds the whole new content while the old file still exists.
  if (int err = WriteError(p, static_cast<int64_t>(data.size())))
    return Internal(fmt::format("cannot write {}: {}", tmp, ErrnoText(err)));
  if (free_bytes_ >= 0)
    free_bytes_ +=
        static_cast<int64_t>(old ? old->data.size() : 0) - static_cast<int64_t>(data.size());
  nodes_[p] = Node{false, data, mode, NowS()};
  return Status::Ok();
}

Status FakeFileSystem::Append(const std::string& path, const std::string& data) {
  std::string p = Normalize(path);
  const Node* old = Find(p);
  if (!old && !ParentIsDir(p))
    return Internal(fmt::format("cannot open {}: {}", path, ErrnoText(ENOENT)));
  if (old && old->is_dir)
    return Internal(fmt::format("cannot open {}: {}", path, ErrnoText(EISDIR)));
  if (int err = WriteError(p, static_cast<int64_t>(data.size())))
    return Internal(fmt::format("cannot write {}: {}", path, ErrnoText(err)));
  if (free_bytes_ >= 0) free_bytes_ -= static_cast<int64_t>(data.size());
  Node& n = nodes_[p];
  if (!old) n.mode = 0600;
  n.data += data;
  n.mtime_s = NowS();
  return Status::Ok();
}

Status FakeFileSystem::Truncate(const std::string& path) {
  std::string p = Normalize(path);
  auto it = nodes_.find(p);
  if (it == nodes_.end() || it->second.is_dir)
    return Internal(fmt::format("cannot truncate {}: {}", path,
                                ErrnoText(it == nodes_.end() ? ENOENT : EISDIR)));
  if (int err = WriteError(p, 0))
    return Internal(fmt::format("cannot truncate {}: {}", path, ErrnoText(err)));
  if (free_bytes_ >= 0) free_bytes_ += static_cast<int64_t>(it->second.data.size());
  it->second.data.clear();
  it->second.mtime_s = NowS();
  return Status::Ok();
}

Status FakeFileSystem::MakeDirs(const std::string& path, int mode) {
  std::string p = Normalize(path);
  std::vector<std::string> missing;
  for (std::string d = p; d != "/" && d != "." && !Exists(d); d = Parent(d)) missing.push_back(d);
  if (const Node* n = Find(p); n && !n->is_dir)
    return Internal(fmt::format("cannot create directory {}: {}", path, ErrnoText(EEXIST)));
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    const Node* parent = Find(Parent(*it));
    if (parent && !parent->is_dir)
      return Internal(fmt::format("cannot create directory {}: {}", path, ErrnoText(ENOTDIR)));
    // A new directory needs a block too: a full disk refuses it.
    if (int err = WriteError(*it, free_bytes_ == 0 ? 1 : 0))
      return Internal(fmt::format("cannot create directory {}: {}", path, ErrnoText(err)));
    nodes_[*it] = Node{true, "", mode, NowS()};
  }
  return SetMode(p, mode);
}

Status FakeFileSystem::SetMode(const std::string& path, int mode) {
  auto it = nodes_.find(Normalize(path));
  if (it == nodes_.end())
    return Internal(fmt::format("cannot chmod {}: {}", path, ErrnoText(ENOENT)));
  it->second.mode = mode;
  return Status::Ok();
}

Status FakeFileSystem::SetOwner(const std::string& path, int uid, int) {
  auto it = nodes_.find(Normalize(path));
  if (it == nodes_.end())
    return Internal(fmt::format("cannot chown {}: {}", path, ErrnoText(ENOENT)));
  it->second.uid = uid;
  return Status::Ok();
}

Status FakeFileSystem::RemoveTree(const std::string& path) {
  std::string p = Normalize(path);
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (it->first == p || IsUnder(it->first, p)) {
      if (free_bytes_ >= 0) free_bytes_ += static_cast<int64_t>(it->second.data.size());
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
  return Status::Ok();
}

int FakeFileSystem::mode(const std::string& path) const {
  const Node* n = Find(path);
  return n ? n->mode : -1;
}

int FakeFileSystem::owner(const std::string& path) const {
  const Node* n = Find(path);
  return n ? n->uid : -1;
}

std::vector<std::string> FakeFileSystem::Paths() const {
  std::vector<std::string> out;
  for (const auto& [p, n] : nodes_) out.push_back(p);
  return out;
}

}  // namespace suanli::agent
