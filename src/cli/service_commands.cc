// service create|list|show|update|logs|delete: long-running services (docs/cli.md, "Services").
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/submit_request.h"
#include "cli/units.h"

namespace suanli::cli {
namespace {

using nlohmann::json;

struct ServiceFlags {
  SubmitFlags job;  // the replicas' command and resources, as `submit` reads them
  std::string replicas, min_replicas, max_replicas, health, target_rps;
};

void AddServiceFlags(CLI::App* cmd, ServiceFlags* f) {
  cmd->add_option("--replicas", f->replicas, "replicas to run (default 1, or --min-replicas)");
  cmd->add_option("--min-replicas", f->min_replicas,
                  "never fewer (scaling, and batch work never preempts these)");
  cmd->add_option("--max-replicas", f->max_replicas, "never more (scaling on the request rate)");
  cmd->add_option("--health", f->health, "health check, http:/PATH (e.g. http:/healthz)");
  cmd->add_option("--target-rps", f->target_rps,
                  "requests per second one replica should take (scaling; default 10)");
  cmd->add_option("--cpus", f->job.cpus, "CPUs per replica");
  cmd->add_option("--mem", f->job.mem, "memory per replica (512M, 32G)");
  cmd->add_option("--gpus", f->job.gpus, "accelerators per replica");
  cmd->add_option("--gpu-type", f->job.gpu_type, "accelerator type (nvidia-a100, any)");
  cmd->add_option("--priority", f->job.priority, "priority within your tenant");
  cmd->add_option("--env", f->job.env, "environment variable K=V (repeatable)");
  cmd->add_option("command", f->job.positional, "-- CMD ARGS... (it listens on $PORT)");
}

// The request body from the flags; `create` needs a command, `update` takes what is given.
Result<json> ServiceBody(const ServiceFlags& f, bool saw_double_dash, bool create) {
  SubmitFlags job = f.job;
  const bool has_command = !job.positional.empty();
  if (create && (!has_command || !saw_double_dash)) {
    return InvalidArgument("give the replicas' command after --, e.g. -- python3 -m http.server "
                           "$PORT (quote $PORT so the shell of the server expands it)");
  }
  if (!has_command) job.positional = {"-"};
  SUANLI_ASSIGN_OR_RETURN(json body, BuildSubmitRequest(job, true));
  if (!has_command) body.erase("command");
  body.erase("name");  // the service's own name, given apart
  // A command naming $PORT runs under a shell so the variable is expanded on the node.
  if (has_command && body.contains("command") && body["command"].is_array()) {
    bool uses_var = false;
    for (const auto& a : body["command"]) {
      if (a.get<std::string>().find('$') != std::string::npos) uses_var = true;
    }
    if (uses_var) {
      std::string line;
      for (const auto& a : body["command"]) line += (line.empty() ? "" : " ") + a.get<std::string>();
      body["command"] = line;
    }
  }
  auto whole = [&](const std::string& text, const char* name, int64_t min) -> Status {
    if (text.empty()) return Status::Ok();
    auto n = ParseWholeNumber(text, name, min);
    if (!n.ok()) return n.status();
    std::string field(name + 2);
    for (auto& c : field) c = c == '-' ? '_' : c;
    body[field] = *n;
    return Status::Ok();
  };
  SUANLI_RETURN_IF_ERROR(whole(f.replicas, "--replicas", 0));
  SUANLI_RETURN_IF_ERROR(whole(f.min_replicas, "--min-replicas", 0));
  SUANLI_RETURN_IF_ERROR(whole(f.max_replicas, "--max-replicas", 1));
  if (!f.health.empty()) body["health"] = f.health;
  if (!f.target_rps.empty()) {
    SUANLI_ASSIGN_OR_RETURN(double rps, ParseNonNegative(f.target_rps, "--target-rps"));
    body["target_rps"] = rps;
  }
  if (!create && body.empty()) {
    return InvalidArgument("nothing to change: give --replicas, --min-replicas, --max-replicas, "
                           "--health, --target-rps, resources or -- a new command");
  }
  return body;
}

struct CreateCommand {
  ConnectionFlags conn;
  std::string name;
  ServiceFlags flags;
  bool json = false;
};

struct NameCommand {
  ConnectionFlags conn;
  std::string name;
  bool json = false;
};

struct LogsCommand {
  ConnectionFlags conn;
  std::string name;
  int replica = 0;
  bool stderr_stream = false;
};

void PrintService(CommandContext& ctx, const json& s) {
  ctx.out << "service " << s.value("name", "") << "  version " << s.value("version", 0)
          << "  endpoint " << FormatScalar(s.value("endpoint", json())) << "\n"
          << "replicas " << s.value("healthy_replicas", 0) << "/" << s.value("desired_replicas", 0)
          << " healthy (min " << s.value("min_replicas", 0) << ", max "
          << s.value("max_replicas", 0) << "), " << s.value("request_rate", 0.0) << " req/s\n";
  Table table({"REPLICA", "STATE", "HEALTHY", "ADDRESS", "JOB", "VERSION", "RESTARTS",
               "LAST_EXIT"});
  for (const auto& r : s.value("replicas", json::array())) {
    table.AddRow({FormatScalar(r.value("index", json())), FormatScalar(r.value("state", json())),
                    r.value("healthy", false) ? "yes" : "no",
                    FormatScalar(r.value("address", json())),
                    FormatScalar(r.value("job_id", json())),
                    FormatScalar(r.value("version", json())),
                    FormatScalar(r.value("restarts", json())),
                    FormatScalar(r.value("last_exit", json()))});
  }
  ctx.out << table.Render();
}

int RunCreate(CommandContext& ctx, const CreateCommand& c) {
  auto body = ServiceBody(c.flags, ctx.saw_double_dash, true);
  if (!body.ok()) return Fail(ctx, "service create", body.status());
  (*body)["name"] = c.name;
  if (!c.flags.job.tenant.empty()) (*body)["tenant"] = c.flags.job.tenant;
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "service create", client.status());
  auto s = client->Post("services", *body);
  if (!s.ok()) return Fail(ctx, "service create", s.status());
  if (c.json) {
    PrintJson(ctx, *s);
  } else {
    ctx.out << FormatScalar(s->value("endpoint", json())) << "\n";
  }
  return kExitOk;
}

int RunUpdate(CommandContext& ctx, const CreateCommand& c) {
  auto body = ServiceBody(c.flags, ctx.saw_double_dash, false);
  if (!body.ok()) return Fail(ctx, "service update", body.status());
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "service update", client.status());
  auto s = client->Patch("services/" + c.name, *body);
  if (!s.ok()) return Fail(ctx, "service update", s.status());
  if (c.json) {
    PrintJson(ctx, *s);
  } else {
    PrintService(ctx, *s);
  }
  return kExitOk;
}

