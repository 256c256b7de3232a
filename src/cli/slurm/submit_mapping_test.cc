// BatchRequest -> POST /jobs body: the gang shape, GPUs and types, memory, partitions, the
// refusals and the warnings (docs/slurm.md, "The mapping").
#include "cli/slurm/submit_mapping.h"

#include <gtest/gtest.h>

#include "cli/slurm/option_split.h"
#include "slurm/directives.h"

namespace suanli::cli::slurm_cmd {
namespace {

ClusterTypes Cluster() { return {true, {"ascend-910b", "nvidia-a100", "nvidia-h100"}}; }

Result<MappedSubmission> Map(const std::string& directives, std::vector<std::string> argv = {},
                             ClusterTypes cluster = Cluster()) {
  std::string script = "#!/bin/bash\n" + directives + "python train.py\n";
  suanli::slurm::BatchParseOptions options;
  options.clock = {1796597800, 0};
  auto parsed = suanli::slurm::ParseBatchSubmission(script, argv, options);
  if (!parsed.ok()) return parsed.status();
  SubmitContext c;
  c.default_name = "job.sh";
  c.submit_dir = "/home/alice";
  c.env = [](const std::string& k) { return k == "WANDB_KEY" ? std::string("secret") : ""; };
  c.cluster = std::move(cluster);
  return MapBatchRequest(parsed->request, c);
}

TEST(SubmitMappingTest, OneNodeWithTasksAndCpus) {
  auto m = Map("#SBATCH -J bert --ntasks=4 --cpus-per-task=2 --mem=32G --time=1:30:00\n");
  ASSERT_TRUE(m.ok()) << m.status().message();
  const auto& b = m->body;
  EXPECT_EQ(b["name"], "bert");
  EXPECT_EQ(b["tasks"], 1);
  EXPECT_EQ(b["cpus"], 8);
  EXPECT_EQ(b["mem_mb"], 32768);
  EXPECT_EQ(b["time_limit_s"], 5400);
  EXPECT_FALSE(b.contains("gpus"));
  EXPECT_EQ(b["env"]["SLURM_NTASKS"], "4");
  EXPECT_EQ(b["env"]["SLURM_SUBMIT_DIR"], "/home/alice");
  EXPECT_TRUE(m->warnings.empty());
}

TEST(SubmitMappingTest, NodesBecomeTheGangAndGpusAreResolved) {
  auto m = Map("#SBATCH --nodes=4 --ntasks-per-node=8 --gres=gpu:a100:8 --mem-per-cpu=2G\n");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->body["tasks"], 4);
  EXPECT_EQ(m->body["cpus"], 8);
  EXPECT_EQ(m->body["gpus"], 8);
  EXPECT_EQ(m->body["gpu_type"], "nvidia-a100");
  EXPECT_EQ(m->body["mem_mb"], 8 * 2048);
  auto total = Map("#SBATCH -N 2 --gpus=h100:8\n");
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(total->body["gpus"], 4);
  EXPECT_EQ(total->body["gpu_type"], "nvidia-h100");
  EXPECT_NE(Map("#SBATCH -N 3 --gpus=8\n").status().message().find("split evenly"),
            std::string::npos);
  auto per_task = Map("#SBATCH --ntasks-per-node=2 --gpus-per-task=2 --mem-per-gpu=10G\n");
  ASSERT_TRUE(per_task.ok());
  EXPECT_EQ(per_task->body["gpus"], 4);
  EXPECT_EQ(per_task->body["gpu_type"], "any");
  EXPECT_EQ(per_task->body["mem_mb"], 40960);
}

TEST(SubmitMappingTest, PartitionsAreAcceleratorTypes) {
  auto m = Map("#SBATCH -p nvidia-h100 --gpus-per-node=2\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->body["gpu_type"], "nvidia-h100");
  auto unknown = Map("#SBATCH -p gpu --gpus-per-node=1\n");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->body["gpu_type"], "any");
  ASSERT_EQ(unknown->warnings.size(), 1u);
  EXPECT_EQ(unknown->warnings[0],
            "partition 'gpu' is not one of this cluster's (all, ascend-910b, nvidia-a100, "
            "nvidia-h100); ignored");
  auto offline = Map("#SBATCH -p gpu\n", {}, ClusterTypes{});
  ASSERT_TRUE(offline.ok());
  EXPECT_NE(offline->warnings[0].find("was not checked"), std::string::npos);
  EXPECT_TRUE(Map("#SBATCH -p all\n")->warnings.empty());
}

TEST(SubmitMappingTest, CommandLineOverridesAndExport) {
  auto m = Map("#SBATCH -t 10 -A physics --no-requeue\n",
               {"-t", "2-00:00:00", "--export=ALL,NCCL_DEBUG=INFO,WANDB_KEY,UNSET_VAR"});
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->body["time_limit_s"], 2 * 86400);
  EXPECT_EQ(m->body["tenant"], "physics");
  EXPECT_EQ(m->body["requeue"], false);
  EXPECT_EQ(m->body["env"]["NCCL_DEBUG"], "INFO");
  EXPECT_EQ(m->body["env"]["WANDB_KEY"], "secret");
  EXPECT_FALSE(m->body["env"].contains("UNSET_VAR"));
  EXPECT_EQ(Map("#SBATCH -t UNLIMITED\n")->body["time_limit_s"], 0);
}

