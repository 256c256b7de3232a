#pragma once
// A center's side of the federation: a thread beside the controller (never on its owner thread)
// that reads the center's own REST API every few seconds and pushes a report to the broker,
// renewing the center's lease there. `suanli up|server --federation URL --federation-token T
// --center NAME --region REGION` starts one.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "base/result.h"
#include "federation/broker_state.h"

namespace suanli::federation {

struct ReporterOptions {
  std::string broker_url;         // --federation
  std::string broker_token;       // --federation-token: the broker's join.token
  std::string center;             // --center
  std::string region;             // --region
  std::string center_url;         // this center's API, read and handed to the broker for forwarding
  std::string center_token_path;  // its admin.token (read each time: it may be reset)
  // The center's price table: per device-hour by type, else the default.
  std::map<std::string, double> prices;
  double default_price = 2.0;
  double pue = 1.0, electricity_per_kwh = 0, carbon_g_per_kwh = 0;
  int64_t interval_ms = 2000;
};

// The report from the center's GET /stats/overview, /nodes and /jobs?all=true answers: per
// accelerator type the devices in total and allocated, asked by PENDING jobs, the most on one UP
// node, the price, and the running jobs' expected ends; and the jobs the broker placed here.
Result<CenterReport> BuildReport(const nlohmann::json& overview, const nlohmann::json& nodes,
                                 const nlohmann::json& jobs, const ReporterOptions& options,
                                 int64_t now_ms);

class Reporter {
 public:
  // Checks the options (InvalidArgument naming the flag) and starts the thread; the first report
  // goes out at once.
  static Result<std::unique_ptr<Reporter>> Start(const ReporterOptions& options);
  ~Reporter();
  void Stop();
  // Reports made and failed so far (for tests and logs).
  int64_t sent() const { return sent_; }

 private:
  explicit Reporter(ReporterOptions o) : options_(std::move(o)) {}
  void Loop();
  Status ReportOnce();

  ReporterOptions options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<int64_t> sent_{0};
};

}  // namespace suanli::federation
