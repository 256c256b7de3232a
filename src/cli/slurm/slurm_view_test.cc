// The Slurm views of API job and node objects: states, reasons, columns, sinfo, and the
// getopt-like reader, all on JSON samples shaped like the API's answers (docs/api.md).
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

#include "cli/slurm/args.h"
#include "cli/slurm/columns.h"
#include "cli/slurm/job_view.h"
#include "cli/slurm/node_view.h"
#include "cli/slurm/squeue_sort.h"

namespace suanli::cli::slurm_cmd {
namespace {

class SlurmViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);  // Slurm prints local times; the samples read them in UTC
    tzset();
  }
};

nlohmann::json RunningJob() {
  return nlohmann::json::parse(R"({
    "id": 7, "name": "train-bert", "state": "RUNNING", "reason": "running", "tenant": "physics",
    "user": "alice", "resources": {"cpus": 4, "mem_mb": 16384, "gpus": 2, "gpu_type": "nvidia-a100", "tasks": 2},
    "nodes": ["gpu01", "gpu02", "gpu02"], "exit_code": null, "signal": null,
    "submit_time": 1796597000.5, "start_time": 1796597100.0, "end_time": null,
    "priority": 0, "time_limit_s": 3600, "attempt": 1, "requeue": true})");
}

nlohmann::json PendingJob(const std::string& reason) {
  return {{"id", 8},
          {"name", "wait"},
          {"state", "PENDING"},
          {"reason", reason},
          {"tenant", "chem"},
          {"user", "bob"},
          {"nodes", nlohmann::json::array()},
          {"resources", {{"cpus", 1}, {"mem_mb", 1024}, {"gpus", 0}, {"tasks", 1}}},
          {"time_limit_s", 0},
          {"est_start_time", 1796600000.0},
          {"submit_time", 1796597000.0}};
}

TEST_F(SlurmViewTest, StatesReadAsSlurmCodesAndNames) {
  for (const auto& [api, code, name] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"PENDING", "PD", "PENDING"},
           {"STARTING", "CF", "CONFIGURING"},
           {"RUNNING", "R", "RUNNING"},
           {"COMPLETED", "CD", "COMPLETED"},
           {"FAILED", "F", "FAILED"},
           {"CANCELLED", "CA", "CANCELLED"},
           {"TIMEOUT", "TO", "TIMEOUT"},
           {"PREEMPTED", "PR", "PREEMPTED"},
           {"LOST", "NF", "NODE_FAIL"},
           {"OUT_OF_MEMORY", "OOM", "OUT_OF_MEMORY"}}) {
    auto s = StateOf({{"state", api}});
    EXPECT_EQ(s.code, code) << api;
    EXPECT_EQ(s.name, name) << api;
  }
}

TEST_F(SlurmViewTest, StateFilterTakesShortAndLongNames) {
  auto f = ParseStateFilter({"pd", "RUNNING", "CG", "oom"});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f, (std::set<std::string>{"PENDING", "RUNNING", "COMPLETING", "OUT_OF_MEMORY"}));
  EXPECT_EQ(ApiStatesFor(*f), (std::vector<std::string>{"PENDING", "RUNNING", "OUT_OF_MEMORY"}));
  EXPECT_EQ(ParseStateFilter({"nonsense"}).status().message(),
            "Invalid job state specified: nonsense");
  EXPECT_EQ(ParseStateFilter({"all"})->size(), 11u);
}

TEST_F(SlurmViewTest, ReasonsUseSlurmWordsWhereOneFits) {
  EXPECT_EQ(SlurmReason(PendingJob("waiting for 2 × nvidia-a100 (largest free 1)")), "Resources");
  EXPECT_EQ(SlurmReason(PendingJob("behind job 3, which holds the reservation")), "Priority");
  EXPECT_EQ(SlurmReason(PendingJob("tenant physics is at its quota 8/8")), "AssocGrpGRES");
  EXPECT_EQ(
      SlurmReason(PendingJob("tenant physics is over its accelerator-hour budget (1 of 1 h)")),
      "AssocGrpBillingMinutes");
  EXPECT_EQ(SlurmReason(PendingJob("waiting for the next scheduling pass")), "None");
  EXPECT_EQ(SlurmReason(PendingJob("something new")), "something new");
  EXPECT_EQ(SlurmReason(RunningJob()), "None");
}

TEST_F(SlurmViewTest, SqueueDefaultColumnsAsSlurmPrintsThem) {
  auto cols = ParseSqueueFormat(kSqueueDefault);
  ASSERT_TRUE(cols.ok());
  double now = 1796597100.0 + 65;
  std::string out =
      RenderSqueue(*cols, {RunningJob(), PendingJob("waiting for 1 × cpu")}, now, true);
  EXPECT_EQ(out,
            "             JOBID PARTITION     NAME     USER ST       TIME  NODES NODELIST(REASON)\n"
            "                 7 nvidia-a1 train-be    alice  R       1:05      2 gpu[01-02]\n"
            "                 8       all     wait      bob PD       0:00      1 (Resources)\n");
  EXPECT_EQ(RenderSqueue(*cols, {RunningJob()}, now, false).find("JOBID"), std::string::npos);
}

