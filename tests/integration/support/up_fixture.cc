#include "support/up_fixture.h"

#include <functional>
#include <set>
#include <sstream>

namespace suanli::it {

void UpTest::SetUp() {
  ASSERT_FALSE(SuanliBinary().empty()) << "SUANLI_BINARY is not set; run through ctest";
  dir_ = std::make_unique<TempDir>("up");
}

void UpTest::TearDown() {
  if (up_ && HasFailure()) {
    std::cerr << "--- suanli up stdout ---\n"
              << up_->stdout_text() << "--- stderr ---\n"
              << up_->stderr_text() << "---\n";
  }
  if (up_) up_->Terminate(std::chrono::seconds(10));
  up_.reset();
}

void UpTest::StartUp(std::vector<std::string> extra_args) {
  UpOptions options;
  options.extra_args = std::move(extra_args);
  auto started = UpProcess::Start(dir_->path() + "/data", options);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  up_ = std::move(started).value();
}

int64_t UpTest::Submit(const std::vector<std::string>& args, std::optional<std::string> token) {
  std::vector<std::string> full = {"submit"};
  full.insert(full.end(), args.begin(), args.end());
  auto out = up_->Cli(full, token);
  EXPECT_EQ(out.exit.exit_code, 0) << out.Describe();
  try {
    return std::stoll(Trim(out.out));
  } catch (...) {
    ADD_FAILURE() << "submit printed no id: " << out.Describe();
    return -1;
  }
}

nlohmann::json UpTest::Job(int64_t id) {
  auto r = up_->Admin().Get("jobs/" + std::to_string(id));
  EXPECT_EQ(r.status, 200) << r.Describe();
  return r.json();
}

nlohmann::json UpTest::WaitForJob(int64_t id,
                                  const std::function<bool(const nlohmann::json&)>& pred,
                                  const std::string& what, std::chrono::milliseconds timeout) {
  nlohmann::json job;
  bool reached = PollUntil(
      [&] {
        auto r = up_->Admin().Get("jobs/" + std::to_string(id));
        if (r.status != 200) return false;
        job = r.json();
        return job.is_object() && pred(job);
      },
      timeout, std::chrono::milliseconds(25));
  EXPECT_TRUE(reached) << "job " << id << " never " << what << "; last: " << job.dump();
  return job;
}

nlohmann::json UpTest::WaitForState(int64_t id, const std::string& states,
                                    std::chrono::milliseconds timeout) {
  std::set<std::string> wanted;
  std::stringstream ss(states);
  for (std::string s; std::getline(ss, s, ',');) wanted.insert(s);
  return WaitForJob(
      id, [&](const nlohmann::json& j) { return wanted.count(j.value("state", "")) > 0; },
      "reached " + states, timeout);
}

nlohmann::json UpTest::WaitForReason(int64_t id, const std::string& code,
                                     std::chrono::milliseconds timeout) {
  return WaitForJob(
      id, [&](const nlohmann::json& j) { return j.value("reason_code", "") == code; },
      "had reason " + code, timeout);
}

std::string UpTest::CreateUser(const std::string& name, const std::string& tenant,
                               const std::string& role) {
  auto admin = up_->Admin();
  auto t = admin.Get("tenants");
  bool exists = false;
  for (const auto& x : t.json().value("tenants", nlohmann::json::array())) {
    if (x.value("name", "") == tenant) exists = true;
  }
  if (!exists) {
    auto c = admin.Post("tenants", nlohmann::json{{"name", tenant}});
    EXPECT_EQ(c.status, 201) << c.Describe();
  }
  auto u = admin.Post("users", nlohmann::json{{"name", name}, {"tenant", tenant}, {"role", role}});
  EXPECT_EQ(u.status, 201) << u.Describe();
  auto tok = admin.Post("tokens", nlohmann::json{{"user", name}});
  EXPECT_EQ(tok.status, 201) << tok.Describe();
  return tok.json().value("token", "");
}

bool HasUpNode(const UpProcess& up) {
  return PollUntil(
      [&] {
        auto r = up.Admin().Get("nodes");
        for (const auto& n : r.json().value("nodes", nlohmann::json::array())) {
          if (n.value("state", "") == "UP") return true;
        }
        return false;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(50));
}

}  // namespace suanli::it
