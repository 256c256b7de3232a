#include "agent/fs_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

namespace suanli::agent {

std::string ErrnoText(int err) { return std::strerror(err); }

Result<std::string> ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) return NotFound(fmt::format("{} does not exist", path));
    return Internal(fmt::format("cannot open {}: {}", path, ErrnoText(e)));
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      close(fd);
      return Internal(fmt::format("cannot read {}: {}", path, ErrnoText(e)));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

Status WriteControl(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC | O_TRUNC);
  if (fd < 0) return Internal(fmt::format("cannot open {}: {}", path, ErrnoText(errno)));
  ssize_t n = write(fd, value.data(), value.size());
  int e = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    return Internal(fmt::format("cannot write '{}' to {}: {}", value, path, ErrnoText(e)));
  return Status::Ok();
}

namespace {

// Writes all of `data` (retrying short writes); the errno of a failure, 0 when all is written.
int WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    done += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace

Status WriteFileAtomic(const std::string& path, const std::string& data, int mode) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Internal(fmt::format("cannot create {}: {}", tmp, ErrnoText(errno)));
  if (int e = WriteAll(fd, data)) {
    close(fd);
    unlink(tmp.c_str());  // a half-written temporary would hold on to the space of a full disk
    return Internal(fmt::format("cannot write {}: {}", tmp, ErrnoText(e)));
  }
  fchmod(fd, static_cast<mode_t>(mode));
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    return Internal(fmt::format("cannot rename {} to {}: {}", tmp, path, ErrnoText(e)));
  }
  return Status::Ok();
}

Status MakeDirs(const std::string& path, int mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Internal(fmt::format("cannot create directory {}: {}", path, ec.message()));
  chmod(path.c_str(), static_cast<mode_t>(mode));
  return Status::Ok();
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Internal(fmt::format("cannot remove {}: {}", path, ec.message()));
  return Status::Ok();
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

std::vector<std::string> ListDir(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  closedir(d);
  return out;
}

uint64_t ProcessStartTime(int pid) {
  auto stat = ReadFile(fmt::format("/proc/{}/stat", pid));
  if (!stat.ok()) return 0;
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  size_t close_paren = stat->rfind(')');
  if (close_paren == std::string::npos) return 0;
  const char* p = stat->c_str() + close_paren + 2;  // at field 3 (state)
  // A zombie is as good as gone: it will never run the job again.
  if (*p == 'Z' || *p == 'X') return 0;
  int field = 3;
  while (*p && field < 22) {
    if (*p == ' ') ++field;
    ++p;
  }
  return std::strtoull(p, nullptr, 10);
}

namespace {

// Up to max_bytes of `path` from `offset`. With `owner`: never through a symbolic link at the
// end, and only a regular file owned by that uid, checked before anything is opened for reading
// (so no FIFO, device or terminal is ever opened by the agent on a job's say).
Result<std::string> OpenAndRead(const std::string& path, int64_t offset, size_t max_bytes,
                                std::optional<int> owner) {
  // With an owner, what the path names is first looked at without opening it (O_PATH: a device
  // behind a directory the job swapped for a symbolic link is never opened by root), and only a
  // regular file of the owner is then opened for reading, through that same descriptor.
  int fd = open(path.c_str(), owner ? O_PATH | O_NOFOLLOW | O_CLOEXEC : O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) return NotFound(fmt::format("{} does not exist", path));
    if (owner && e == ELOOP) return PermissionDenied(fmt::format("{} is a symbolic link", path));
    return Internal(fmt::format("cannot open {}: {}", path, ErrnoText(e)));
  }
  if (owner) {
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<int>(st.st_uid) != *owner) {
      close(fd);
      // (O_PATH with O_NOFOLLOW opens a symbolic link itself rather than failing with ELOOP.)
      if (S_ISLNK(st.st_mode)) return PermissionDenied(fmt::format("{} is a symbolic link", path));
      return PermissionDenied(
          fmt::format("{} is not a regular file owned by uid {}: not read", path, *owner));
    }
    const std::string self = "/proc/self/fd/" + std::to_string(fd);
    int readable = open(self.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    int e = errno;
    close(fd);
    if (readable < 0) return Internal(fmt::format("cannot open {}: {}", path, ErrnoText(e)));
    fd = readable;
  }
  std::string data(max_bytes, '\0');
  ssize_t n = pread(fd, data.data(), max_bytes, offset);
  int e = errno;
  close(fd);
  if (n < 0) return Internal(fmt::format("cannot read {}: {}", path, ErrnoText(e)));
  data.resize(static_cast<size_t>(n));
  return data;
}

class RealFileSystem : public FileSystem {
 public:
  Result<std::string> ReadFile(const std::string& path) const override {
    return agent::ReadFile(path);
  }

  Result<std::string> ReadAt(const std::string& path, int64_t offset,
                             size_t max_bytes) const override {
    return OpenAndRead(path, offset, max_bytes, std::nullopt);
  }

  Result<std::string> ReadAtOwnedBy(const std::string& path, int64_t offset, size_t max_bytes,
                                    int uid) const override {
    return OpenAndRead(path, offset, max_bytes, uid);
  }

  Result<FileInfo> Stat(const std::string& path) const override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) {
      int e = errno;
      if (e == ENOENT) return NotFound(fmt::format("{} does not exist", path));
      return Internal(fmt::format("cannot stat {}: {}", path, ErrnoText(e)));
    }
    return FileInfo{st.st_size, st.st_mtime, S_ISDIR(st.st_mode)};
  }

  bool Exists(const std::string& path) const override { return agent::Exists(path); }

  std::vector<std::string> ListDir(const std::string& path) const override {
    return agent::ListDir(path);
  }

  Status WriteFileAtomic(const std::string& path, const std::string& data, int mode) override {
    return agent::WriteFileAtomic(path, data, mode);
  }

  Status Append(const std::string& path, const std::string& data) override {
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return Internal(fmt::format("cannot open {}: {}", path, ErrnoText(errno)));
    int e = WriteAll(fd, data);
    close(fd);
    if (e != 0) return Internal(fmt::format("cannot write {}: {}", path, ErrnoText(e)));
    return Status::Ok();
  }

  Status Truncate(const std::string& path) override {
    if (truncate(path.c_str(), 0) != 0)
      return Internal(fmt::format("cannot truncate {}: {}", path, ErrnoText(errno)));
    return Status::Ok();
  }

  Status MakeDirs(const std::string& path, int mode) override {
    return agent::MakeDirs(path, mode);
  }

  Status SetMode(const std::string& path, int mode) override {
    if (chmod(path.c_str(), static_cast<mode_t>(mode)) != 0)
      return Internal(fmt::format("cannot chmod {}: {}", path, ErrnoText(errno)));
    return Status::Ok();
  }

  Status SetOwner(const std::string& path, int uid, int gid) override {
    if (chown(path.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid)) != 0)
      return Internal(fmt::format("cannot chown {}: {}", path, ErrnoText(errno)));
    return Status::Ok();
  }

  Status RemoveTree(const std::string& path) override { return agent::RemoveTree(path); }
};

}  // namespace

FileSystem* DefaultFileSystem() {
  static RealFileSystem fs;
  return &fs;
}

}  // namespace suanli::agent