TEST_F(SlurmViewTest, SqueueFormatFields) {
  auto cols = ParseSqueueFormat("%i|%j|%u|%t|%T|%M|%l|%D|%R|%P|%b|%C|%S|%a|%L");
  ASSERT_TRUE(cols.ok()) << cols.status().message();
  double now = 1796597100.0 + 65;
  EXPECT_EQ(RenderSqueue(*cols, {RunningJob()}, now, false),
            "7|train-bert|alice|R|RUNNING|1:05|1:00:00|2|gpu[01-02]|nvidia-a100|"
            "gres/gpu:nvidia-a100:2|8|2026-12-06T22:45:00|physics|58:55\n");
  EXPECT_EQ(RenderSqueue(*cols, {PendingJob("behind job 3")}, now, false),
            "8|wait|bob|PD|PENDING|0:00|UNLIMITED|1|(Priority)|all|N/A|1|2026-12-06T23:33:20|chem|"
            "UNLIMITED\n");
  EXPECT_NE(ParseSqueueFormat("%i %Z").status().message().find("'%Z'"), std::string::npos);
  auto literal = ParseSqueueFormat("id=%5i%%");
  ASSERT_TRUE(literal.ok());
  EXPECT_EQ(RenderSqueue(*literal, {RunningJob()}, now, false), "id=7    %\n");
}

TEST_F(SlurmViewTest, SacctTableAndParsable) {
  nlohmann::json done = RunningJob();
  done["state"] = "COMPLETED";
  done["exit_code"] = 0;
  done["end_time"] = 1796597100.0 + 3725;
  auto cols = ParseSacctFormat("jobid,JobName%5,State,ExitCode,Elapsed,AllocTRES%40,NNodes");
  ASSERT_TRUE(cols.ok()) << cols.status().message();
  EXPECT_EQ(RenderSacct(*cols, {done}, 0, SacctLayout::kParsable2, true),
            "JobID|JobName|State|ExitCode|Elapsed|AllocTRES|NNodes\n"
            "7|train-bert|COMPLETED|0:0|01:02:05|cpu=8,gres/gpu=4,mem=32G,node=2|2\n");
  EXPECT_EQ(RenderSacct(*cols, {done}, 0, SacctLayout::kParsable, false),
            "7|train-bert|COMPLETED|0:0|01:02:05|cpu=8,gres/gpu=4,mem=32G,node=2|2|\n");
  std::string table = RenderSacct(*cols, {done}, 0, SacctLayout::kTable, true);
  EXPECT_EQ(table.substr(0, table.find('\n')),
            "JobID        JobN+      State ExitCode    Elapsed                                "
            "AllocTRES   NNodes ");
  EXPECT_NE(table.find("7            trai+  COMPLETED      0:0   01:02:05"), std::string::npos)
      << table;
  EXPECT_NE(ParseSacctFormat("JobID,Bogus").status().message().find("\"Bogus\""),
            std::string::npos);
}

TEST_F(SlurmViewTest, SacctTimesAndPendingJobs) {
  auto job = PendingJob("waiting for 1 × cpu");
  EXPECT_EQ(SacctValue(job, "Start", 0), "Unknown");
  EXPECT_EQ(SacctValue(job, "AllocTRES", 0), "");
  EXPECT_EQ(SacctValue(job, "Submit", 0), "2026-12-06T22:43:20");
  EXPECT_EQ(SacctValue(job, "Partition", 0), "all");
  EXPECT_EQ(SacctValue(job, "Account", 0), "chem");
  nlohmann::json killed = RunningJob();
  killed["state"] = "FAILED";
  killed["exit_code"] = 137;
  killed["signal"] = 9;
  EXPECT_EQ(SacctValue(killed, "ExitCode", 0), "137:9");
}

nlohmann::json Nodes() {
  return nlohmann::json::parse(R"([
    {"name": "gpu01", "state": "UP", "cpus": 64, "mem_mb": 512000,
     "devices": [{"index": 0, "type": "nvidia-a100"}, {"index": 1, "type": "nvidia-a100"}],
     "allocated": {"cpus": 8, "mem_mb": 1024, "gpus": 2}, "jobs": [7]},
    {"name": "gpu02", "state": "UP", "cpus": 64, "mem_mb": 512000,
     "devices": [{"index": 0, "type": "nvidia-a100"}, {"index": 1, "type": "nvidia-a100"}],
     "allocated": {"cpus": 8, "mem_mb": 1024, "gpus": 1}, "jobs": [9]},
    {"name": "cpu01", "state": "UP", "cpus": 32, "mem_mb": 128000, "devices": [],
     "allocated": {"cpus": 0, "mem_mb": 0, "gpus": 0}, "jobs": []},
    {"name": "cpu02", "state": "DOWN", "cpus": 32, "mem_mb": 128000, "devices": [],
     "allocated": {"cpus": 0, "mem_mb": 0, "gpus": 0}, "jobs": []},
    {"name": "cpu03", "state": "DRAINING", "cpus": 32, "mem_mb": 128000, "devices": [],
     "allocated": {"cpus": 0, "mem_mb": 0, "gpus": 0}, "jobs": []}])");
}

