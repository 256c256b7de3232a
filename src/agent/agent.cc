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

#include "agent/agent_session.h"
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

// How long the controller has been away is measured on the monotonic clock: a wall-clock step must
// neither fence the tasks early nor keep them running past the controller's node timeout.
class MonotonicClock : public Clock {
 public:
  TimeMs NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
};

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
    // Every controller of a list must be a valid URL; the first one picks the local address.
    std::vector<std::string> urls = SplitUrls(options_.server_url);
    if (urls.empty()) return InvalidArgument("--url names no controller");
    for (const auto& one : urls)
      SUANLI_RETURN_IF_ERROR(ParseUrl(one, &base_url, &server_host, &port));
    SUANLI_RETURN_IF_ERROR(ParseUrl(urls.front(), &base_url, &server_host, &port));
    if (options_.address.empty()) options_.address = LocalAddressFor(server_host, port);
    client_ = std::make_unique<HttpControllerClient>(options_.server_url, options_.join_token);
    report_client_ =
        std::make_unique<HttpControllerClient>(options_.server_url, options_.join_token);

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

    SessionOptions session;
    session.node = options_.name;
    session.server_url = options_.server_url;
    session.fence_after_ms = options_.fence_after_ms;
    session_ = std::make_unique<AgentSession>(
        session, client_.get(), supervisor_.get(), &mu_, &monotonic_, [this] {
          return RegisterBody(options_.name, options_.address, host_, supervisor_->Running());
        });
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.register_timeout_ms);
    Status last;
    for (;;) {
      last = session_->Register();
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
    reporter_ = std::thread([this] { ReportLoop(); });
    return Status::Ok();
  }

  void Stop() override {
    if (!running_.exchange(false)) return;
    { std::lock_guard<std::mutex> lock(sleep_mu_); }  // a waiter between its check and its wait
    cv_.notify_all();
    if (poller_.joinable()) poller_.join();
    if (monitor_.joinable()) monitor_.join();
    if (reporter_.joinable()) reporter_.join();
  }

 private:
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
    session_->Reregister();  // this thread is the one that polls
  }

  void PollLoop() {
    last_discovery_ = std::chrono::steady_clock::now();
    while (running_) {
      MaybeRediscover();
      int64_t wait_ms = session_->PollOnce();
      if (wait_ms > 0) Sleep(static_cast<int>(wait_ms));
    }
  }

  void MonitorLoop() {
    while (running_) {
      if (session_->MonitorOnce()) {
        {
          std::lock_guard<std::mutex> lock(sleep_mu_);
          ends_to_report_ = true;
        }
        cv_.notify_all();
      }
      // A task's end is noticed within this period and then told at once, so it bounds how long
      // a finished task's resources stay held (a Tick is a stat and a kill(pid, 0) per task).
      Sleep(20);
    }
  }

  // Tells the controller of ended tasks at once (AgentSession::ReportEnds), on its own thread
  // and connection so that neither the held long poll nor the monitor's timing waits on it.
  void ReportLoop() {
    while (running_) {
      {
        std::unique_lock<std::mutex> lock(sleep_mu_);
        cv_.wait(lock, [this] { return !running_ || ends_to_report_; });
        ends_to_report_ = false;
      }
      if (running_) session_->ReportEnds(report_client_.get());
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
  std::unique_ptr<ControllerClient> report_client_;  // ReportLoop's own connection
  std::unique_ptr<Supervisor> supervisor_;
  MonotonicClock monotonic_;
  std::unique_ptr<AgentSession> session_;
  std::mutex mu_;  // guards supervisor_ and host_
  std::mutex sleep_mu_;
  std::condition_variable cv_;
  std::atomic<bool> running_{false};
  std::chrono::steady_clock::time_point last_discovery_;
  bool ends_to_report_ = false;  // under sleep_mu_
  std::thread poller_, monitor_, reporter_;
};

}  // namespace

Result<std::unique_ptr<Agent>> Agent::Start(const AgentOptions& options) {
  auto agent = std::make_unique<AgentImpl>(options);
  SUANLI_RETURN_IF_ERROR(agent->Init());
  return std::unique_ptr<Agent>(std::move(agent));
}

}  // namespace suanli::agent
