#include "cli/submit_request.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "cli/command_support.h"

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

TEST(BuildSubmitRequest, ShapesMakeTheMainAskAndItsAlternatives) {
  SubmitFlags f;
  f.gpus = "1";
  f.mem = "8G";
  f.shapes = {"gpus=8", "gpus=4,mem=512G,speed=0.55", "nodes=2,gpus=2,gpu-type=nvidia-h100,cpus=4"};
  f.positional = {"train"};
  auto body = BuildSubmitRequest(f, true);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["gpus"], 8.0);    // the first shape overrides --gpus
  EXPECT_EQ((*body)["mem_mb"], 8192);  // and keeps what it does not name
  EXPECT_EQ((*body)["shapes"], nlohmann::json::parse(R"([
    {"gpus": 4.0, "mem_mb": 524288, "speed": 0.55},
    {"tasks": 2, "gpus": 2.0, "gpu_type": "nvidia-h100", "cpus": 4.0}])"));
}

TEST(BuildSubmitRequest, BadShapesAreRefusedNamingThem) {
  SubmitFlags f;
  f.positional = {"train"};
  for (const auto& [shapes, words] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"gpus=8", "gpus=4,speed=0"}, "--shape 1 speed '0'"},
           {{"gpus=8", "gpus=1.5"}, "--shape 1 gpus '1.5'"},
           {{"gpus=8,speed=0.5"}, "--shape 0 'gpus=8,speed=0.5' is the main ask"},
           {{"gpus=8", "mem=12X"}, "--shape 1 mem: invalid size '12X'"},
           {{"gpus"}, "'gpus' is not KEY=VALUE"},
           {{"gpus=8", ""}, "--shape 1 is empty"},
           {{"gpus=8", "nodes=0"}, "--shape 1 nodes '0'"},
           {{"color=red"}, "unknown key 'color'"}}) {
    f.shapes = shapes;
    auto body = BuildSubmitRequest(f, true);
    ASSERT_FALSE(body.ok()) << shapes.back();
    EXPECT_NE(body.status().message().find(words), std::string::npos) << body.status().message();
  }
}

TEST(ScriptShapeDirectives, ReadsTheHeaderOnly) {
  auto shapes = ScriptShapeDirectives(
      "#!/bin/bash\n\n#SUANLI --shape gpus=8\n# a comment\n#SUANLI --shape=gpus=4,speed=0.5\n"
      "python train.py\n#SUANLI --shape gpus=1\n");
  ASSERT_TRUE(shapes.ok()) << shapes.status().ToString();
  EXPECT_EQ(*shapes, (std::vector<std::string>{"gpus=8", "gpus=4,speed=0.5"}));
  auto other = ScriptShapeDirectives("#!/bin/sh\n#SUANLI --gpus 2\n");
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("script line 2"), std::string::npos);
  EXPECT_NE(other.status().message().find("only --shape"), std::string::npos);
  EXPECT_FALSE(ScriptShapeDirectives("#SUANLI --shape\n").ok());
}

TEST(BuildSubmitRequest, ScriptShapesUnlessTheFlagsGiveThem) {
  const auto path = std::filesystem::temp_directory_path() / "suanli_shape_script_test.sh";
  {
    std::ofstream out(path);
    out << "#!/bin/sh\n#SUANLI --shape gpus=8\n#SUANLI --shape gpus=4,speed=0.5\ntrue\n";
  }
  SubmitFlags f;
  f.positional = {path.string()};
  auto body = BuildSubmitRequest(f, false);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["gpus"], 8.0);
  EXPECT_EQ((*body)["shapes"], nlohmann::json::parse(R"([{"gpus": 4.0, "speed": 0.5}])"));
  f.shapes = {"gpus=2"};
  body = BuildSubmitRequest(f, false);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ((*body)["gpus"], 2.0);
  EXPECT_FALSE(body->contains("shapes"));
  std::filesystem::remove(path);
}

