#include "server/requests.h"

#include <gtest/gtest.h>

#include "server/prices.h"

namespace suanli::server {
namespace {

TEST(RequestsTest, SubmitDefaultsAndShellCommand) {
  auto r = ParseSubmit(
      R"({"command":"echo hi && sleep 1","gpus":0.5,"gpu_type":"nvidia-a100|nvidia-h100"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->spec.command, (std::vector<std::string>{"/bin/sh", "-c", "echo hi && sleep 1"}));
  EXPECT_EQ(r->spec.name, "sh");
  EXPECT_DOUBLE_EQ(r->spec.main.gpus, 0.5);
  EXPECT_EQ(r->spec.main.cpus, 1);
  EXPECT_EQ(r->spec.main.mem_mb, 1024);
  EXPECT_EQ(r->spec.grace_s, 30);
  EXPECT_TRUE(r->spec.requeue);
}

TEST(RequestsTest, ShapesInheritTheMainAsk) {
  auto r = ParseSubmit(
      R"({"command":["t"],"cpus":4,"gpus":2,"shapes":[{"gpus":4,"gpu_type":"ascend-910b","speed":0.55}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->spec.shapes.size(), 1u);
  EXPECT_EQ(r->spec.shapes[0].cpus, 4);
  EXPECT_EQ(r->spec.shapes[0].gpus, 4);
  EXPECT_DOUBLE_EQ(r->spec.shapes[0].speed, 0.55);
}

// One request must not be able to make the controller build thousands of launches that each list
// thousands of peers: gangs are capped at 1024 tasks and each task asks for at least 0.01 cpus.
TEST(RequestsTest, SubmitCapsGangSizeAndTinyTasks) {
  auto error = [](const std::string& body) { return ParseSubmit(body).status().message(); };
  EXPECT_EQ(error(R"({"command":["a"],"tasks":4096,"cpus":1})"),
            "field 'tasks' must be between 1 and 1024");
  EXPECT_EQ(error(R"({"command":["a"],"tasks":8,"cpus":0.001})"),
            "field 'cpus' must be at least 0.01 per task");
  EXPECT_EQ(error(R"({"command":["a"],"gpus":1,"cpus":0})"),
            "field 'cpus' must be at least 0.01 per task");
  auto ok = ParseSubmit(R"({"command":["a"],"tasks":1024,"cpus":0.01})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->spec.main.tasks, 1024);
}

TEST(RequestsTest, SubmitRejectsContradictionsAndBadTypes) {
  EXPECT_NE(ParseSubmit(R"({"command":["a"],"script":"b"})").status().message().find("not both"),
            std::string::npos);
  EXPECT_NE(ParseSubmit(R"({"command":["a"],"gpu_type":"a||b","gpus":1})")
                .status()
                .message()
                .find("gpu_type"),
            std::string::npos);
  EXPECT_NE(ParseSubmit(R"({"command":["a"],"cpus":0,"mem_mb":0})")
                .status()
                .message()
                .find("no resources"),
            std::string::npos);
  EXPECT_NE(
      ParseSubmit(R"({"command":["a"],"time_limit_s":-5})").status().message().find("time_limit_s"),
      std::string::npos);
}

TEST(RequestsTest, SignalTakesSbatchSyntaxAndABadOneIsNamed) {
  auto r = ParseSubmit(R"({"command":["true"],"time_limit_s":600,"signal":"B:SIGUSR1@90"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->spec.advance_signal, (store::AdvanceSignal{10, 90, true}));
  r = ParseSubmit(R"({"command":["true"],"signal":"TERM"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->spec.advance_signal, (store::AdvanceSignal{15, 60, false})) << "sbatch's 60 s";
  for (const char* bad : {R"("USR9@5")", R"("B:USR1@x")", R"(10)"}) {
    auto b = ParseSubmit(std::string(R"({"command":["true"],"signal":)") + bad + "}");
    ASSERT_FALSE(b.ok()) << bad;
    EXPECT_NE(b.status().message().find("'signal'"), std::string::npos) << b.status().message();
  }
}

TEST(RequestsTest, OutputFilesAreAbsolutePatternsAndOpenModeNeedsOne) {
  auto r =
      ParseSubmit(R"({"command":["true"],"output":"/home/a/logs/%x-%j.out","open_mode":"append"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->spec.output_files, (store::OutputFiles{"/home/a/logs/%x-%j.out", "", true}));
  r = ParseSubmit(R"({"command":["true"],"error":"/tmp/e-%A_%a.err"})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->spec.output_files, (store::OutputFiles{"", "/tmp/e-%A_%a.err", false}));
  struct Bad {
    const char* body;
    const char* named;
  } bad[] = {
      {R"("output":"logs/%j.out")", "'output' must be an absolute path"},
      {R"("error":"/a\nb")", "'error' must be an absolute path"},
      {R"("output":"/x","open_mode":"sometimes")", "'append' or 'truncate', not 'sometimes'"},
      {R"("open_mode":"append")", "needs 'output' or 'error'"},
      {R"("output":7)", "output"}};
  for (const auto& b : bad) {
    auto p = ParseSubmit(std::string(R"({"command":["true"],)") + b.body + "}");
    ASSERT_FALSE(p.ok()) << b.body;
    EXPECT_NE(p.status().message().find(b.named), std::string::npos) << p.status().message();
  }
}

TEST(RequestsTest, TenantBudgetPeriodDefaultsToMonthAndAcceptsOnlyKnownNames) {
  auto plain = ParseTenant(R"({"name":"lab","budget_accel_hours":10})");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(plain->budget_period, core::BudgetPeriod::kMonth);
  for (auto [name, period] :
       {std::pair{"day", core::BudgetPeriod::kDay}, std::pair{"week", core::BudgetPeriod::kWeek},
        std::pair{"month", core::BudgetPeriod::kMonth},
        std::pair{"total", core::BudgetPeriod::kTotal}}) {
    auto r = ParseTenant(std::string(R"({"name":"lab","budget_period":")") + name + R"("})");
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    EXPECT_EQ(r->budget_period, period) << name;
  }
  auto bad = ParseTenant(R"({"name":"lab","budget_period":"Monthly"})");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(),
            "field 'budget_period' must be day, week, month or total, not 'Monthly'");
  EXPECT_EQ(ParseTenant(R"({"name":"lab","budget_period":""})").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTenant(R"({"name":"lab","budget_period":["day"]})").status().message(),
            "field 'budget_period' must be a string");
}

TEST(RequestsTest, ParsesTimesInEveryForm) {
  EXPECT_EQ(*ParseTime("2026-01-01", "since"), 1767225600000);
  EXPECT_EQ(*ParseTime("2026-01-01T00:00:10Z", "since"), 1767225610000);
  EXPECT_EQ(*ParseTime("1767225600.5", "since"), 1767225600500);
  EXPECT_FALSE(ParseTime("yesterday", "since").ok());
  EXPECT_FALSE(ParseTime("2026-13-45", "since").ok());
  EXPECT_EQ(*ParseTime("1970-01-01", "since"), 0);
}

TEST(RequestsTest, RefusesTimesWithANulOrBefore1970) {
  for (const std::string bad : {std::string("5\0junk", 6), std::string("2026-01-01\0x", 12),
                                std::string("1969-12-31"), std::string("1960-01-01T00:00:00Z")}) {
    auto t = ParseTime(bad, "since");
    ASSERT_FALSE(t.ok()) << "accepted " << bad.size() << " bytes";
    EXPECT_NE(t.status().message().find("'since'"), std::string::npos);
  }
}

TEST(RequestsTest, PollEventsNeedIdsAndKnownKinds) {
  EXPECT_TRUE(
      ParsePoll(R"({"events":[{"job_id":1,"attempt":1,"task":0,"event":"exited","exit_code":0}]})")
          .ok());
  EXPECT_FALSE(ParsePoll(R"({"events":[{"job_id":1,"attempt":1,"event":"exploded"}]})").ok());
  EXPECT_FALSE(ParsePoll(R"({"events":[{"attempt":1,"event":"started"}]})").ok());
  EXPECT_FALSE(ParsePoll(R"({"wait_ms":999999})").ok());
}

TEST(RequestsTest, LogUploadDecodesBase64) {
  auto r = ParseLogUpload(
      R"({"job_id":1,"attempt":1,"task":0,"stream":"stdout","offset":0,"data":"aGk="})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data, "hi");
  EXPECT_FALSE(ParseLogUpload(R"({"job_id":1,"attempt":1,"stream":"stdin","data":""})").ok());
}

TEST(RequestsTest, PriceTableOverridesDefaults) {
  auto t = ParsePriceTable(R"({"cpu_hour":0.5,"accel_hour":{"nvidia-a100":9}})");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_DOUBLE_EQ(t->cpu_hour, 0.5);
  EXPECT_DOUBLE_EQ(t->AccelHourPrice("nvidia-a100"), 9);
  EXPECT_DOUBLE_EQ(t->AccelHourPrice("nvidia-h100"), 4.0);  // default kept
  EXPECT_FALSE(ParsePriceTable(R"({"cpu_hour":-1})").ok());
  EXPECT_FALSE(ParsePriceTable(R"({"gpu_hour":1})").ok());
}

// Issue #17 part 9: what would be cut at exec or forge displayed output is refused, naming the
// field, and nothing of it is kept.
TEST(RequestsTest, SubmitRefusesNulAndControlCharacters) {
  auto error = [](const std::string& body) { return ParseSubmit(body).status().message(); };
  EXPECT_EQ(error(R"({"command":["echo","a\u0000b"]})"),
            "field 'command[1]' must not contain a NUL character (U+0000)");
  EXPECT_EQ(error(R"({"command":"echo a\u0000b"})"),
            "field 'command' must not contain a NUL character (U+0000)");
  EXPECT_EQ(error(R"({"script":"#!/bin/sh\necho\u0000"})"),
            "field 'script' must not contain a NUL character (U+0000)");
  EXPECT_EQ(error(R"({"command":["t"],"name":"a\u0000b"})"),
            "field 'name' must not contain a NUL character (U+0000)");
  EXPECT_EQ(error(R"({"command":["t"],"name":"a\r\nb"})"),
            "field 'name' must not contain control characters (U+000D)");
  EXPECT_EQ(error(R"({"command":["t"],"name":"x\u202Etxt.exe"})"),
            "field 'name' must not contain bidirectional control characters (U+202E)");
  EXPECT_EQ(error(R"({"command":["t"],"idempotency_key":"k\n1"})"),
            "field 'idempotency_key' must not contain control characters (U+000A)");
  EXPECT_EQ(error(R"({"command":["t"],"env":{"A=B":"c"}})"),
            "field 'env' has a key that is empty or holds '=': 'A=B'");
  EXPECT_EQ(error(R"({"command":["t"],"env":{"":"c"}})"),
            "field 'env' has a key that is empty or holds '=': ''");
  EXPECT_EQ(error(R"({"command":["t"],"env":{"A\u0000B":"c"}})"),
            "field 'env' must not contain a NUL character (U+0000)");
  EXPECT_EQ(error(R"({"command":["t"],"env":{"A":"c\u0000d"}})"),
            "field 'env.A' must not contain a NUL character (U+0000)");
  // Newlines stay allowed where they are data, and a name taken from the command is made safe.
  auto ok = ParseSubmit(R"({"command":["/opt/x\ny","a\nb"],"env":{"A":"1\n2"}})");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->spec.name, "job");
  // Tenant names follow the name rule, and the error does not echo the control character.
  std::string tenant = ParseSubmit(R"({"command":["t"],"tenant":"a\nb"})").status().message();
  EXPECT_EQ(tenant.find('\n'), std::string::npos) << tenant;
  EXPECT_FALSE(ParseUser(R"({"name":"u\u0000","tenant":"t"})").ok());
  EXPECT_FALSE(ParseTenant(R"({"name":"t\u0000x"})").ok());
}

}  // namespace
}  // namespace suanli::server
