// Flexible shapes through the real binary, agent and CLI: a job that lists `--shape`s runs on its
// full shape on an idle cluster and on its half shape when the full one would wait longer; the
// choice, its reason and the shape's environment reach `suanli show` and the task; a script's
// `#SUANLI --shape` lines do the same; an impossible shape is refused, named.
#include <chrono>
#include <fstream>
#include <thread>

#include "support/up_fixture.h"

namespace suanli::it {
namespace {

constexpr const char* kPrintShape =
    "echo shape=$SUANLI_SHAPE of=$SUANLI_SHAPES gpus=$SUANLI_SHAPE_GPUS "
    "speed=$SUANLI_SHAPE_SPEED limit=$SUANLI_TIME_LIMIT_S";

class FlexibleShapesTest : public UpTest {
 protected:
  // A 10-minute job that may run on 8 GPUs or on 4 at 0.55 speed, printing what it was told.
  void RunFlexible(int64_t* id, nlohmann::json* job) {
    *id = Submit({"--time", "10m", "--shape", "gpus=8", "--shape", "gpus=4,mem=512M,speed=0.55",
                  "--", "sh", "-c", kPrintShape});
    *job = WaitForState(*id, "COMPLETED,FAILED");
    ASSERT_EQ((*job)["state"], "COMPLETED") << job->dump();
  }
  std::string Logs(int64_t id) {
    auto out = up().Cli({"logs", std::to_string(id)});
    EXPECT_EQ(out.exit.exit_code, 0) << out.Describe();
    return out.out;
  }
};

TEST_F(FlexibleShapesTest, TakesItsFullShapeOnAnIdleCluster) {
  START_UP({"--accelerators", "nvidia-a100:8"});
  ASSERT_TRUE(HasUpNode(up()));
  int64_t id = 0;
  nlohmann::json job;
  ASSERT_NO_FATAL_FAILURE(RunFlexible(&id, &job));
  EXPECT_EQ(job["shape_index"], 0) << job.dump();
  EXPECT_EQ(job["shape"]["gpus"], 8.0) << job.dump();
  EXPECT_NE(job["shape_reason"].get<std::string>().find("shape 0 (8 gpus"), std::string::npos)
      << job.dump();
  EXPECT_NE(job["shape_reason"].get<std::string>().find("fastest"), std::string::npos);
  EXPECT_EQ(Logs(id), "shape=0 of=2 gpus=8 speed=1 limit=600\n");
  auto shown = up().Cli({"show", std::to_string(id)});
  EXPECT_NE(shown.out.find("Shape:"), std::string::npos) << shown.Describe();
  EXPECT_NE(shown.out.find("the fastest shape"), std::string::npos) << shown.Describe();
}

TEST_F(FlexibleShapesTest, TakesItsHalfShapeWhenTheFullOneWouldWaitLonger) {
  START_UP({"--accelerators", "nvidia-a100:8"});
  ASSERT_TRUE(HasUpNode(up()));
  // Half the GPUs are busy for up to an hour: the full shape would start in ~60 min and finish in
  // ~70 min, the half one now and within 600 / 0.55 s (~18 min).
  int64_t busy = Submit({"--gpus", "4", "--time", "1h", "--", "sleep", "120"});
  WaitForState(busy, "RUNNING");
  int64_t id = 0;
  nlohmann::json job;
  ASSERT_NO_FATAL_FAILURE(RunFlexible(&id, &job));
  EXPECT_EQ(job["shape_index"], 1) << job.dump();
  EXPECT_EQ(job["shape"]["gpus"], 4.0) << job.dump();
  EXPECT_EQ(job["shape"]["mem_mb"], 512) << job.dump();
  const std::string why = job["shape_reason"].get<std::string>();
  EXPECT_EQ(why.rfind("shape 1 (4 gpus", 0), 0u) << why;
  EXPECT_NE(why.find("shape 0 (8 gpus"), std::string::npos) << why;
  // The full shape's start is the busy job's time limit, under an hour from now.
  EXPECT_TRUE(why.find("would start in ~60 min") != std::string::npos ||
              why.find("would start in ~59 min") != std::string::npos)
      << why;
  EXPECT_NE(why.find("finishes in ~18 min (its 600 s time limit at speed 0.55)"), std::string::npos)
      << why;
  // The limit is the work at speed 1: at 0.55 the job may run 600 / 0.55 s.
  EXPECT_EQ(Logs(id), "shape=1 of=2 gpus=4 speed=0.55 limit=1091\n");
  auto shown = up().Cli({"show", std::to_string(id)});
  EXPECT_NE(shown.out.find("would start in"), std::string::npos) << shown.Describe();
  auto cancel = up().Cli({"cancel", std::to_string(busy)});
  EXPECT_EQ(cancel.exit.exit_code, 0) << cancel.Describe();
}

TEST_F(FlexibleShapesTest, ScriptDirectivesListTheShapes) {
  START_UP({"--accelerators", "nvidia-a100:8"});
  ASSERT_TRUE(HasUpNode(up()));
  int64_t busy = Submit({"--gpus", "6", "--time", "1h", "--", "sleep", "120"});
  WaitForState(busy, "RUNNING");
  const std::string script = dir() + "/flex.sh";
  {
    std::ofstream f(script);
    f << "#!/bin/sh\n#SUANLI --shape gpus=4\n#SUANLI --shape=gpus=2,speed=0.6\n" << kPrintShape
      << "\n";
  }
  int64_t id = Submit({"--time", "5m", script});
  nlohmann::json job = WaitForState(id, "COMPLETED,FAILED");
  ASSERT_EQ(job["state"], "COMPLETED") << job.dump();
  EXPECT_EQ(job["resources"]["gpus"], 4.0) << job.dump();
  ASSERT_EQ(job["shapes"].size(), 1u) << job.dump();
  EXPECT_EQ(job["shapes"][0]["speed"], 0.6) << job.dump();
  EXPECT_EQ(job["shape_index"], 1) << job.dump();
  EXPECT_EQ(Logs(id), "shape=1 of=2 gpus=2 speed=0.6 limit=500\n");
  up().Cli({"cancel", std::to_string(busy)});
}

TEST_F(FlexibleShapesTest, AnImpossibleShapeIsRefusedNamingIt) {
  START_UP({"--accelerators", "nvidia-a100:8"});
  ASSERT_TRUE(HasUpNode(up()));
  auto out = up().Cli({"submit", "--shape", "gpus=8", "--shape", "gpus=16,speed=1.5", "--", "true"});
  EXPECT_EQ(out.exit.exit_code, 2) << out.Describe();
  EXPECT_NE(out.err.find("shape 1 (16 gpus"), std::string::npos) << out.Describe();
  EXPECT_NE(out.err.find("the largest node has 8"), std::string::npos) << out.Describe();
  auto bad_key = up().Cli({"submit", "--shape", "gpus=8,colour=red", "--", "true"});
  EXPECT_EQ(bad_key.exit.exit_code, 2) << bad_key.Describe();
  EXPECT_NE(bad_key.err.find("unknown key 'colour'"), std::string::npos) << bad_key.Describe();
  auto queue = up().Cli({"queue", "--all", "--json"});
  EXPECT_EQ(nlohmann::json::parse(queue.out)["jobs"].size(), 0u) << queue.out;
}

}  // namespace
}  // namespace suanli::it
