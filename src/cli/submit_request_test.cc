#include "cli/submit_request.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace suanli::cli {
namespace {

TEST(BuildSubmitRequest, CommandAfterDoubleDashWithAllFlags) {
  SubmitFlags f;
  f.tenant = "physics";
  f.cpus = "0.5";
  f.mem = "32G";
  f.gpus = "2";
  f.gpu_type = "nvidia-a100";
  f.nodes = "4";
  f.time = "1:30:00";
  f.priority = "-3";
  f.idempotency_key = "k1";
  f.env = {"A=1", "B=x=y"};
  f.no_requeue = true;
  f.positional = {"/usr/bin/python3", "train.py", "--lr", "0.1"};
  auto body = BuildSubmitRequest(f, /*saw_double_dash=*/true);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ(*body, nlohmann::json::parse(R"({
    "command": ["/usr/bin/python3", "train.py", "--lr", "0.1"], "name": "python3",
    "tenant": "physics", "cpus": 0.5, "mem_mb": 32768, "gpus": 2.0, "gpu_type": "nvidia-a100",
    "tasks": 4, "time_limit_s": 5400, "priority": -3, "idempotency_key": "k1",
    "env": {"A": "1", "B": "x=y"}, "requeue": false})"));
}

TEST(BuildSubmitRequest, OnlyGivenFieldsAreSent) {
  SubmitFlags f;
  f.positional = {"echo", "hi"};
  f.name = "greeting";
  auto body = BuildSubmitRequest(f, true);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, nlohmann::json::parse(R"({"command": ["echo", "hi"], "name": "greeting"})"));
}

TEST(BuildSubmitRequest, ScriptFileIsSentAsScript) {
  char tmpl[] = "/tmp/suanli-cli-script-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/job.sh") << "#!/bin/bash\necho hi\n";
  SubmitFlags f;
  f.positional = {dir + "/job.sh"};
  auto body = BuildSubmitRequest(f, false);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["script"], "#!/bin/bash\necho hi\n");
  EXPECT_EQ((*body)["name"], "job.sh");
  EXPECT_FALSE(body->contains("command"));
}

TEST(BuildSubmitRequest, ClearErrors) {
  auto error_of = [](SubmitFlags f, bool dash) {
    return BuildSubmitRequest(f, dash).status().message();
  };
  SubmitFlags base;
  base.positional = {"echo"};
  EXPECT_NE(error_of(SubmitFlags{}, true).find("nothing to run"), std::string::npos);
  SubmitFlags no_dash = base;
  no_dash.positional = {"echo", "hi"};
  EXPECT_NE(error_of(no_dash, false).find("put `--` before a command"), std::string::npos);
  SubmitFlags missing = base;
  missing.positional = {"/nonexistent/job.sh"};
  EXPECT_NE(error_of(missing, false).find("not a readable file"), std::string::npos);
  SubmitFlags mem = base;
  mem.mem = "32X";
  EXPECT_NE(error_of(mem, true).find("--mem: invalid size '32X'"), std::string::npos);
  SubmitFlags time = base;
  time.time = "2y";
  EXPECT_NE(error_of(time, true).find("--time: invalid duration '2y'"), std::string::npos);
  SubmitFlags gpus = base;
  gpus.gpus = "1.5";
  EXPECT_NE(error_of(gpus, true).find("whole number"), std::string::npos);
  SubmitFlags nodes = base;
  nodes.nodes = "0";
  EXPECT_NE(error_of(nodes, true).find("--nodes '0'"), std::string::npos);
  SubmitFlags cpus = base;
  cpus.cpus = "-2";
  EXPECT_NE(error_of(cpus, true).find("--cpus '-2'"), std::string::npos);
  SubmitFlags env = base;
  env.env = {"NOEQUALS"};
  EXPECT_NE(error_of(env, true).find("--env"), std::string::npos);
  SubmitFlags gpu_share = base;
  gpu_share.gpus = "0.5";
  EXPECT_TRUE(BuildSubmitRequest(gpu_share, true).ok());
}

}  // namespace
}  // namespace suanli::cli