TEST(SubmitMappingTest, ArraysDependenciesBeginHoldAndChdirGoToTheScheduler) {
  auto m = Map(
      "#SBATCH --array=1-9:2%3 --dependency=afterok:3:4_2?afternotok:3 --hold\n"
      "#SBATCH --begin=2026-12-24T10:00:00 -D out\n");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->body["array"], "1,3,5,7,9%3");
  EXPECT_EQ(m->body["dependency"], "afterok:3:4_2?afternotok:3");
  EXPECT_EQ(m->body["hold"], true);
  EXPECT_TRUE(m->body["begin_time"].is_number());
  EXPECT_EQ(m->body["workdir"], "/home/alice/out");
  for (const auto& w : m->warnings) EXPECT_EQ(w.find("not supported"), std::string::npos) << w;
  EXPECT_EQ(Map("#SBATCH -D /scratch/run\n")->body["workdir"], "/scratch/run");
}

TEST(SubmitMappingTest, IgnoredOptionsWarnOnce) {
  auto m = Map("#SBATCH --qos=high -o logs/%j.out -e logs/%j.err --chdir=/scratch --exclusive\n");
  ASSERT_TRUE(m.ok());
  ASSERT_EQ(m->warnings.size(), 2u);
  EXPECT_EQ(m->warnings[0].rfind("--qos is not supported", 0), 0u);
  EXPECT_EQ(m->warnings[1].rfind("--exclusive is not supported", 0), 0u);
}

TEST(SubmitMappingTest, OutputAndErrorAreInTheJobsWorkingDirectoryWithTheirSymbolsKept) {
  auto m = Map("#SBATCH -o logs/%x-%j.out -e /abs/%A_%a.err --open-mode=append\n");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->body["output"], "/home/alice/logs/%x-%j.out") << "relative: where sbatch runs";
  EXPECT_EQ(m->body["error"], "/abs/%A_%a.err");
  EXPECT_EQ(m->body["open_mode"], "append");
  for (const auto& w : m->warnings) EXPECT_EQ(w.find("--output"), std::string::npos) << w;
  m = Map("#SBATCH -D /scratch/run --output=slurm-%j.out\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->body["output"], "/scratch/run/slurm-%j.out") << "relative: in the -D directory";
  EXPECT_FALSE(m->body.contains("open_mode"));
  m = Map("#SBATCH --open-mode=truncate\n");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->body.contains("open_mode")) << "nothing to open";
  ASSERT_EQ(m->warnings.size(), 1u);
  EXPECT_NE(m->warnings[0].find("--open-mode without --output/--error"), std::string::npos);
}

TEST(OptionSplitTest, ScriptIsTheFirstWordThatIsNoOptionValue) {
  constexpr std::string_view kOwn[] = {"--parsable"};
  auto w =
      SplitOptionWords({"-N", "2", "--parsable", "-Jname", "--time", "5", "job.sh", "-x"}, kOwn);
  EXPECT_EQ(w.options, (std::vector<std::string>{"-N", "2", "-Jname", "--time", "5"}));
  EXPECT_EQ(w.rest, (std::vector<std::string>{"job.sh", "-x"}));
  EXPECT_TRUE(w.own.count("--parsable"));
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("a/b.py"), "a/b.py");
  EXPECT_EQ(ShellQuote(""), "''");
}

}  // namespace
}  // namespace suanli::cli::slurm_cmd
