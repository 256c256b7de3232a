#include "agent/task_env.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace suanli::agent {
namespace {

// A 4-task gang: tasks 0,1 on node-a, 2,3 on node-b; we are task 3.
LaunchSpec GangTask3() {
  LaunchSpec s;
  s.ref = {42, 2, 3};
  s.tasks = 4;
  s.cpus = 2;
  s.mem_mb = 1024;
  s.grace_s = 15;
  s.master_addr = "10.0.0.1";
  s.master_port = 29500;
  s.user = "alice";
  s.peers = {{0, "node-a", "10.0.0.1", {}},
             {1, "node-a", "10.0.0.1", {}},
             {2, "node-b", "10.0.0.2", {}},
             {3, "node-b", "10.0.0.2", {}}};
  s.env = {{"MY_VAR", "x"}, {"RANK", "999"}, {"PATH", "/opt/bin:/usr/bin"}};
  return s;
}

TaskContext Ctx() {
  TaskContext c;
  c.node = "node-b";
  c.node_address = "10.0.0.2";
  c.user = "alice";
  c.home = "/home/alice";
  c.shell = "/bin/bash";
  c.preempt_file = "/tmp/.suanli/preempt";
  for (int i = 0; i < 4; ++i) {
    Device d;
    d.index = i;
    d.driver_index = i;
    d.type = "nvidia-a100";
    c.node_devices.push_back(d);
  }
  return c;
}

TEST(TaskEnv, GangRanksFollowTorchrunConventions) {
  EnvMap env = BuildTaskEnv(GangTask3(), Ctx());
  EXPECT_EQ(env["WORLD_SIZE"], "4");
  EXPECT_EQ(env["RANK"], "3") << "the platform's rank wins over a declared RANK";
  EXPECT_EQ(env["LOCAL_RANK"], "1");
  EXPECT_EQ(env["LOCAL_WORLD_SIZE"], "2");
  EXPECT_EQ(env["GROUP_RANK"], "1");
  EXPECT_EQ(env["MASTER_ADDR"], "10.0.0.1");
  EXPECT_EQ(env["MASTER_PORT"], "29500");
  EXPECT_EQ(env["SUANLI_NODELIST"], "node-a,node-b");
  EXPECT_EQ(env["SUANLI_JOB_ID"], "42");
  EXPECT_EQ(env["SUANLI_ATTEMPT"], "2");
  EXPECT_EQ(env["SUANLI_TASK"], "3");
  EXPECT_EQ(env["SUANLI_GRACE_S"], "15");
  EXPECT_EQ(env["SUANLI_PREEMPT_FILE"], "/tmp/.suanli/preempt");
}

TEST(TaskEnv, SlurmVariablesDescribeTheJobAndTheTask) {
  EnvMap env = BuildTaskEnv(GangTask3(), Ctx());
  EXPECT_EQ(env["SLURM_JOB_ID"], "42");
  EXPECT_EQ(env["SLURM_JOBID"], "42");
  EXPECT_EQ(env["SLURM_JOB_NODELIST"], "node-a,node-b");  // only numbers are ranged: gpu[01-04]
  EXPECT_EQ(env["SLURM_NODELIST"], env["SLURM_JOB_NODELIST"]);
  EXPECT_EQ(env["SLURM_PROCID"], "3");
  EXPECT_EQ(env["SLURM_NODEID"], "1");
  EXPECT_EQ(env["SLURM_LOCALID"], "1");
  EXPECT_EQ(env["SLURM_RESTART_COUNT"], "1") << "attempt 2 is the first restart";
  EXPECT_EQ(env["SLURM_JOB_NUM_NODES"], "2");
  EXPECT_EQ(env["SLURMD_NODENAME"], "node-b");
}

TEST(TaskEnv, OnlyDeclaredVariablesAndBasicsSurvive) {
  EnvMap env = BuildTaskEnv(GangTask3(), Ctx());
  EXPECT_EQ(env["MY_VAR"], "x");
  EXPECT_EQ(env["PATH"], "/opt/bin:/usr/bin") << "a job may set its own PATH";
  EXPECT_EQ(env["HOME"], "/home/alice");
  EXPECT_EQ(env["USER"], "alice");
  EXPECT_EQ(env["TMPDIR"], "/tmp");
  for (const auto& [k, v] : env) {
    bool allowed = k == "MY_VAR" || k == "PATH" || k == "HOME" || k == "USER" || k == "LOGNAME" ||
                   k == "SHELL" || k == "TMPDIR" || k.rfind("SUANLI_", 0) == 0 || k == "RANK" ||
                   k == "WORLD_SIZE" || k == "LOCAL_RANK" || k == "LOCAL_WORLD_SIZE" ||
                   k == "GROUP_RANK" || k == "NODE_RANK" || k == "MASTER_ADDR" ||
                   k == "MASTER_PORT" || k == "CUDA_VISIBLE_DEVICES" ||
                   k.rfind("SLURM", 0) == 0;
    EXPECT_TRUE(allowed) << "unexpected variable " << k;
  }
}

TEST(TaskEnv, OnlyAssignedAcceleratorsAreVisible) {
  LaunchSpec s = GangTask3();
  s.devices = {1, 3};
  EXPECT_EQ(BuildTaskEnv(s, Ctx())["CUDA_VISIBLE_DEVICES"], "1,3");
  s.devices = {};
  EnvMap none = BuildTaskEnv(s, Ctx());
  ASSERT_TRUE(none.count("CUDA_VISIBLE_DEVICES"));
  EXPECT_EQ(none["CUDA_VISIBLE_DEVICES"], "") << "no GPUs asked, none visible";
  EXPECT_FALSE(none.count("ASCEND_RT_VISIBLE_DEVICES"));

  TaskContext c = Ctx();
  for (auto& d : c.node_devices) d.type = "ascend-910b";
  c.node_devices[2].driver_index = 6;  // driver numbering may differ from the agent's
  s.devices = {2};
  EnvMap asc = BuildTaskEnv(s, c);
  EXPECT_EQ(asc["ASCEND_RT_VISIBLE_DEVICES"], "6");
  EXPECT_EQ(asc["CUDA_VISIBLE_DEVICES"], "");
}

TEST(TaskEnv, SingleTaskWithoutPeersIsRankZeroOnItsOwnNode) {
  LaunchSpec s;
  s.ref = {5, 1, 0};
  s.tasks = 1;
  EnvMap env = BuildTaskEnv(s, Ctx());
  EXPECT_EQ(env["RANK"], "0");
  EXPECT_EQ(env["LOCAL_WORLD_SIZE"], "1");
  EXPECT_EQ(env["SUANLI_NODELIST"], "node-b");
  EXPECT_EQ(env["MASTER_ADDR"], "10.0.0.2");
}

TEST(RankTable, NumbersRanksOverTheGangsDevicesPerServer) {
  LaunchSpec s = GangTask3();
  s.devices = {0, 1};
  s.gpu_type = "ascend-910b";
  s.peers[0].devices = {4, 5};
  TaskContext c = Ctx();
  for (auto& d : c.node_devices) d.type = "ascend-910b";
  auto table = nlohmann::json::parse(BuildRankTable(s, c, {{0, "192.168.1.10"}}));
  EXPECT_EQ(table["version"], "1.0");
  EXPECT_EQ(table["status"], "completed");
  EXPECT_EQ(table["server_count"], "2");
  ASSERT_EQ(table["server_list"].size(), 2u);
  const auto& a = table["server_list"][0];
  EXPECT_EQ(a["server_id"], "10.0.0.1");
  ASSERT_EQ(a["device"].size(), 4u);  // tasks 0 and 1, two devices each
  EXPECT_EQ(a["device"][0]["device_id"], "4");
  EXPECT_EQ(a["device"][0]["rank_id"], "0");
  EXPECT_EQ(a["device"][2]["device_id"], "0") << "task 1 sent no device list: assumed like ours";
  const auto& b = table["server_list"][1];
  EXPECT_EQ(b["server_id"], "10.0.0.2");
  ASSERT_EQ(b["device"].size(), 4u);
  EXPECT_EQ(b["device"][2]["rank_id"], "6");
  EXPECT_EQ(b["device"][2]["device_ip"], "192.168.1.10") << "our own device 0, from hccn.conf";
  EXPECT_TRUE(UsesAscend(s, c.node_devices));
  EXPECT_FALSE(UsesAscend(GangTask3(), Ctx().node_devices));
}

TEST(RankTable, ReadsHccnConf) {
  auto ips =
      ParseHccnConf("address_0=192.168.100.100\nnetmask_0=255.255.255.0\naddress_7=10.1.1.7\r\n");
  ASSERT_EQ(ips.size(), 2u);
  EXPECT_EQ(ips[0], "192.168.100.100");
  EXPECT_EQ(ips[7], "10.1.1.7");
}

}  // namespace
}  // namespace suanli::agent
