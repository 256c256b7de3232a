#include "cli/connection.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace suanli::cli {
namespace {

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/suanli-cli-conn-XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::ofstream(dir_ + "/url") << "http://127.0.0.1:9001\n";
    std::ofstream(dir_ + "/admin.token") << "sl_dirtoken\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  EnvLookup Env() {
    return [this](const std::string& k) { return env_.count(k) ? env_[k] : std::string(); };
  }
  std::string dir_;
  std::map<std::string, std::string> env_;
};

TEST_F(ConnectionTest, FlagsWinOverEverything) {
  env_ = {{"SUANLI_URL", "http://10.0.0.1:1"}, {"SUANLI_TOKEN", "envtok"}};
  auto c = ResolveConnection({"127.0.0.1:8080/", "flagtok", dir_}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->url, "http://127.0.0.1:8080");
  EXPECT_EQ(c->token, "flagtok");
}

TEST_F(ConnectionTest, DataDirWinsOverEnvironment) {
  env_ = {{"SUANLI_URL", "http://10.0.0.1:1"}, {"SUANLI_TOKEN", "envtok"}};
  auto c = ResolveConnection({"", "", dir_}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->url, "http://127.0.0.1:9001");
  EXPECT_EQ(c->token, "sl_dirtoken");
}

TEST_F(ConnectionTest, EnvironmentIsUsedWithoutFlags) {
  env_ = {{"SUANLI_URL", "http://127.0.0.1:7000"}, {"SUANLI_TOKEN", "envtok"}};
  auto c = ResolveConnection({}, Env());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->url, "http://127.0.0.1:7000");
  EXPECT_EQ(c->token, "envtok");
  EXPECT_EQ(c->url_source, "SUANLI_URL");
}

TEST_F(ConnectionTest, FallsBackToDataDirectoryInTheWorkingDirectory) {
  auto old = std::filesystem::current_path();
  std::filesystem::create_directories(dir_ + "/lab/data");
  std::ofstream(dir_ + "/lab/data/url") << "http://127.0.0.1:9002\n";
  std::ofstream(dir_ + "/lab/data/admin.token") << "sl_labtoken\n";
  std::filesystem::current_path(dir_ + "/lab");
  auto c = ResolveConnection({}, Env());
  std::filesystem::current_path(old);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->url, "http://127.0.0.1:9002");
  EXPECT_EQ(c->token, "sl_labtoken");
}

TEST_F(ConnectionTest, MissingUrlExplainsTheWaysToGiveOne) {
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir_);  // holds url, but not data/url
  auto c = ResolveConnection({}, Env());
  std::filesystem::current_path(old);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("SUANLI_URL"), std::string::npos);
}

TEST_F(ConnectionTest, MissingTokenIsAnAuthError) {
  env_ = {{"SUANLI_URL", "http://127.0.0.1:7000"}};
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir_);
  auto c = ResolveConnection({}, Env());
  auto optional = ResolveConnection({}, Env(), /*require_token=*/false);
  std::filesystem::current_path(old);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(c.status().message().find("SUANLI_TOKEN"), std::string::npos);
  EXPECT_TRUE(optional.ok());
}

TEST(NormalizeUrl, AddsSchemeAndRejectsNonsense) {
  EXPECT_EQ(*NormalizeUrl("127.0.0.1:80"), "http://127.0.0.1:80");
  EXPECT_EQ(*NormalizeUrl("http://h:1//"), "http://h:1");
  EXPECT_FALSE(NormalizeUrl("ftp://h:1").ok());
  EXPECT_FALSE(NormalizeUrl("http://").ok());
  EXPECT_FALSE(NormalizeUrl("").ok());
}

}  // namespace
}  // namespace suanli::cli
