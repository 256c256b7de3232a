#pragma once
// A fresh directory under $TMPDIR (or /tmp), removed with everything in it when the test ends.
// Set SUANLI_KEEP_TEST_DIRS=1 to keep it for a post-mortem.
#include <string>

namespace suanli::it {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The whole file, or "" when it cannot be read.
std::string ReadFileOr(const std::string& path, const std::string& fallback = "");
void WriteFile(const std::string& path, const std::string& content);

}  // namespace suanli::it
