// nodes and usage: what the cluster has and who used it.
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <ostream>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/units.h"

namespace suanli::cli {
namespace {

std::string Cell(const nlohmann::json& obj, const char* key) {
  return FormatScalar(obj.is_object() && obj.contains(key) ? obj[key] : nlohmann::json());
}

double Number(const nlohmann::json& obj, const char* key) {
  return obj.is_object() && obj.contains(key) && obj[key].is_number() ? obj[key].get<double>()
                                                                      : 0.0;
}

// Two decimals, enough for hours of use.
std::string Hours(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", seconds / 3600.0);
  return buf;
}

struct NodesCommand {
  ConnectionFlags conn;
  bool json = false;
};

std::string DeviceSummary(const nlohmann::json& node) {
  if (!node.contains("devices") || !node["devices"].is_array() || node["devices"].empty())
    return "-";
  std::map<std::string, int> count;
  for (const auto& d : node["devices"]) count[d.value("type", "unknown")]++;
  std::string out;
  for (const auto& [type, n] : count)
    out += (out.empty() ? "" : ",") + type + ":" + std::to_string(n);
  return out;
}

struct DrainCommand {
  ConnectionFlags conn;
  std::string node;
};

// `nodes drain NAME` / `nodes resume NAME`.
int RunDrain(CommandContext& ctx, const DrainCommand& c, bool drain) {
  const std::string what = drain ? "nodes drain" : "nodes resume";
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, what, client.status());
  auto reply = client->Post("nodes/" + c.node + (drain ? "/drain" : "/resume"), nlohmann::json{});
  if (!reply.ok()) return Fail(ctx, what, reply.status());
  int running = reply->value("running_tasks", 0);
  if (drain) {
    ctx.out << "node " << c.node << " drained: no new work"
            << (running ? "; " + std::to_string(running) + " running task(s) will finish there"
                        : "; nothing runs there")
            << "\n";
  } else {
    ctx.out << "node " << c.node << " resumed: it takes work again\n";
  }
  return kExitOk;
}

int RunNodes(CommandContext& ctx, const NodesCommand& c) {
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "nodes", client.status());
  auto reply = client->Get("nodes");
  if (!reply.ok()) return Fail(ctx, "nodes", reply.status());
  if (c.json) {
    PrintJson(ctx, *reply);
    return kExitOk;
  }
  if (!reply->contains("nodes") || !(*reply)["nodes"].is_array()) {
    return Fail(ctx, "nodes", Internal("the server's answer has no \"nodes\" list"));
  }
  Table table({"NAME", "STATE", "CPUS", "MEM", "ACCELERATORS", "ACCEL_USED", "JOBS", "HEARTBEAT"});
  double now = NowSeconds();
  for (const auto& n : (*reply)["nodes"]) {
    nlohmann::json alloc = n.contains("allocated") ? n["allocated"] : nlohmann::json::object();
    std::string jobs;
    if (n.contains("jobs") && n["jobs"].is_array()) {
      for (const auto& j : n["jobs"]) jobs += (jobs.empty() ? "" : ",") + FormatScalar(j);
    }
    std::string heartbeat = "-";
    if (n.contains("last_heartbeat") && n["last_heartbeat"].is_number()) {
      heartbeat = FormatElapsed(now - n["last_heartbeat"].get<double>()) + " ago";
    }
    size_t devices = n.contains("devices") && n["devices"].is_array() ? n["devices"].size() : 0;
    table.AddRow({Cell(n, "name"), Cell(n, "state"),
                  FormatNumber(Number(alloc, "cpus")) + "/" + FormatNumber(Number(n, "cpus")),
                  FormatSizeMb(Number(alloc, "mem_mb")) + "/" + FormatSizeMb(Number(n, "mem_mb")),
                  DeviceSummary(n),
                  FormatNumber(Number(alloc, "gpus")) + "/" + std::to_string(devices),
                  jobs.empty() ? "-" : jobs, heartbeat});
  }
  ctx.out << table.Render();
  return kExitOk;
}

struct UsageCommand {
  ConnectionFlags conn;
  std::string tenant, user, since, until, by = "tenant";
  bool json = false;
  bool csv = false;
};

std::vector<std::string> UsageRow(const std::string& key, const nlohmann::json& r) {
  std::string accel;
  if (r.contains("accel_s") && r["accel_s"].is_object()) {
    for (const auto& [type, s] : r["accel_s"].items()) {
      accel += (accel.empty() ? "" : ",") + type + "=" + Hours(s.is_number() ? s.get<double>() : 0);
    }
  }
  return {key,
          Cell(r, "jobs"),
          Hours(Number(r, "cpu_s")),
          Hours(Number(r, "mem_mb_s") / 1024.0),
          accel.empty() ? "-" : accel,
          FormatNumber(std::round(Number(r, "cost") * 100) / 100)};
}

