// `suanli broker`: the federation's broker process (src/federation/broker.h).
#include <signal.h>
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/units.h"
#include "federation/broker.h"

namespace suanli::cli {

namespace {

struct BrokerCommand {
  std::string data_dir = "broker";
  std::string listen = "127.0.0.1:8090";
  std::string lease_timeout = "15s";
  std::string requeue_after = "5m";
};

int RunBroker(CommandContext& ctx, const BrokerCommand& c) {
  auto lease = ParseDurationMs(c.lease_timeout);
  if (!lease.ok() || *lease <= 0) {
    return Fail(ctx, "broker",
                InvalidArgument("--lease-timeout must be a positive duration like 15s, got '" +
                                c.lease_timeout + "'"));
  }
  federation::BrokerOptions o;
  o.data_dir = c.data_dir;
  o.listen = c.listen;
  o.lease_timeout_ms = *lease;
  auto requeue = ParseDurationMs(c.requeue_after);
  if (!requeue.ok() || *requeue < 0) {
    return Fail(ctx, "broker",
                InvalidArgument("--requeue-after must be a duration like 5m (0: never), got '" +
                                c.requeue_after + "'"));
  }
  o.requeue_running_after_ms = *requeue;
  // Block the stop signals in every thread the broker starts, then wait for one here.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  auto broker = federation::Broker::Start(o);
  if (!broker.ok()) return Fail(ctx, "broker", broker.status());
  ctx.out << "suanli broker at " << (*broker)->url() << "\n"
          << "  admin token in " << (*broker)->admin_token_path() << "\n"
          << "  centers join with: suanli up --federation " << (*broker)->url()
          << " --federation-token $(cat " << c.data_dir << "/join.token) --center NAME "
          << "--region REGION\n"
          << std::flush;
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("received signal {}, stopping", sig);
  (*broker)->Stop();
  return kExitOk;
}

}  // namespace

void RegisterBrokerCommand(CLI::App& app, CommandContext& ctx) {
  auto c = std::make_shared<BrokerCommand>();
  auto* cmd = app.add_subcommand("broker", "run the federation's broker: routes jobs to centers");
  cmd->add_option("--data-dir", c->data_dir, "state: broker.db, url, admin.token, join.token")
      ->capture_default_str();
  cmd->add_option("--listen", c->listen, "HOST:PORT to serve on; port 0 picks a free port")
      ->capture_default_str();
  cmd->add_option("--lease-timeout", c->lease_timeout,
                  "a center that has not reported for this long is DOWN (e.g. 15s)")
      ->capture_default_str();
  cmd->add_option("--requeue-after", c->requeue_after,
                  "a job that was running on a center DOWN this long past its lease is run again "
                  "elsewhere, unless submitted with requeue false (0: never)")
      ->capture_default_str();
  SetAction(cmd, ctx, [&ctx, c] { return RunBroker(ctx, *c); });
}

}  // namespace suanli::cli
