#include "slurm/input_env.h"

#include <gtest/gtest.h>

#include <map>

#include "slurm/directives.h"
#include "slurm/test_support.h"

namespace suanli::slurm {
namespace {

EnvGetter From(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) {
    auto it = vars.find(k);
    return it == vars.end() ? std::string() : it->second;
  };
}

TEST(SbatchEnvTest, SetVariablesBecomeOptionsAndFlagsTakeNoValue) {
  auto opts = SbatchEnvOptions(
      From({{"SBATCH_TIMELIMIT", "1:00:00"}, {"SBATCH_ACCOUNT", "physics"},
            {"SBATCH_REQUEUE", "1"}, {"SBATCH_PARTITION", ""}, {"HOME", "/root"}}));
  EXPECT_EQ(opts, (std::vector<std::string>{"--account=physics", "--requeue", "--time=1:00:00"}));
  EXPECT_TRUE(SbatchEnvOptions(From({})).empty());
  // Every name read is one of sbatch's own.
  for (const auto& name : SbatchEnvNames()) EXPECT_TRUE(name.starts_with("SBATCH_")) << name;
}

TEST(SbatchEnvTest, DirectivesThenEnvironmentThenCommandLine) {
  const std::string script =
      "#!/bin/bash\n#SBATCH --time=10\n#SBATCH --job-name=from-script\n#SBATCH -A chem\nhostname\n";
  std::vector<std::string> argv =
      SbatchEnvOptions(From({{"SBATCH_TIMELIMIT", "20"}, {"SBATCH_JOB_NAME", "from-env"}}));
  // The environment overrides the script...
  auto parsed = ParseBatchSubmission(script, argv, TestParseOptions());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_TRUE(parsed->request.time_limit.has_value());
  EXPECT_EQ(parsed->request.time_limit->seconds, 20 * 60);
  EXPECT_EQ(parsed->request.job_name, "from-env");
  EXPECT_EQ(parsed->request.account, "chem");  // not set in the environment: the script's
  // ...and the command line, coming after, overrides the environment.
  argv.push_back("--time=30");
  parsed = ParseBatchSubmission(script, argv, TestParseOptions());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->request.time_limit->seconds, 30 * 60);
}

TEST(SbatchEnvTest, ABadValueIsNamedAsItsOption) {
  auto argv = SbatchEnvOptions(From({{"SBATCH_TIMELIMIT", "soon"}}));
  auto parsed = ParseBatchSubmission("#!/bin/sh\ntrue\n", argv, TestParseOptions());
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("time"), std::string::npos)
      << parsed.status().ToString();
}

}  // namespace
}  // namespace suanli::slurm
