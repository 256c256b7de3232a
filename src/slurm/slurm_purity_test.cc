// The slurm parsers take strings and give values: no files, environment, threads or clocks (the
// caller passes "now" in). Checked here over the library's sources, tests excepted.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

constexpr const char* kForbidden[] = {
    "<iostream>",   "<fstream>",    "<sstream>",    "<cstdio>", "<stdio.h>", "<thread>",
    "<mutex>",      "<atomic>",     "<future>",     "<chrono>", "<ctime>",   "<time.h>",
    "<filesystem>", "<unistd.h>",   "<sys/",        "spdlog",   "clock.h",   "getenv",
    "fopen",        "system_clock", "random_device"};

TEST(SlurmPurityTest, NoIoThreadsOrClocks) {
  std::filesystem::path dir = std::filesystem::path(__FILE__).parent_path();
  if (const char* root = std::getenv("SUANLI_SOURCE_DIR"); root && *root) {
    dir = std::filesystem::path(root) / "src" / "slurm";
  }
  int sources = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    const bool library = (name.ends_with(".cc") && !name.ends_with("_test.cc")) ||
                         (name.ends_with(".h") && name != "test_support.h");
    if (!library) continue;
    ++sources;
    std::ifstream in(entry.path());
    int number = 0;
    for (std::string line; std::getline(in, line);) {
      ++number;
      if (line.starts_with("//")) continue;
      for (const char* word : kForbidden) {
        EXPECT_EQ(line.find(word), std::string::npos) << name << ":" << number << ": " << word;
      }
    }
  }
  EXPECT_GT(sources, 10);
}

}  // namespace
