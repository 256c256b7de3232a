// The agent process: discovery, registration, the poll loop (heartbeats, launches, kills, events,
// logs) and the monitor loop (exits, deadlines). Two threads in all, whatever the number of tasks.
#include "agent/agent.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

#include "agent/controller_client.h"
#include "agent/discovery.h"
#include "agent/protocol.h"
#include "agent/supervisor.h"

namespace suanli::agent {
namespace {

std::string SafeName(const std::string& name) {
  std::string out;
  for (char c : name)
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  return out;
}

class AgentImpl : public Agent {
 public:
  explicit AgentImpl(AgentOptions options) : options_(std::move(options)) {}
  ~AgentImpl() override { Stop(); }

  Status Init() {
    if (options_.server_url.empty())
      return InvalidArgument("the controller URL (--url) is required");
    if (options_.join_token.empty())
      return InvalidArgument("the join token (--join-token) is required");
    if (options_.name.empty()) {
      char host[256] = {0};
      gethostname(host, sizeof(host) - 1);
      options_.name = host;
    }
    if (SafeName(options_.name) != options_.name || options_.name.empty())
      return InvalidArgument(fmt::format(
          "node name '{}' may hold only letters, digits, '-', '_', '.'", options_.name));
    if (const char* e = getenv("SUANLI_NVML_LIBRARY"); e && *e) options_.nvml_library = e;
    if (const char* e = getenv("SUANLI_NPU_SMI"); e && *e) options_.npu_smi = e;
    signal(SIGPIPE, SIG_IGN);

    discovery_.nvml_library = options_.nvml_library;
    discovery_.npu_smi = options_.npu_smi;
    discovery_.declared = options_.accelerators;
    discovery_.cpus = options_.cpus;
    discovery_.mem_mb = options_.mem_mb;
    std::vector<std::string> notes;
    SUANLI_ASSIGN_OR_RETURN(host_, DiscoverAll(discovery_, &notes));
    for (const auto& n : notes) spdlog::info("discovery: {}", n);
    spdlog::info("node {}: {} CPUs ({} cores, {} NUMA nodes), {} MiB, {} accelerators",
                 options_.name, host_.cpus, host_.cores, host_.numa_cpus.size(), host_.mem_mb,
                 host_.devices.size());

    std::string base_url, server_host;
    int port = 0;
    SUANLI_RETURN_IF_ERROR(ParseUrl(options_.server_url, &base_url, &server_host, &port));
    if (options_.address.empty()) options_.address = LocalAddressFor(server_host, port);
    client_ = std::make_unique<ControllerClient>(options_.server_url, options_.join_token);

    std::unique_ptr<CgroupManager> cgroups;
    if (options_.use_cgroups) {
      auto layout = DetectCgroupLayout();
      // The work directory is part of the name: two agents sharing a node name on one machine
      // (tests, `suanli up` twice) never touch each other's groups, and a restarted agent finds its
      // own.
      std::error_code ec;
      auto work = std::filesystem::weakly_canonical(options_.work_dir, ec).string();
      std::string group = fmt::format("{}-{:08x}", options_.name,
                                      static_cast<uint32_t>(std::hash<std::string>{}(work)));
      cgroups = std::make_unique<CgroupFsManager>(layout, options_.cgroup_parent + "/" + group);
      Status st = geteuid() == 0
                      ? cgroups->Init()
                      : FailedPrecondition("the agent is not root and cannot create cgroups");
      if (!st.ok()) {
        spdlog::error("cgroups unusable, tasks will run WITHOUT cpu/memory/pids limits: {}",
                      st.ToString());
        cgroups.reset();
      }
    }
    SupervisorOptions so;
    so.work_dir = options_.work_dir;
    so.node_name = options_.name;
    so.node_address = options_.address;
    so.accounts.fallback = options_.fallback_user;
    so.accounts.allow_root = options_.allow_root;
    so.accounts.min_uid = static_cast<uid_t>(options_.min_uid);
    so.accounts.allowed_group = options_.allowed_group;
    so.private_tmp = options_.private_tmp && geteuid() == 0;
    so.mask_devices = geteuid() == 0;
    so.dev_root = options_.dev_root;
    so.default_pids_max = options_.pids_max;
    so.log_rotate_bytes = options_.log_rotate_mb << 20;
    supervisor_ = std::make_unique<Supervisor>(so, host_, std::move(cgroups), MakeForkLauncher(),
                                               SystemClock::Get());
    spdlog::info("isolation: {}", supervisor_->DescribeIsolation());
    SUANLI_RETURN_IF_ERROR(supervisor_->Recover());

    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.register_timeout_ms);
    Status last;
    for (;;) {
      last = Register();
      if (last.ok()) break;
      if (last.code() == StatusCode::kUnauthenticated ||
          last.code() == StatusCode::kInvalidArgument ||
          std::chrono::steady_clock::now() >= deadline)
        return last;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    running_ = true;
    monitor_ = std::thread([this] { MonitorLoop(); });
    poller_ = std::thread([this] { PollLoop(); });
    return Status::Ok();
  }

  void Stop() override {
    if (!running_.exchange(false)) return;
    cv_.notify_all();
    if (poller_.joinable()) poller_.join();
    if (monitor_.joinable()) monitor_.join();
  }

