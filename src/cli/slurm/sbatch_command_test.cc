// sbatch in-process, without a server: stdin scripts, --test-only, and errors in Slurm's words.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "cli/slurm/commands.h"

namespace suanli::cli::slurm_cmd {
namespace {

struct Outcome {
  int code;
  std::string out, err;
};

Outcome Sbatch(const std::vector<std::string>& args, const std::string& stdin_text = "",
               std::map<std::string, std::string> env = {}) {
  std::ostringstream out, err;
  std::istringstream in(stdin_text);
  CommandContext ctx{out, err, [env](const std::string& k) {
                       auto it = env.find(k);
                       return it == env.end() ? std::string() : it->second;
                     }};
  ctx.in = &in;
  int code = RunSlurmCommand("sbatch", args, ctx);
  return {code, out.str(), err.str()};
}

TEST(SbatchCommandTest, TestOnlyReadsTheScriptFromStdin) {
  auto r =
      Sbatch({"--test-only", "-c", "4"}, "#!/bin/sh\n#SBATCH -c 2 -t 30 --qos=high\necho hi\n");
  EXPECT_EQ(r.code, 0) << r.err;
  auto body = nlohmann::json::parse(r.out);
  EXPECT_EQ(body["name"], "sbatch");
  EXPECT_EQ(body["cpus"], 4) << "the command line overrides the directive";
  EXPECT_EQ(body["time_limit_s"], 1800);
  EXPECT_EQ(body["script"], "<3 lines, 48 bytes>");
  EXPECT_NE(r.err.find("sbatch: warning: --qos is not supported by Suanli yet"), std::string::npos)
      << r.err;
}

TEST(SbatchCommandTest, ErrorsNameTheLineAndExitOne) {
  auto r = Sbatch({"--test-only"}, "#!/bin/sh\n#SBATCH --nodes=2\n#SBATCH --gres=gpu:x:y\n");
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("sbatch: error: line 3: ", 0), 0u) << r.err;
  auto no_shebang = Sbatch({"--test-only"}, "echo hi\n");
  EXPECT_EQ(no_shebang.code, 1);
  EXPECT_NE(no_shebang.err.find("This does not look like a batch script"), std::string::npos)
      << no_shebang.err;
  auto missing = Sbatch({"--test-only", "/nonexistent/job.sh"});
  EXPECT_EQ(missing.err, "sbatch: error: Unable to open file /nonexistent/job.sh\n");
  auto args = Sbatch({"--test-only", "/nonexistent/job.sh", "arg"});
  EXPECT_NE(args.err.find("script arguments are not supported"), std::string::npos);
}

TEST(SbatchCommandTest, WrapAndQuiet) {
  auto r = Sbatch({"--test-only", "-Q", "--wrap", "echo hi", "--mail-type=END"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["name"], "wrap");
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << r.err;
}

TEST(SbatchCommandTest, SbatchVariablesSitBetweenDirectivesAndTheCommandLine) {
  const std::string script = "#!/bin/sh\n#SBATCH -t 30 -c 2\necho hi\n";
  auto r = Sbatch({"--test-only"}, script, {{"SBATCH_TIMELIMIT", "45"}, {"SBATCH_JOB_NAME", "env"}});
  ASSERT_EQ(r.code, 0) << r.err;
  auto body = nlohmann::json::parse(r.out);
  EXPECT_EQ(body["time_limit_s"], 45 * 60) << "SBATCH_TIMELIMIT overrides the directive";
  EXPECT_EQ(body["name"], "env");
  EXPECT_EQ(body["cpus"], 2);
  r = Sbatch({"--test-only", "-t", "50"}, script, {{"SBATCH_TIMELIMIT", "45"}});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["time_limit_s"], 50 * 60) << "the command line wins";
  r = Sbatch({"--test-only"}, script, {{"SBATCH_TIMELIMIT", "whenever"}});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("time"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace suanli::cli::slurm_cmd
