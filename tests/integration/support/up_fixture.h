#pragma once
// A GoogleTest fixture that owns a temp data dir and a running `suanli up`, plus job helpers.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cluster.h"
#include "support/temp_dir.h"

namespace suanli::it {

class UpTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // Starts (or restarts) `suanli up` on dir(); fails the test with its output when it cannot.
  void StartUp(std::vector<std::string> extra_args = {});
  const std::string& dir() const { return dir_->path(); }
  UpProcess& up() { return *up_; }

  // Submits through the CLI and returns the new id (fails the test on error).
  int64_t Submit(const std::vector<std::string>& args,
                 std::optional<std::string> token = std::nullopt);
  // GET /jobs/{id} as admin.
  nlohmann::json Job(int64_t id);
  // Polls until the job's state is one of `states` (comma-separated) or timeout; returns the job.
  nlohmann::json WaitForState(int64_t id, const std::string& states,
                              std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Polls GET /jobs/{id} until `pred` holds or timeout (failing the test saying the job never
  // `what`); returns the last job seen. WaitForState and WaitForReason are its common cases.
  nlohmann::json WaitForJob(int64_t id, const std::function<bool(const nlohmann::json&)>& pred,
                            const std::string& what, std::chrono::milliseconds timeout);
  // Polls until the job's reason_code is `code` (set by the controller's next pass, so not
  // necessarily at once after a submit or hold) or timeout; returns the job.
  nlohmann::json WaitForReason(int64_t id, const std::string& code,
                               std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Creates tenant/user and returns a token for the user.
  std::string CreateUser(const std::string& name, const std::string& tenant,
                         const std::string& role);

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<UpProcess> up_;
  std::vector<std::string> last_args_;
};

// True when a local agent is registered and UP (the jobs-run tests need one).
bool HasUpNode(const UpProcess& up);

}  // namespace suanli::it

#define START_UP(...) ASSERT_NO_FATAL_FAILURE(StartUp(__VA_ARGS__))