int RunList(CommandContext& ctx, const NameCommand& c) {
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "service list", client.status());
  auto r = client->Get("services");
  if (!r.ok()) return Fail(ctx, "service list", r.status());
  if (c.json) {
    PrintJson(ctx, *r);
    return kExitOk;
  }
  Table table({"NAME", "TENANT", "HEALTHY", "VERSION", "ENDPOINT"});
  for (const auto& s : r->value("services", json::array())) {
    table.AddRow({s.value("name", ""), s.value("tenant", ""),
                    std::to_string(s.value("healthy_replicas", 0)) + "/" +
                        std::to_string(s.value("desired_replicas", 0)),
                    std::to_string(s.value("version", 0)),
                    FormatScalar(s.value("endpoint", json()))});
  }
  ctx.out << table.Render();
  return kExitOk;
}

int RunShow(CommandContext& ctx, const NameCommand& c) {
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "service show", client.status());
  auto s = client->Get("services/" + c.name);
  if (!s.ok()) return Fail(ctx, "service show", s.status());
  if (c.json) {
    PrintJson(ctx, *s);
  } else {
    PrintService(ctx, *s);
  }
  return kExitOk;
}

int RunDelete(CommandContext& ctx, const NameCommand& c) {
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "service delete", client.status());
  auto r = client->Delete("services/" + c.name);
  if (!r.ok()) return Fail(ctx, "service delete", r.status());
  if (c.json) {
    PrintJson(ctx, *r);
  } else {
    ctx.out << "service " << c.name << " deleted; " << r->value("cancelled_jobs", json::array()).size()
            << " replica job(s) cancelled\n";
  }
  return kExitOk;
}

