// The corpus: realistic sbatch scripts under tests/slurm/scripts/, written in the style of public
// training repositories (torchrun, accelerate, DeepSpeed, Ray, arrays, chains, self-requeueing
// jobs). Each one is parsed, and its key fields are compared with the table below, written as a
// compact summary so that a row reads like the script it checks.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "slurm/directives.h"
#include "slurm/hostlist.h"
#include "slurm/test_support.h"

namespace suanli::slurm {
namespace {

constexpr int64_t kNow = kTestNow;

std::filesystem::path ScriptDir() {
  std::filesystem::path root = std::filesystem::path(__FILE__).parent_path() / ".." / "..";
  if (const char* dir = std::getenv("SUANLI_SOURCE_DIR"); dir && *dir) root = dir;
  return root / "tests" / "slurm" / "scripts";
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// tag + n, built by append: GCC 12 warns falsely (-Wrestrict) on "tag" + std::to_string(n).
std::string Tagged(std::string_view tag, int64_t n) {
  std::string out(tag);
  out += std::to_string(n);
  return out;
}

std::string Gpus(const GpuCount& g) {
  return (g.type.empty() ? "" : g.type + ":") + std::to_string(g.count);
}

std::string Memory(const MemorySize& m) {
  return m.whole_node ? "all" : std::to_string(m.megabytes) + "M";
}

// "0-99", "1,6-7,12", "1,3,5": the task ids as ranges.
std::string Tasks(const std::vector<uint32_t>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ids[i]);
    if (j > i) out += Tagged("-", ids[j]);
    i = j + 1;
  }
  return out;
}

std::string Dependency(const DependencySpec& d) {
  std::string out;
  for (const auto& c : d.conditions) {
    if (!out.empty()) out += d.combine == DependencySpec::Combine::kAll ? "," : "?";
    out += DependencyTypeName(c.type);
    for (const auto& job : c.jobs) out += Tagged(":", static_cast<int64_t>(job.job_id));
  }
  return out;
}

// The warning's subject: "--hint" from "line 5: --hint is not supported ...".
std::string WarnedOption(const std::string& warning) {
  const size_t colon = warning.find(": ");
  const size_t start = colon == std::string::npos ? 0 : colon + 2;
  return warning.substr(start, warning.find(' ', start) - start);
}

std::string Summary(const ParsedBatch& parsed) {
  const BatchRequest& r = parsed.request;
  std::vector<std::string> f;
  const auto add = [&](std::string_view key, const std::string& value) {
    f.push_back(std::string(key) + "=" + value);
  };
  if (!r.job_name.empty()) add("name", r.job_name);
  if (r.nodes) {
    add("nodes", std::to_string(r.nodes->min) +
                     (r.nodes->max != r.nodes->min ? Tagged("-", r.nodes->max) : ""));
  }
  if (r.ntasks) add("n", std::to_string(*r.ntasks));
  if (r.ntasks_per_node) add("tpn", std::to_string(*r.ntasks_per_node));
  if (r.cpus_per_task) add("cpt", std::to_string(*r.cpus_per_task));
  if (r.mem) add("mem", Memory(*r.mem));
  if (r.mem_per_cpu) add("mem/cpu", Memory(*r.mem_per_cpu));
  if (r.mem_per_gpu) add("mem/gpu", Memory(*r.mem_per_gpu));
  for (const auto& g : r.gres) {
    add("gres", g.name + (g.type.empty() ? "" : ":" + g.type) + ":" + std::to_string(g.count));
  }
  if (r.gpus) add("gpus", Gpus(*r.gpus));
  if (r.gpus_per_node) add("gpn", Gpus(*r.gpus_per_node));
  if (r.gpus_per_task) add("gpt", Gpus(*r.gpus_per_task));
  if (r.time_limit) add("time", FormatTimeLimit(*r.time_limit));
  if (r.time_min) add("tmin", FormatTimeLimit(*r.time_min));
  if (!r.partition.empty()) add("part", r.partition);
  if (!r.account.empty()) add("acct", r.account);
  if (!r.qos.empty()) add("qos", r.qos);
  if (r.array) {
    add("array", Tasks(r.array->task_ids) +
                     (r.array->max_running ? Tagged("%", *r.array->max_running) : ""));
  }
  if (r.dependency) add("dep", Dependency(*r.dependency));
  if (!r.output.empty()) add("out", r.output);
  if (!r.error.empty()) add("err", r.error);
  if (r.open_mode) add("open", *r.open_mode == OpenMode::kAppend ? "append" : "truncate");
  if (!r.chdir.empty()) add("chdir", r.chdir);
  if (r.export_env) {
    add("export", std::string(r.export_env->all ? "ALL" : "NONE") + "+" +
                      std::to_string(r.export_env->variables.size()));
  }
  if (r.signal) {
    add("signal", std::string(r.signal->batch_only ? "B:" : "") + r.signal->name + "@" +
                      std::to_string(r.signal->seconds));
  }
  if (r.requeue) add("requeue", *r.requeue ? "yes" : "no");
  if (r.exclusive) add("exclusive", r.exclusive->empty() ? "node" : *r.exclusive);
  if (!r.constraint.empty()) add("constraint", r.constraint);
  if (!r.nodelist.empty()) add("nodelist", CompressHostlist(r.nodelist));
  if (!r.exclude.empty()) add("exclude", CompressHostlist(r.exclude));
  if (r.begin_unix) add("begin", Tagged("now+", *r.begin_unix - kNow));
  if (r.hold) add("hold", "yes");
  if (!r.mail_types.empty()) {
    std::string types;
    for (const auto& t : r.mail_types) {
      if (!types.empty()) types += ',';
      types += t;
    }
    add("mail", types + " to " + r.mail_user);
  }
  if (!r.comment.empty()) add("comment", r.comment);
  for (const auto& w : parsed.warnings) add("warn", WarnedOption(w));
  std::string out;
  for (const auto& field : f) {
    if (!out.empty()) out += ' ';
    out += field;
  }
  return out;
}

struct Row {
  const char* file;
  std::vector<std::string> argv;  // options given to sbatch on its command line
  const char* summary;
};

const std::vector<Row>& Corpus() {
  static const std::vector<Row> rows = {
      {"accelerate_multinode.sh",
       {},
       "name=sft-accelerate nodes=2 tpn=1 cpt=64 gres=gpu:a100:8 time=1-00:00:00 acct=nlp qos=high "
       "out=/scratch/nlp/logs/%x-%j.out err=/scratch/nlp/logs/%x-%j.err"},
      {"alphafold_array.sh",
       {},
       "name=alphafold cpt=8 mem=65536M gres=gpu:1 time=1-00:00:00 array=1-40%5 "
       "out=af2/%x-%A_%a.out"},
      {"amd_frontier_style.sh",
       {},
       "name=rocm-train nodes=8 tpn=8 gpn=8 time=02:00:00 part=batch acct=csc999 out=%x-%j.out "
       "warn=--threads-per-core"},
      {"array_list.sh",
       {},
       "name=rerun-failed gpus=1 time=02:00:00 array=1,6-7,12 out=rerun_%A_%3a.out"},
      {"array_step.sh", {}, "name=odd-seeds cpt=2 time=00:20:00 array=1,3,5,7,9"},
      {"begin_date.sh",
       {},
       "name=holiday-run nodes=1 gres=gpu:8 time=5-00:00:00 begin=now+1515800"},
      {"begin_later.sh", {}, "name=nightly-eval gpus=2 time=03:00:00 begin=now+7200"},
      {"chain_stage1_preprocess.sh",
       {},
       "name=stage1-prep n=1 cpt=32 mem=131072M time=04:00:00 part=cpu"},
      {"chain_stage2_train.sh",
       {"--dependency=afterok:1001"},
       "name=stage2-train nodes=2 tpn=4 gpn=4 time=1-12:00:00 dep=afterok:1001 "
       "warn=--kill-on-invalid-dep"},
      {"chain_stage3_eval.sh",
       {"--dependency", "afterany:1002", "-t", "30"},
       "name=stage3-eval gpus=1 time=00:30:00 dep=afterany:1002 mail=END,FAIL to "
       "alice@example.org"},
      {"chdir_scratch.sh",
       {},
       "name=scratch-run gpus=1 time=01:00:00 out=run42.out "
       "chdir=/scratch/alice/experiments/run42"},
      {"checkpoint_requeue_timemin.sh",
       {},
       "name=backfill-train gpn=2 time=1-00:00:00 tmin=04:00:00 signal=TERM@180 requeue=yes"},
      {"colossalai_launch.sh",
       {},
       "name=colossal-llama nodes=2 tpn=8 cpt=10 gres=gpu:8 time=3-00:00:00 acct=llm-team "
       "qos=long"},
      {"cpu_preprocess_array.sh",
       {},
       "name=dedup-shards cpt=4 mem/cpu=4096M time=02:00:00 part=cpu array=0-99%20 "
       "out=logs/dedup_%A_%a.out"},
      {"dask_workers.sh", {}, "name=dask nodes=4 tpn=1 cpt=48 mem=184320M time=04:00:00 part=cpu"},
      {"days_hours_time.sh", {}, "name=weekend mem=96000M gres=gpu:rtx6000:2 time=2-12:00:00"},
      {"deepspeed_hostfile.sh",
       {},
       "name=ds-bloom nodes=2 tpn=1 cpt=48 gpn=a100:8 time=20:00:00 exclusive=node"},
      {"deepspeed_srun_zero3.sh",
       {},
       "name=zero3-13b nodes=4 tpn=8 cpt=12 mem/gpu=122880M gpt=1 time=3-00:00:00 signal=USR1@600"},
      {"eval_checkpoints_array.sh",
       {},
       "name=eval-ckpt gpus=1 time=00:30:00 array=0,100,200,300,400,500,600,700,800,900 "
       "out=eval/step-%a.out"},
      {"export_none.sh", {}, "name=clean-env n=1 time=00:10:00 export=NONE+0"},
      {"fairseq_translation.sh",
       {},
       "name=wmt16-en-de nodes=1 tpn=1 cpt=80 gres=gpu:volta:8 time=3-00:00:00 out=fairseq-%j.out "
       "signal=USR1@90 requeue=yes"},
      {"gpu_sweep_array_throttle.sh",
       {},
       "name=lr-sweep cpt=6 mem=49152M gres=gpu:1 time=06:00:00 array=1-64%8 out=sweep/%A/%a.out"},
      {"hf_trainer_single_gpu.sh", {}, "name=bert-glue cpt=8 mem=65536M gpus=1 time=05:00:00"},
      {"hold_and_release.sh", {}, "name=held gpus=1 time=01:00:00 hold=yes"},
      {"jax_multihost.sh", {}, "name=jax-t5x nodes=2 tpn=8 gpn=8 time=10:00:00 acct=research"},
      {"jupyter_gpu.sh",
       {},
       "name=jupyter cpt=8 mem=32768M gres=gpu:1 time=08:00:00 out=jupyter-%j.log"},
      {"lightning_ddp.sh", {}, "name=lightning-ddp nodes=2 tpn=4 mem=all gres=gpu:4 time=02:00:00"},
      {"mail_notify.sh",
       {},
       "name=notify gres=gpu:2 time=02:00:00 mail=BEGIN,END,FAIL,TIME_LIMIT_80 to bob@example.org"},
      {"megatron_gpt_pretrain.sh",
       {},
       "name=gpt3-175b nodes=16 tpn=8 cpt=12 mem=all gpn=8 time=04:00:00 dep=singleton "
       "out=logs/%x_%j.out signal=B:USR1@120 requeue=yes exclusive=node"},
      {"mem_per_gpu.sh",
       {},
       "name=diffusion mem/gpu=81920M gpus=4 time=2-00:00:00 warn=--cpus-per-gpu"},
      {"mixed_gres_list.sh",
       {},
       "name=gres-mix mem=20480M gres=gpu:a100:2 gres=nvme:1 time=00:45:00"},
      {"mpi_cpu_job.sh",
       {},
       "name=lammps nodes=4 tpn=32 mem/cpu=2000M time=2-00:00:00 part=compute"},
      {"nccl_allreduce_test.sh",
       {},
       "name=nccl-tests nodes=2 tpn=8 cpt=8 gpt=1 time=00:20:00 export=ALL+2 exclusive=node"},
      {"nemo_multinode.sh",
       {},
       "name=nemo-gpt nodes=8 tpn=8 mem=all gpn=8 time=04:00:00 part=batch acct=llm qos=normal "
       "dep=singleton signal=B:USR1@300 exclusive=node warn=--overcommit"},
      {"nerf_training.sh",
       {},
       "name=nerf mem=32768M gres=gpu:1 time=16:00:00 constraint=a100|h100"},
      {"nersc_shifter_style.sh",
       {},
       "nodes=4 tpn=4 cpt=32 gpn=4 time=06:00:00 acct=m1234 qos=regular constraint=gpu "
       "warn=--image warn=--module"},
      {"nodelist_specific.sh",
       {},
       "name=pinned nodes=2 gres=gpu:4 time=00:30:00 nodelist=gpu[01-02] exclude=gpu[07-08,11]"},
      {"openmp_hybrid.sh", {}, "name=hybrid nodes=2 n=8 cpt=16 time=03:30:00 warn=--hint"},
      {"ray_cluster.sh",
       {},
       "name=ray-cluster nodes=3 tpn=1 cpt=32 mem/cpu=4096M gpt=4 time=06:00:00 exclusive=node"},
      {"ray_tune_single_node.sh",
       {},
       "name=ray-tune nodes=1 n=1 cpt=16 gpus=4 time=08:00:00 part=gpu-short"},
      {"self_resubmit_signal.sh",
       {"--begin=now+10min"},
       "name=long-train nodes=1 gres=gpu:4 time=04:00:00 out=long-train.log open=append "
       "signal=B:USR1@300 requeue=no begin=now+600"},
      {"several_per_line.sh",
       {},
       "name=compact nodes=1 n=4 cpt=4 mem=16384M gres=gpu:2 time=01:30:00 part=gpu"},
      {"short_attached.sh", {}, "name=quick nodes=1 n=1 time=00:05:00 part=debug out=quick-%j.txt"},
      {"singleton_chain.sh",
       {},
       "name=wiki-continual gres=gpu:2 time=12:00:00 dep=singleton out=%x.%j.out"},
      {"stable_baselines_cpu_array.sh",
       {},
       "name=rl-seeds n=1 cpt=2 mem/cpu=1500M time=10:00:00 part=cpu array=0-29 out=rl/%x_%a.out "
       "err=rl/%x_%a.err"},
      {"tensorflow_multiworker.sh",
       {},
       "name=tf-multiworker nodes=3 tpn=1 cpt=16 gpn=2 time=08:00:00"},
      {"tokenize_shards_array.sh",
       {},
       "name=tokenize n=1 cpt=8 mem=32768M time=00:45:00 array=0-497 out=tok/%x-%A_%4a.out"},
      {"torchrun_multinode.sh",
       {},
       "name=llama-pretrain nodes=4 tpn=1 cpt=96 mem=all gpn=8 time=2-00:00:00 part=gpu "
       "out=logs/%x-%j.out"},
      {"torchrun_single_node.sh",
       {"--partition=a100", "--time=6:00:00"},
       "name=vit-finetune nodes=1 cpt=64 mem=524288M gres=gpu:8 time=06:00:00 part=a100 "
       "out=%x-%j.log"},
      {"unsupported_options.sh",
       {},
       "name=site-specific gres=gpu:2 time=01:00:00 warn=--reservation warn=--hint "
       "warn=--gpu-bind"},
      {"vllm_inference_server.sh",
       {},
       "name=vllm-serve nodes=1 gpn=h100:8 time=7-00:00:00 part=inference out=vllm-%j.out "
       "exclusive=node"},
      {"wandb_agent_sweep.sh",
       {},
       "name=wandb-agent cpt=4 gpus=1 time=12:00:00 array=1-20%4 comment=sweep 3xk9q2"},
      {"whole_node_mem0.sh", {}, "name=full-node nodes=1 mem=all time=UNLIMITED exclusive=node"},
  };
  return rows;
}

struct BrokenRow {
  const char* file;
  const char* message;  // a part of the error
};

const BrokenRow kBroken[] = {
    {"no_shebang.sh", "This does not look like a batch script.  The first line must start with #!"},
    {"hetjob.sh",
     "line 4: '#SBATCH hetjob' starts another component of a heterogeneous job; "
     "heterogeneous jobs are not supported by Suanli"},
    {"bad_time.sh", "line 4: --time: invalid time '1:30:00:00': too many ':' fields"},
    {"backwards_array.sh",
     "line 3: --array: invalid job array specification '5-1': range 5-1 "
     "runs backwards"},
    {"too_many_tasks.sh",
     "--ntasks=16 needs more than --nodes=2 x --ntasks-per-node=4 = 8 tasks: "
     "Requested node configuration is not available"},
    {"memory_conflict.sh",
     "line 4: --mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive"},
    {"dos_line_endings.sh", "Batch script contains DOS line breaks"},
    {"bad_gres.sh", "line 4: --gres: invalid gres 'gpu:a100:two': 'two' is not a count"},
    {"array_too_large.sh",
     "line 3: --array: invalid job array specification '0-5000': index 5000 "
     "is above the maximum 1000 (MaxArraySize=1001)"},
    {"unterminated_quote.sh", "line 2: unterminated quote in #SBATCH directive"},
};

TEST(CorpusTest, EveryScriptParsesToItsRow) {
  for (const auto& row : Corpus()) {
    SCOPED_TRACE(row.file);
    const std::string script = ReadFile(ScriptDir() / row.file);
    ASSERT_FALSE(script.empty()) << "missing " << (ScriptDir() / row.file);
    auto parsed = ParseBatchSubmission(script, row.argv, TestParseOptions());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(Summary(*parsed), row.summary);
  }
}

TEST(CorpusTest, BrokenScriptsFailWithTheirMessages) {
  for (const auto& row : kBroken) {
    SCOPED_TRACE(row.file);
    const std::string script = ReadFile(ScriptDir() / "broken" / row.file);
    ASSERT_FALSE(script.empty());
    auto parsed = ParseBatchSubmission(script, {}, TestParseOptions());
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.status().message().find(row.message), std::string::npos)
        << parsed.status().message();
  }
}

// Every file is in a table, and the corpus stays as large as promised.
TEST(CorpusTest, TablesCoverEveryFile) {
  std::set<std::string> listed, broken_listed, found, broken_found;
  for (const auto& row : Corpus()) listed.insert(row.file);
  for (const auto& row : kBroken) broken_listed.insert(row.file);
  for (const auto& entry : std::filesystem::directory_iterator(ScriptDir())) {
    if (entry.is_regular_file()) found.insert(entry.path().filename().string());
  }
  for (const auto& entry : std::filesystem::directory_iterator(ScriptDir() / "broken")) {
    broken_found.insert(entry.path().filename().string());
  }
  EXPECT_EQ(listed, found);
  EXPECT_EQ(broken_listed, broken_found);
  EXPECT_GE(found.size(), 40u);
  EXPECT_GE(broken_found.size(), 5u);
}

}  // namespace
}  // namespace suanli::slurm
