#include "agent/command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "agent/agent.h"

namespace suanli::agent {

void RegisterCommands(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "agent", "Run the node agent: report this node's devices, run jobs isolated");
  auto opts = std::make_shared<AgentOptions>();
  auto token_file = std::make_shared<std::string>();
  cmd->add_option(
         "--url", opts->server_url,
         "Controller URL, e.g. http://10.0.0.1:8080; several controllers sharing one store: "
         "URL,URL (the agent follows the leader)")
      ->required();
  cmd->add_option("--join-token", opts->join_token,
                  "Cluster join token (DATA_DIR/join.token on the controller)");
  cmd->add_option("--join-token-file", *token_file, "Read the join token from this file");
  cmd->add_option("--name", opts->name, "Node name (default: the host name)");
  cmd->add_option(
      "--accelerators", opts->accelerators,
      "Declared devices added to discovered ones: TYPE:COUNT[:MEMORY_MB],... e.g. nvidia-a100:8");
  cmd->add_option("--work-dir", opts->work_dir, "Task directories, logs and state for re-attach")
      ->capture_default_str();
  cmd->add_option("--cpus", opts->cpus, "CPUs to offer (default: all this process may use)");
  cmd->add_option("--mem-mb", opts->mem_mb, "Memory to offer in MiB (default: all)");
  cmd->add_option("--address", opts->address,
                  "Address peers dial (default: the route to the controller)");
  cmd->add_option("--nvml-library", opts->nvml_library,
                  "NVML library to load (env SUANLI_NVML_LIBRARY)")
      ->capture_default_str();
  cmd->add_option("--npu-smi", opts->npu_smi,
                  "npu-smi program for Ascend discovery (env SUANLI_NPU_SMI)")
      ->capture_default_str();
  cmd->add_option("--fallback-user", opts->fallback_user,
                  "Account for users who have none on this node")
      ->capture_default_str();
  cmd->add_flag("--allow-root", opts->allow_root, "Let jobs run as root");
  cmd->add_option("--min-uid", opts->min_uid,
                  "Accounts below this uid (system accounts) run jobs as the fallback account")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{4294967294}));
  cmd->add_option("--allowed-group", opts->allowed_group,
                  "Only members of this group run jobs as their own account (default: any)");
  cmd->add_flag("!--no-cgroups", opts->use_cgroups,
                "Do not use cgroups (no cpu/memory/pids limits)");
  cmd->add_flag("!--no-private-tmp", opts->private_tmp, "Do not give jobs a private /tmp");
  cmd->add_option("--cgroup-parent", opts->cgroup_parent,
                  "Sub-path of each cgroup hierarchy for our groups")
      ->capture_default_str();
  cmd->add_option("--pids-max", opts->pids_max, "Process limit per task")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 22));
  cmd->add_option("--log-rotate-mb", opts->log_rotate_mb,
                  "Rotate a task's stdout/stderr beyond this size")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 20));
  cmd->add_option("--fence-after-ms", opts->fence_after_ms,
                  "Stop local tasks after this long without the controller (0 = never, "
                  "-1 = from the controller's register reply, default 8000)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{-1}, int64_t{1} << 40));
  cmd->add_option("--dev-root", opts->dev_root,
                  "Directory holding the accelerator device nodes (tests use a fake one)")
      ->capture_default_str();
  cmd->add_option("--register-timeout-ms", opts->register_timeout_ms,
                  "Give up registering after this long")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->callback([opts, token_file] {
    if (opts->join_token.empty() && !token_file->empty()) {
      std::ifstream in(*token_file);
      if (!in) {
        std::cerr << "suanli agent: cannot read --join-token-file " << *token_file << "\n";
        throw CLI::RuntimeError(2);
      }
      std::getline(in, opts->join_token);
    }
    if (opts->join_token.empty()) {
      std::cerr << "suanli agent: --join-token or --join-token-file is required\n";
      throw CLI::RuntimeError(2);
    }
    // Block the stop signals before any thread starts, so only sigwait below receives them.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    auto agent = Agent::Start(*opts);
    if (!agent.ok()) {
      std::cerr << "suanli agent: " << agent.status().ToString() << "\n";
      throw CLI::RuntimeError(1);
    }
    int sig = 0;
    sigwait(&stop, &sig);
    spdlog::info(
        "signal {}: stopping the agent; running tasks keep running and are re-attached on restart",
        sig);
    (*agent)->Stop();
  });
}

}  // namespace suanli::agent