TEST_F(SlurmViewTest, NodeStates) {
  auto n = Nodes();
  EXPECT_EQ(NodeState(n[0]), "alloc");
  EXPECT_EQ(NodeState(n[1]), "mix");
  EXPECT_EQ(NodeState(n[2]), "idle");
  EXPECT_EQ(NodeState(n[3]), "down");
  EXPECT_EQ(NodeState(n[4]), "drain");
  EXPECT_EQ(ClusterPartitions(n), (std::vector<std::string>{"all", "nvidia-a100"}));
}

TEST_F(SlurmViewTest, SinfoPartitionView) {
  EXPECT_EQ(RenderSinfo(Nodes(), {}),
            "PARTITION   AVAIL TIMELIMIT NODES STATE NODELIST\n"
            "all*           up  infinite     1 alloc gpu01\n"
            "all*           up  infinite     1   mix gpu02\n"
            "all*           up  infinite     1  idle cpu01\n"
            "all*           up  infinite     1  down cpu02\n"
            "all*           up  infinite     1 drain cpu03\n"
            "nvidia-a100    up  infinite     1 alloc gpu01\n"
            "nvidia-a100    up  infinite     1   mix gpu02\n");
  SinfoOptions idle;
  idle.states = {"idle"};
  idle.header = false;
  EXPECT_EQ(RenderSinfo(Nodes(), idle), "all*         up  infinite     1  idle cpu01\n");
}

TEST_F(SlurmViewTest, SinfoNodeViews) {
  SinfoOptions o;
  o.node_view = true;
  o.partitions = {"nvidia-a100"};
  EXPECT_EQ(RenderSinfo(Nodes(), o),
            "NODELIST NODES   PARTITION STATE\n"
            "gpu01        1 nvidia-a100 alloc\n"
            "gpu02        1 nvidia-a100 mix\n");
  o.long_view = true;
  std::string out = RenderSinfo(Nodes(), o);
  EXPECT_NE(out.find("gpu01        1 nvidia-a100 ALLOCATED   64 512000 gpu:nvidia-a100:2"),
            std::string::npos)
      << out;
}

TEST_F(SlurmViewTest, ArgsReadLikeGetopt) {
  constexpr ArgSpec kSpecs[] = {
      {"user", 'u', true}, {"noheader", 'h', false}, {"long", 'l', false}, {"jobs", 'j', true}};
  auto a = ParseArgs({"-ualice", "-hl", "--jobs=1,2", "-j", "3", "--no", "x"}, kSpecs);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->Last("user"), "alice");
  EXPECT_TRUE(a->Has("noheader"));
  EXPECT_TRUE(a->Has("long"));
  EXPECT_EQ(a->List("jobs"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(a->positional, (std::vector<std::string>{"x"}));
  EXPECT_EQ(ParseArgs({"--bogus"}, kSpecs).status().message(), "unrecognized option '--bogus'");
  EXPECT_EQ(ParseArgs({"-Z"}, kSpecs).status().message(), "invalid option -- 'Z'");
  EXPECT_EQ(ParseArgs({"-u"}, kSpecs).status().message(), "option requires an argument -- 'u'");
}

TEST_F(SlurmViewTest, SqueueSortByFieldsWithDirectionsEndingOnTheId) {
  auto job = [](int id, const char* state, int prio, const char* user) {
    return nlohmann::json{{"id", id}, {"state", state}, {"priority", prio}, {"user", user}};
  };
  std::vector<nlohmann::json> jobs = {job(4, "RUNNING", 5, "bob"), job(2, "PENDING", 1, "amy"),
                                      job(3, "PENDING", 9, "bob"), job(1, "RUNNING", 5, "amy")};
  auto ids = [&] {
    std::vector<int> out;
    for (const auto& j : jobs) out.push_back(j["id"].get<int>());
    return out;
  };
  auto keys = ParseSqueueSort("t,-p");
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  SortJobs(*keys, &jobs);
  EXPECT_EQ(ids(), (std::vector<int>{3, 2, 1, 4}));  // pending first, priority down, then id
  SortJobs(*ParseSqueueSort("-i"), &jobs);
  EXPECT_EQ(ids(), (std::vector<int>{4, 3, 2, 1}));
  SortJobs(*ParseSqueueSort("+u"), &jobs);
  EXPECT_EQ(ids(), (std::vector<int>{1, 2, 3, 4}));
  auto bad = ParseSqueueSort("t,x");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Invalid sort specification: t,x"), std::string::npos);
  EXPECT_FALSE(ParseSqueueSort("t,").ok());
}

}  // namespace
}  // namespace suanli::cli::slurm_cmd