 private:
  Status Register() {
    nlohmann::json body;
    {
      std::lock_guard<std::mutex> lock(mu_);
      body = RegisterBody(options_.name, options_.address, host_, supervisor_->Running());
    }
    auto r = client_->Register(body);
    if (!r.ok()) return r.status();
    heartbeat_ms_ = r->heartbeat_ms;
    fence_ms_ = options_.fence_after_ms >= 0 ? options_.fence_after_ms : FencePeriodMs(*r);
    {
      std::lock_guard<std::mutex> lock(mu_);  // the monitor thread reads it
      last_contact_ = std::chrono::steady_clock::now();
    }
    spdlog::info("registered with {} as {} (heartbeat {} ms, {})", options_.server_url,
                 options_.name, heartbeat_ms_,
                 fence_ms_ > 0 ? fmt::format("tasks stop after {} ms without it", fence_ms_.load())
                               : std::string("tasks never self-fenced"));
    return Status::Ok();
  }

  void UploadLogs() {
    std::vector<LogWork> work;
    {
      std::lock_guard<std::mutex> lock(mu_);
      work = supervisor_->NextLogChunks(256 << 10);
    }
    for (const auto& w : work) {
      Status st = client_->UploadLog(options_.name, w.ref, w.stream, w.chunk.offset, w.chunk.data);
      std::lock_guard<std::mutex> lock(mu_);
      if (st.code() == StatusCode::kNotFound && st.message().find("/logs") != std::string::npos &&
          st.message().find("job") == std::string::npos) {
        spdlog::warn("the controller has no log upload route; logs stay on this node: {}",
                     st.message());
        supervisor_->SetLogsUploadable(false);
        return;
      }
      if (!st.ok()) spdlog::warn("log upload for job {}: {}", w.ref.job_id, st.ToString());
      supervisor_->AckLog(w, st.ok());
    }
  }

  void MaybeRediscover() {
    auto now = std::chrono::steady_clock::now();
    if (now - last_discovery_ < std::chrono::seconds(30)) return;
    last_discovery_ = now;
    std::vector<std::string> notes;
    auto fresh = DiscoverAll(discovery_, &notes);
    if (!fresh.ok()) return;
    nlohmann::json a = nlohmann::json::array(), b = nlohmann::json::array();
    for (const auto& d : fresh->devices) a.push_back(DeviceToJson(d));
    for (const auto& d : host_.devices) b.push_back(DeviceToJson(d));
    if (a == b) return;
    spdlog::info("devices changed ({} -> {}); registering again", host_.devices.size(),
                 fresh->devices.size());
    std::lock_guard<std::mutex> lock(mu_);
    host_.devices = fresh->devices;
    registered_ = false;
  }

  void PollLoop() {
    int failures = 0;
    last_discovery_ = std::chrono::steady_clock::now();
    while (running_) {
      MaybeRediscover();
      if (!registered_) {
        Status st = Register();
        if (!st.ok()) {
          if (failures++ % 10 == 0) spdlog::warn("cannot register: {}", st.ToString());
          Sleep(1000);
          continue;
        }
        registered_ = true;
        failures = 0;
      }
      UploadLogs();
      std::vector<TaskEvent> events;
      nlohmann::json body;
      {
        std::lock_guard<std::mutex> lock(mu_);
        events = supervisor_->PendingEvents();
        body = PollBody(heartbeat_ms_, supervisor_->Running(), events);
      }
      std::vector<std::string> errors;
      auto answer = client_->Poll(options_.name, body, heartbeat_ms_, &errors);
      if (!answer.ok()) {
        if (answer.status().code() == StatusCode::kNotFound) {
          spdlog::warn("the controller does not know this node any more; registering again");
          registered_ = false;
        } else if (failures++ % 10 == 0) {
          spdlog::warn("poll failed: {}", answer.status().ToString());
        }
        Sleep(std::min(1000, heartbeat_ms_));
        continue;
      }
      failures = 0;
      for (const auto& e : errors) spdlog::error("controller sent a bad entry: {}", e);
      std::lock_guard<std::mutex> lock(mu_);
      last_contact_ = std::chrono::steady_clock::now();
      fenced_ = false;
      supervisor_->AckEvents(events);
      for (const auto& k : answer->kill) supervisor_->Kill(k);
      for (const auto& l : answer->launch) supervisor_->Launch(l);
    }
  }

  void MonitorLoop() {
    while (running_) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        supervisor_->Tick();
        int64_t fence_ms = fence_ms_;
        if (fence_ms > 0 && !fenced_ &&
            std::chrono::steady_clock::now() - last_contact_ >
                std::chrono::milliseconds(fence_ms) &&
            supervisor_->active_tasks() > 0) {
          spdlog::error("no contact with the controller for {} ms: stopping local tasks (LOST)",
                        fence_ms);
          supervisor_->TerminateAll("LOST");
          fenced_ = true;
        }
      }
      Sleep(100);
    }
  }

  void Sleep(int ms) {
    std::unique_lock<std::mutex> lock(sleep_mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return !running_; });
  }

  AgentOptions options_;
  DiscoveryOptions discovery_;
  HostInfo host_;
  std::unique_ptr<ControllerClient> client_;
  std::unique_ptr<Supervisor> supervisor_;
  std::mutex mu_;  // guards supervisor_ and host_
  std::mutex sleep_mu_;
  std::condition_variable cv_;
  std::atomic<bool> running_{false};
  bool registered_ = true;
  bool fenced_ = false;
  int heartbeat_ms_ = 1000;
  std::atomic<int64_t> fence_ms_{kDefaultFenceMs};
  std::chrono::steady_clock::time_point last_contact_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_discovery_;
  std::thread poller_, monitor_;
};

}  // namespace

Result<std::unique_ptr<Agent>> Agent::Start(const AgentOptions& options) {
  auto agent = std::make_unique<AgentImpl>(options);
  SUANLI_RETURN_IF_ERROR(agent->Init());
  return std::unique_ptr<Agent>(std::move(agent));
}

}  // namespace suanli::agent