TEST(BuildSubmitRequest, ArrayDependencyBeginHoldAndChdir) {
  SubmitFlags f;
  f.array = "0-9%2";
  f.dependency = "afterok:12,singleton";
  f.begin = "now+1hour";
  f.hold = true;
  f.chdir = "/srv/data/../runs";
  f.positional = {"true"};
  slurm::BeginClock clock{1'800'000'000, 0};
  auto body = BuildSubmitRequest(f, true, &clock);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["array"], "0-9%2");
  EXPECT_EQ((*body)["dependency"], "afterok:12,singleton");
  EXPECT_EQ((*body)["begin_time"], 1'800'003'600);
  EXPECT_EQ((*body)["hold"], true);
  EXPECT_EQ((*body)["workdir"], "/srv/runs");
  f = SubmitFlags{};
  f.positional = {"true"};
  f.chdir = "rel";
  body = BuildSubmitRequest(f, true, &clock);
  ASSERT_TRUE(body.ok());
  EXPECT_TRUE(std::filesystem::path((*body)["workdir"].get<std::string>()).is_absolute());
  f.begin = "someday";
  body = BuildSubmitRequest(f, true, &clock);
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find("--begin"), std::string::npos);
}

}  // namespace
}  // namespace suanli::cli

namespace suanli::cli {
namespace {

TEST(BuildSubmitRequest, OutputFilesAreMadeAbsoluteInTheJobsDirectoryAndOpenModeIsChecked) {
  SubmitFlags f;
  f.positional = {"true"};
  f.chdir = "/srv/runs";
  f.output = "logs/%x-%j.out";
  f.error = "/var/tmp/%j.err";
  f.open_mode = "append";
  auto body = BuildSubmitRequest(f, true);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["output"], "/srv/runs/logs/%x-%j.out");
  EXPECT_EQ((*body)["error"], "/var/tmp/%j.err");
  EXPECT_EQ((*body)["open_mode"], "append");
  f.open_mode = "sometimes";
  ASSERT_FALSE(BuildSubmitRequest(f, true).ok());
  EXPECT_NE(BuildSubmitRequest(f, true).status().message().find("--open-mode 'sometimes'"),
            std::string::npos);
  SubmitFlags g;
  g.positional = {"true"};
  g.open_mode = "append";
  auto none = BuildSubmitRequest(g, true);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("needs --output or --error"), std::string::npos);
}

TEST(BuildSubmitRequest, BrokerFieldsAreSentOnlyWhenGivenAndCheckedHere) {
  SubmitFlags f;
  f.gpus = "1";
  f.positional = {"true"};
  auto plain = BuildSubmitRequest(f, true);
  ASSERT_TRUE(plain.ok());
  for (const char* k : {"objective", "deadline", "max_price"}) EXPECT_FALSE(plain->contains(k));
  f.objective = "cheapest";
  f.deadline = "6h";
  f.max_price = "90.5";
  const double before = NowSeconds();
  auto body = BuildSubmitRequest(f, true);
  ASSERT_TRUE(body.ok()) << body.status().ToString();
  EXPECT_EQ((*body)["objective"], "cheapest");
  EXPECT_DOUBLE_EQ((*body)["max_price"].get<double>(), 90.5);
  // Unix seconds six hours from now.
  EXPECT_NEAR((*body)["deadline"].get<double>(), before + 6 * 3600, 2);
  struct Bad {
    std::string SubmitFlags::*field;
    std::string value, named;
  } bad[] = {{&SubmitFlags::objective, "fastest", "--objective"},
             {&SubmitFlags::deadline, "soon", "--deadline"},
             {&SubmitFlags::max_price, "-3", "--max-price"},
             {&SubmitFlags::max_price, "12abc", "--max-price"}};
  for (const auto& b : bad) {
    SubmitFlags g;
    g.gpus = "1";
    g.positional = {"true"};
    g.*(b.field) = b.value;
    auto r = BuildSubmitRequest(g, true);
    ASSERT_FALSE(r.ok()) << b.value;
    EXPECT_NE(r.status().message().find(b.named), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find(b.value), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace suanli::cli
