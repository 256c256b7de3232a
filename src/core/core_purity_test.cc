// The core may not do I/O, start threads or read a clock: scan its sources, subfolders included
// (preempt/, ...), for such headers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::filesystem::path CoreDir() {
  if (const char* root = std::getenv("SUANLI_SOURCE_DIR"); root && *root) {
    return std::filesystem::path(root) / "src" / "core";
  }
  return std::filesystem::path(__FILE__).parent_path();
}

TEST(CorePurityTest, NoIoThreadsOrClocks) {
  const std::vector<std::string> forbidden = {
      "<iostream>", "<fstream>",      "<sstream>",
      "<cstdio>",   "<stdio.h>",      "<thread>",
      "<mutex>",    "<shared_mutex>", "<condition_variable>",
      "<future>",   "<atomic>",       "<chrono>",
      "<ctime>",    "<time.h>",       "<filesystem>",
      "<sys/",      "<unistd.h>",     "<netinet/",
      "<arpa/",     "<fcntl.h>",      "<signal.h>",
      "<csignal>",  "<pthread.h>",    "spdlog",
      "httplib",    "sqlite3",        "base/clock.h"};
  const std::vector<std::string> forbidden_calls = {"random_device", "system_clock", "steady_clock",
                                                    "getenv", "fopen"};
  const auto dir = CoreDir();
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int scanned = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string name = std::filesystem::relative(entry.path(), dir).string();
    const bool source = name.ends_with(".cc") || name.ends_with(".h");
    if (!entry.is_regular_file() || !source || name.ends_with("_test.cc")) continue;
    std::ifstream in(entry.path());
    std::string line;
    int line_no = 0;
    ++scanned;
    while (std::getline(in, line)) {
      ++line_no;
      const bool include = line.find("#include") != std::string::npos;
      for (const auto& f : forbidden) {
        EXPECT_FALSE(include && line.find(f) != std::string::npos)
            << name << ":" << line_no << " includes " << f;
      }
      if (line.find("//") == 0) continue;
      for (const auto& f : forbidden_calls) {
        EXPECT_EQ(line.find(f), std::string::npos) << name << ":" << line_no << " uses " << f;
      }
    }
  }
  EXPECT_GT(scanned, 5);
}

}  // namespace