int RunUsage(CommandContext& ctx, const UsageCommand& c) {
  QueryParams q;
  if (!c.tenant.empty()) q.emplace_back("tenant", c.tenant);
  if (!c.user.empty()) q.emplace_back("user", c.user);
  // Dates are checked here so a typo is named before the request; the server gets them as typed.
  for (const auto& [flag, value] :
       {std::pair<std::string, std::string>{"since", c.since}, {"until", c.until}}) {
    if (value.empty()) continue;
    auto t = ParseTimestamp(value);
    if (!t.ok())
      return Fail(ctx, "usage", InvalidArgument("--" + flag + ": " + t.status().message()));
    q.emplace_back(flag, value);
  }
  q.emplace_back("by", c.by);
  if (c.json && c.csv)
    return Fail(ctx, "usage", InvalidArgument("--json and --csv exclude each other"));
  q.emplace_back("format", c.csv ? "csv" : "json");
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "usage", client.status());
  if (c.csv) {
    auto raw = client->GetRaw("usage", q);
    if (!raw.ok()) return Fail(ctx, "usage", raw.status());
    ctx.out << raw->body;
    if (!raw->body.empty() && raw->body.back() != '\n') ctx.out << "\n";
    return kExitOk;
  }
  auto reply = client->Get("usage", q);
  if (!reply.ok()) return Fail(ctx, "usage", reply.status());
  if (c.json) {
    PrintJson(ctx, *reply);
    return kExitOk;
  }
  if (!reply->contains("rows") || !(*reply)["rows"].is_array()) {
    return Fail(ctx, "usage", Internal("the server's answer has no \"rows\" list"));
  }
  std::string key_header = c.by == "user" ? "USER" : c.by == "type" ? "TYPE" : "TENANT";
  Table table({key_header, "JOBS", "CPU_HOURS", "MEM_GB_HOURS", "ACCEL_HOURS", "COST"});
  for (const auto& r : (*reply)["rows"]) table.AddRow(UsageRow(Cell(r, "key"), r));
  if (reply->contains("total") && (*reply)["total"].is_object()) {
    table.AddRow(UsageRow("TOTAL", (*reply)["total"]));
  }
  ctx.out << table.Render();
  return kExitOk;
}

}  // namespace

void RegisterClusterCommands(CLI::App& app, CommandContext& ctx) {
  auto n = std::make_shared<NodesCommand>();
  auto* nodes = app.add_subcommand("nodes", "list nodes, their accelerators and what runs on them");
  AddConnectionFlags(nodes, &n->conn);
  nodes->add_flag("--json", n->json, "print the server's JSON");
  std::vector<CLI::App*> verbs;
  for (bool drain : {true, false}) {
    auto d = std::make_shared<DrainCommand>();
    auto* verb =
        nodes->add_subcommand(drain ? "drain" : "resume",
                              drain ? "take no new work on a node (admins); its running jobs finish"
                                    : "let a drained node take work again (admins)");
    AddConnectionFlags(verb, &d->conn);
    verb->add_option("NODE", d->node, "the node's name")->required();
    SetAction(verb, ctx, [&ctx, d, drain] { return RunDrain(ctx, *d, drain); });
    verbs.push_back(verb);
  }
  // The listing is `nodes` alone; after `nodes drain NAME` it keeps the verb's exit code.
  SetAction(nodes, ctx, [&ctx, n, verbs] {
    for (auto* v : verbs) {
      if (v->parsed()) return ctx.exit_code;
    }
    return RunNodes(ctx, *n);
  });

  auto u = std::make_shared<UsageCommand>();
  auto* usage =
      app.add_subcommand("usage", "accounting: resources used by finished and running jobs");
  AddConnectionFlags(usage, &u->conn);
  usage->add_option("--tenant", u->tenant, "only this tenant (and its subtree)");
  usage->add_option("--user", u->user, "only this user");
  usage->add_option("--since", u->since, "from this date (2026-01-01, 2026-01-01T12:00, UTC)");
  usage->add_option("--until", u->until, "up to this date");
  usage->add_option("--by", u->by, "group rows by tenant, user or type (default tenant)")
      ->check(CLI::IsMember({"tenant", "user", "type"}));
  usage->add_flag("--json", u->json, "print the server's JSON");
  usage->add_flag("--csv", u->csv, "print CSV (for spreadsheets)");
  SetAction(usage, ctx, [&ctx, u] { return RunUsage(ctx, *u); });
}

}  // namespace suanli::cli
