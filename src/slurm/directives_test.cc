#include "slurm/directives.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "slurm/test_support.h"

namespace suanli::slurm {
namespace {

using testing::ElementsAre;
using testing::HasSubstr;

constexpr int64_t kNow = kTestNow;
BatchParseOptions Options() { return TestParseOptions(); }

Result<ParsedBatch> Submit(std::string_view script, const std::vector<std::string>& argv = {}) {
  return ParseBatchSubmission(script, argv, Options());
}

ParsedBatch Parse(std::string_view script, const std::vector<std::string>& argv = {}) {
  auto r = Submit(script, argv);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : ParsedBatch{};
}

TEST(DirectivesTest, EveryOptionOfTheIssue) {
  const auto parsed = Parse(R"(#!/bin/bash
#SBATCH --job-name=llama-ft
#SBATCH --nodes=2-4 --ntasks=16 --ntasks-per-node=4
#SBATCH --cpus-per-task=8
#SBATCH --mem=256G
#SBATCH --gres=gpu:a100:4
#SBATCH --gpus-per-node=a100:4 --gpus-per-task=1 --gpus=16
#SBATCH --time=2-00:00:00 --time-min=12:00:00
#SBATCH --partition=gpu --account=nlp --qos=high
#SBATCH --array=0-15%4
#SBATCH --dependency=afterok:100:101
#SBATCH --output=logs/%x-%A_%a.out --error=logs/%x-%A_%a.err --open-mode=append
#SBATCH --chdir=/scratch/alice/run
#SBATCH --export=ALL,NCCL_DEBUG=INFO
#SBATCH --signal=B:USR1@300
#SBATCH --requeue
#SBATCH --exclusive
#SBATCH --constraint="a100&ib"
#SBATCH --nodelist=gpu[01-02] --exclude=gpu07
#SBATCH --begin=now+1hour
#SBATCH --hold
#SBATCH --mail-type=END,FAIL --mail-user=alice@example.org
#SBATCH --comment="fine-tune run 3"
srun python train.py
)");
  const BatchRequest& r = parsed.request;
  EXPECT_TRUE(parsed.warnings.empty());
  EXPECT_EQ(r.job_name, "llama-ft");
  EXPECT_EQ(r.nodes, (NodeRange{2, 4}));
  EXPECT_EQ(r.ntasks, 16u);
  EXPECT_EQ(r.ntasks_per_node, 4u);
  EXPECT_EQ(r.cpus_per_task, 8u);
  EXPECT_EQ(r.mem, (MemorySize{false, 256 * 1024}));
  EXPECT_EQ(r.gres, (std::vector<GresRequest>{{"gpu", "a100", 4}}));
  EXPECT_EQ(r.gpus_per_node, (GpuCount{"a100", 4}));
  EXPECT_EQ(r.gpus_per_task, (GpuCount{"", 1}));
  EXPECT_EQ(r.gpus, (GpuCount{"", 16}));
  EXPECT_EQ(r.time_limit, TimeLimit::Seconds(2 * 86400));
  EXPECT_EQ(r.time_min, TimeLimit::Seconds(12 * 3600));
  EXPECT_EQ(r.partition, "gpu");
  EXPECT_EQ(r.account, "nlp");
  EXPECT_EQ(r.qos, "high");
  ASSERT_TRUE(r.array.has_value());
  EXPECT_EQ(r.array->task_ids.size(), 16u);
  EXPECT_EQ(r.array->max_running, 4u);
  ASSERT_TRUE(r.dependency.has_value());
  EXPECT_EQ(r.dependency->conditions[0].jobs.size(), 2u);
  EXPECT_EQ(r.output, "logs/%x-%A_%a.out");
  EXPECT_EQ(r.error, "logs/%x-%A_%a.err");
  EXPECT_EQ(r.open_mode, OpenMode::kAppend);
  EXPECT_EQ(r.chdir, "/scratch/alice/run");
  ASSERT_TRUE(r.export_env.has_value());
  EXPECT_TRUE(r.export_env->all);
  EXPECT_EQ(r.signal, (SignalSpec{10, "USR1", 300, true, false}));
  EXPECT_EQ(r.requeue, true);
  EXPECT_EQ(r.exclusive, "");
  EXPECT_EQ(r.constraint, "a100&ib");
  EXPECT_THAT(r.nodelist, ElementsAre("gpu01", "gpu02"));
  EXPECT_THAT(r.exclude, ElementsAre("gpu07"));
  EXPECT_EQ(r.begin_unix, kNow + 3600);
  EXPECT_TRUE(r.hold);
  EXPECT_THAT(r.mail_types, ElementsAre("END", "FAIL"));
  EXPECT_EQ(r.mail_user, "alice@example.org");
  EXPECT_EQ(r.comment, "fine-tune run 3");
  EXPECT_THAT(r.script, HasSubstr("srun python train.py"));
}

TEST(DirectivesTest, ShortOptions) {
  const auto r = Parse(R"(#!/bin/bash
#SBATCH -J sweep -N 1 -n 4 -c 2 -t 30:00
#SBATCH -o out.%j -e err.%j -p debug -A proj -q normal
#SBATCH -C v100 -D /tmp -w node[1-2] -G 2 -a 1-3 -d afterany:9 -x node3 -H
#SBATCH -Jattached
hostname
)")
                     .request;
  EXPECT_EQ(r.job_name, "attached");  // the later directive wins
  EXPECT_EQ(r.nodes, (NodeRange{1, 1}));
  EXPECT_EQ(r.ntasks, 4u);
  EXPECT_EQ(r.cpus_per_task, 2u);
  EXPECT_EQ(r.time_limit, TimeLimit::Seconds(1800));
  EXPECT_EQ(r.output, "out.%j");
  EXPECT_EQ(r.error, "err.%j");
  EXPECT_EQ(r.partition, "debug");
  EXPECT_EQ(r.account, "proj");
  EXPECT_EQ(r.qos, "normal");
  EXPECT_EQ(r.constraint, "v100");
  EXPECT_EQ(r.chdir, "/tmp");
  EXPECT_THAT(r.nodelist, ElementsAre("node1", "node2"));
  EXPECT_EQ(r.gpus, (GpuCount{"", 2}));
  EXPECT_EQ(r.array->task_ids, (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(r.dependency->conditions[0].type, DependencyType::kAfterAny);
  EXPECT_THAT(r.exclude, ElementsAre("node3"));
  EXPECT_TRUE(r.hold);
}

TEST(DirectivesTest, SpaceSeparatedValuesAndAliases) {
  const auto r = Parse(
                     "#!/bin/sh\n#SBATCH --time 10 --tasks-per-node 2 --mem-per-cpu 4G\n"
                     "#SBATCH --no-requeue --exclusive=user\nsrun x\n")
                     .request;
  EXPECT_EQ(r.time_limit, TimeLimit::Seconds(600));
  EXPECT_EQ(r.ntasks_per_node, 2u);
  EXPECT_EQ(r.mem_per_cpu, (MemorySize{false, 4096}));
  EXPECT_EQ(r.requeue, false);
  EXPECT_EQ(r.exclusive, "user");
}

TEST(DirectivesTest, CommandLineOverridesDirectives) {
  const auto r = Parse("#!/bin/bash\n#SBATCH -t 1:00:00 -J from-script -p gpu --mem=8G\nsrun x\n",
                       {"--time=5", "-J", "from-cli", "--mem-per-gpu=40G"})
                     .request;
  EXPECT_EQ(r.time_limit, TimeLimit::Seconds(300));
  EXPECT_EQ(r.job_name, "from-cli");
  EXPECT_EQ(r.partition, "gpu");
  EXPECT_FALSE(r.mem.has_value());  // replaced by the command line's --mem-per-gpu
  EXPECT_EQ(r.mem_per_gpu, (MemorySize{false, 40960}));
}

TEST(DirectivesTest, DirectivesStopAtTheFirstCommand) {
  const auto r = Parse("#!/bin/bash\n#SBATCH -J a\nmodule load cuda\n#SBATCH -J b\n").request;
  EXPECT_EQ(r.job_name, "a");
}

TEST(DirectivesTest, UnsupportedOptionsWarnOnceEach) {
  const auto parsed = Parse(R"(#!/bin/bash
#SBATCH --reservation=maint --image=docker:nvcr.io/nvidia/pytorch:24.01-py3
#SBATCH --reservation=other
#SBATCH --hint=nomultithread -s
srun x
)",
                            {"--reservation", "again", "--image=x"});
  EXPECT_THAT(parsed.warnings,
              ElementsAre("line 2: --reservation is not supported by Suanli; ignored",
                          "line 2: --image is not an sbatch option Suanli knows (a site "
                          "plugin's?); ignored",
                          "line 4: --hint is not supported by Suanli; ignored",
                          "line 4: --oversubscribe is not supported by Suanli; ignored"));
}

TEST(DirectivesTest, MalformedValuesNameTheDirectiveAndLine) {
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n\n#SBATCH --time=1:2:3:4\nsrun x\n")),
              HasSubstr("line 3: --time: invalid time '1:2:3:4'"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH -N 2\n#SBATCH -t soon\n")),
              HasSubstr("line 3: -t (--time): invalid time 'soon'"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH --array=5-1\n")),
              HasSubstr("line 2: --array: invalid job array specification '5-1'"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH --mem=lots\n")),
              HasSubstr("line 2: --mem: invalid memory size 'lots'"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH --tasks-per-node=0\n")),
              HasSubstr("line 2: --tasks-per-node (--ntasks-per-node): invalid count '0'"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH --time\n")),
              HasSubstr("line 2: option '--time' requires an argument"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH -Z\n")),
              HasSubstr("line 2: invalid option -- 'Z'"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH nodes=2\n")),
              HasSubstr("line 2: unexpected word 'nodes=2'"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n", {"--gres=gpu:x:y:z"})),
              HasSubstr("command line: --gres: invalid gres"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH -w /etc/hosts\n")),
              HasSubstr("not supported; list the hosts"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH --exclude=n[0-99999]\n")),
              HasSubstr("line 2: --exclude: invalid hostlist 'n[0-99999]': too many hosts"));
}

TEST(DirectivesTest, WhatSlurmRejects) {
  EXPECT_THAT(ErrorMessage(Submit("#SBATCH -N 1\nsrun x\n")),
              HasSubstr("This does not look like a batch script"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH -N 2 --ntasks-per-node=4 -n 16\n")),
              HasSubstr("--ntasks=16 needs more than --nodes=2 x --ntasks-per-node=4 = 8 tasks: "
                        "Requested node configuration is not available"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH --mem=4G\n#SBATCH --mem-per-cpu=1G\n")),
              HasSubstr("line 3: --mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH -n 1\n#SBATCH hetjob\n#SBATCH -n 2\n")),
              HasSubstr("line 3: '#SBATCH hetjob' starts another component of a heterogeneous "
                        "job; heterogeneous jobs are not supported"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH --time=1:00:00 --time-min=2:00:00\n")),
              HasSubstr("--time-min is longer than --time"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\n#SBATCH --wrap=hostname\n")),
              HasSubstr("line 2: --wrap is only valid on the command line"));
  EXPECT_THAT(ErrorMessage(Submit("#!/bin/bash\nhostname\n", {"--wrap=hostname"})),
              HasSubstr("script argument not permitted with --wrap option"));
}

TEST(DirectivesTest, FewerTasksThanNodesLowersTheNodeCount) {
  const auto parsed = Parse("#!/bin/bash\n#SBATCH -N 4 -n 2\nsrun x\n");
  EXPECT_EQ(parsed.request.nodes, (NodeRange{2, 2}));
  EXPECT_THAT(parsed.warnings,
              ElementsAre("can't run 2 processes on 4 nodes, setting nnodes to 2"));
}

TEST(DirectivesTest, WrapWithoutAScript) {
  auto r =
      ParseBatchSubmission(std::nullopt, {"--wrap", "python prep.py --all", "-c", "4"}, Options());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->request.wrap, "python prep.py --all");
  EXPECT_EQ(r->request.cpus_per_task, 4u);
  EXPECT_EQ(r->request.script,
            "#!/bin/sh\n# This script was created by sbatch --wrap.\n\npython prep.py --all\n");
  EXPECT_THAT(ErrorMessage(ParseBatchSubmission(std::nullopt, {"-N", "1"}, Options())),
              HasSubstr("a batch script or --wrap is required"));
}

TEST(DirectivesTest, EmptyRequestKeepsDefaultsEmpty) {
  const auto r = Parse("#!/bin/bash\nhostname\n").request;
  EXPECT_FALSE(r.nodes.has_value());
  EXPECT_FALSE(r.time_limit.has_value());
  EXPECT_TRUE(r.job_name.empty());
  EXPECT_FALSE(r.requeue.has_value());
  EXPECT_FALSE(r.hold);
}

}  // namespace
}  // namespace suanli::slurm