// The logs of a replica's current job, or of its last one when it waits to restart (a crash
// loop's last words).
int RunLogs(CommandContext& ctx, const LogsCommand& c) {
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "service logs", client.status());
  auto s = client->Get("services/" + c.name);
  if (!s.ok()) return Fail(ctx, "service logs", s.status());
  json job;
  for (const auto& r : s->value("replicas", json::array())) {
    if (r.value("index", -1) != c.replica || r.value("state", "") == "REPLACING") continue;
    job = r.value("job_id", json());
    if (job.is_null()) job = r.value("last_job_id", json());
  }
  if (job.is_null()) {
    return Fail(ctx, "service logs",
                NotFound("service " + c.name + " has no replica " + std::to_string(c.replica) +
                         " with logs yet"));
  }
  std::string path = "jobs/" + std::to_string(job.get<int64_t>()) + "/logs";
  int64_t offset = 0;
  while (true) {
    auto r = client->GetRaw(path, {{"stream", c.stderr_stream ? "stderr" : "stdout"},
                                   {"offset", std::to_string(offset)}});
    if (!r.ok()) return Fail(ctx, "service logs", r.status());
    ctx.out << r->body;
    if (r->body.empty()) break;
    offset += static_cast<int64_t>(r->body.size());
  }
  ctx.out << std::flush;
  return kExitOk;
}

}  // namespace

void RegisterServiceCommands(CLI::App& app, CommandContext& ctx) {
  auto* svc = app.add_subcommand(
      "service", "long-running services: replicas behind one endpoint (create, list, show, "
                 "update, logs, delete)");
  svc->require_subcommand(1);
  {
    auto c = std::make_shared<CreateCommand>();
    auto* cmd = svc->add_subcommand(
        "create", "run a service: service create NAME --replicas N [flags] -- CMD ARGS...");
    AddConnectionFlags(cmd, &c->conn);
    cmd->add_option("name", c->name, "service name")->required();
    cmd->add_option("--tenant", c->flags.job.tenant, "tenant to charge (default: your own)");
    AddServiceFlags(cmd, &c->flags);
    cmd->add_flag("--json", c->json, "print the service as JSON");
    SetAction(cmd, ctx, [&ctx, c] { return RunCreate(ctx, *c); });
  }
  {
    auto c = std::make_shared<CreateCommand>();
    auto* cmd = svc->add_subcommand(
        "update", "change a service; a new command or resources roll over one replica at a time");
    AddConnectionFlags(cmd, &c->conn);
    cmd->add_option("name", c->name, "service name")->required();
    AddServiceFlags(cmd, &c->flags);
    cmd->add_flag("--json", c->json, "print the service as JSON");
    SetAction(cmd, ctx, [&ctx, c] { return RunUpdate(ctx, *c); });
  }
  {
    auto c = std::make_shared<NameCommand>();
    auto* cmd = svc->add_subcommand("list", "services you can see");
    AddConnectionFlags(cmd, &c->conn);
    cmd->add_flag("--json", c->json, "print JSON");
    SetAction(cmd, ctx, [&ctx, c] { return RunList(ctx, *c); });
  }
  {
    auto c = std::make_shared<NameCommand>();
    auto* cmd = svc->add_subcommand("show", "a service: endpoint and replicas");
    AddConnectionFlags(cmd, &c->conn);
    cmd->add_option("name", c->name, "service name")->required();
    cmd->add_flag("--json", c->json, "print JSON");
    SetAction(cmd, ctx, [&ctx, c] { return RunShow(ctx, *c); });
  }
  {
    auto c = std::make_shared<NameCommand>();
    auto* cmd = svc->add_subcommand("delete", "stop a service and its replicas");
    AddConnectionFlags(cmd, &c->conn);
    cmd->add_option("name", c->name, "service name")->required();
    cmd->add_flag("--json", c->json, "print JSON");
    SetAction(cmd, ctx, [&ctx, c] { return RunDelete(ctx, *c); });
  }
  {
    auto c = std::make_shared<LogsCommand>();
    auto* cmd = svc->add_subcommand(
        "logs", "a replica's output (its last job's while it waits to restart)");
    AddConnectionFlags(cmd, &c->conn);
    cmd->add_option("name", c->name, "service name")->required();
    cmd->add_option("--replica", c->replica, "replica index (default 0)");
    cmd->add_flag("--stderr", c->stderr_stream, "stderr instead of stdout");
    SetAction(cmd, ctx, [&ctx, c] { return RunLogs(ctx, *c); });
  }
}

}  // namespace suanli::cli
