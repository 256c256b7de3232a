// submit, queue, show, cancel: the everyday job commands.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <memory>
#include <ostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/submit_request.h"

namespace suanli::cli {
namespace {

struct SubmitCommand {
  ConnectionFlags conn;
  SubmitFlags flags;
  bool json = false;
};

int RunSubmit(CommandContext& ctx, const SubmitCommand& c) {
  auto body = BuildSubmitRequest(c.flags, ctx.saw_double_dash);
  if (!body.ok()) return Fail(ctx, "submit", body.status());
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "submit", client.status());
  auto job = client->Post("jobs", *body);
  if (!job.ok()) return Fail(ctx, "submit", job.status());
  if (c.json) {
    PrintJson(ctx, *job);
  } else {
    ctx.out << FormatScalar(job->value("id", nlohmann::json())) << "\n";
  }
  return kExitOk;
}

void RegisterSubmit(CLI::App& app, CommandContext& ctx) {
  auto c = std::make_shared<SubmitCommand>();
  auto* cmd =
      app.add_subcommand("submit", "submit a job: suanli submit [flags] -- CMD ARGS... | SCRIPT");
  AddConnectionFlags(cmd, &c->conn);
  auto& f = c->flags;
  cmd->add_option("--tenant", f.tenant, "tenant to charge (default: your own)");
  cmd->add_option("--cpus", f.cpus, "CPUs per task (may be fractional, e.g. 0.5)");
  cmd->add_option("--mem", f.mem, "memory per task (512M, 32G, 1T; plain number = MiB)");
  cmd->add_option("--gpus", f.gpus, "accelerators per task (below 1: a share of one device)");
  cmd->add_option("--gpu-type", f.gpu_type,
                  "accelerator type: nvidia-a100, 'nvidia-a100|nvidia-h100' or any");
  cmd->add_option("--nodes", f.nodes, "gang size: tasks started together, each on its share");
  cmd->add_option("--time", f.time,
                  "time limit (90s, 30m, 2h, 1d, 1:30:00; plain number = minutes)");
  cmd->add_option("--name", f.name, "job name (default: the command or script name)");
  cmd->add_option("--priority", f.priority, "priority within your tenant (higher first)");
  cmd->add_option("--idempotency-key", f.idempotency_key,
                  "retrying with the same key returns the same job instead of a new one");
  cmd->add_option("--env", f.env, "environment variable K=V for the job (repeatable)");
  cmd->add_option("--objective", f.objective,
                  "with a federation broker: earliest (default), cheapest or greenest center");
  cmd->add_option("--deadline", f.deadline,
                  "with a federation broker: only centers that finish it within this (e.g. 6h)");
  cmd->add_option("--max-price", f.max_price,
                  "with a federation broker: only centers where it costs at most this");
  cmd->add_option("--shape", f.shapes,
                  "a shape the job may run in, e.g. gpus=8 then gpus=4,mem=512G,speed=0.55 "
                  "(repeatable; the first is the main ask; keys gpus, gpu-type, cpus, mem, "
                  "nodes, speed); the scheduler picks the one that finishes soonest")
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd->add_flag("--no-requeue", f.no_requeue,
                "do not requeue the job when preempted or its node is lost");
  cmd->add_option("--array", f.array,
                  "a job array, one job per index: 0-99, 1,5,9, 0-99:2, 0-99%4 (at most 4 run)");
  cmd->add_option("--dependency", f.dependency,
                  "start after other jobs: afterok:12, afterany:12:13, afternotok:12, "
                  "after:12+5, aftercorr:12, singleton (',' all of, '?' any of)");
  cmd->add_option("--begin", f.begin, "not before: now+1hour, 16:00, tomorrow, 2026-12-24T08:00");
  cmd->add_option("--signal", f.signal,
                  "[B:]SIG[@SECONDS]: send SIG (USR1, TERM, 10, ...) that many seconds (default 60) "
                  "before the time limit; B: to the main process only, else to all of the job's");
  cmd->add_option("--output", f.output,
                  "the job writes its stdout (and stderr, without --error) to this file itself, "
                  "as its user; sbatch's %j %A %a %x %u %N %n %t %% are expanded per task");
  cmd->add_option("--error", f.error, "the job writes its stderr to this file itself");
  cmd->add_option("--open-mode", f.open_mode, "append or truncate (the default) those files");
  cmd->add_flag("--hold", f.hold, "submit held: pending until `suanli release ID`");
  cmd->add_option("--chdir,-D", f.chdir, "directory the tasks start in (default: a private /tmp)");
  cmd->add_flag("--json", c->json, "print the job object instead of its id");
  cmd->add_option("command", f.positional, "-- CMD ARGS... or a script file");
  SetAction(cmd, ctx, [&ctx, c] { return RunSubmit(ctx, *c); });
}

struct QueueCommand {
  ConnectionFlags conn;
  bool all = false;
  bool json = false;
  std::string tenant, user, state;
};

std::string JobElapsed(const nlohmann::json& job, double now) {
  const auto& start = job.contains("start_time") ? job["start_time"] : nlohmann::json();
  if (!start.is_number()) return "0:00";
  const auto& end = job.contains("end_time") ? job["end_time"] : nlohmann::json();
  double until = end.is_number() ? end.get<double>() : now;
  return FormatElapsed(until - start.get<double>());
}

std::string JoinNodes(const nlohmann::json& job) {
  if (!job.contains("nodes") || !job["nodes"].is_array() || job["nodes"].empty()) return "-";
  std::string out;
  for (const auto& n : job["nodes"]) out += (out.empty() ? "" : ",") + FormatScalar(n);
  return out;
}

int RunQueue(CommandContext& ctx, const QueueCommand& c) {
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "queue", client.status());
  QueryParams q;
  if (!c.state.empty()) {
    std::string upper = c.state;
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    q.emplace_back("state", upper);
  }
  if (!c.tenant.empty()) q.emplace_back("tenant", c.tenant);
  if (!c.user.empty()) q.emplace_back("user", c.user);
  if (c.all) q.emplace_back("all", "true");
  auto reply = client->Get("jobs", q);
  if (!reply.ok()) return Fail(ctx, "queue", reply.status());
  if (c.json) {
    PrintJson(ctx, *reply);
    return kExitOk;
  }
  if (!reply->contains("jobs") || !(*reply)["jobs"].is_array()) {
    return Fail(ctx, "queue", Internal("the server's answer has no \"jobs\" list"));
  }
  Table table({"ID", "NAME", "TENANT", "USER", "STATE", "GPUS", "NODES", "TIME", "REASON"});
  double now = NowSeconds();
  for (const auto& job : (*reply)["jobs"]) {
    auto cell = [&](const char* key) {
      return FormatScalar(job.contains(key) ? job[key] : nlohmann::json());
    };
    std::string reason =
        job.contains("reason") && job["reason"].is_string() ? job["reason"].get<std::string>() : "";
    table.AddRow({cell("id"), cell("name"), cell("tenant"), cell("user"), cell("state"),
                  FormatJobGpus(job), JoinNodes(job), JobElapsed(job, now), reason});
  }
  ctx.out << table.Render();
  return kExitOk;
}

void RegisterQueue(CLI::App& app, CommandContext& ctx) {
  auto c = std::make_shared<QueueCommand>();
  auto* cmd = app.add_subcommand("queue", "list pending and running jobs you may see");
  AddConnectionFlags(cmd, &c->conn);
  cmd->add_flag("--all,-a", c->all, "include finished jobs");
  cmd->add_option("--tenant", c->tenant, "only this tenant's jobs");
  cmd->add_option("--user,-u", c->user, "only this user's jobs");
  cmd->add_option("--state,-t", c->state,
                  "only these states, comma-separated (e.g. PENDING,RUNNING)");
  cmd->add_flag("--json", c->json, "print the server's JSON");
  SetAction(cmd, ctx, [&ctx, c] { return RunQueue(ctx, *c); });
}

struct ShowCommand {
  ConnectionFlags conn;
  std::string id;
  bool json = false;
};

std::string DescribeResources(const nlohmann::json& job) {
  if (!job.contains("resources") || !job["resources"].is_object()) return "-";
  const auto& r = job["resources"];
  std::ostringstream s;
  double tasks = r.value("tasks", 1.0);
  s << FormatNumber(tasks) << (tasks == 1 ? " task" : " tasks") << " x ("
    << FormatNumber(r.value("cpus", 0.0)) << " cpus, " << FormatSizeMb(r.value("mem_mb", 0.0))
    << " mem";
  if (r.value("gpus", 0.0) > 0) {
    s << ", " << FormatNumber(r.value("gpus", 0.0)) << " x "
      << (r.contains("gpu_type") && r["gpu_type"].is_string() ? r["gpu_type"].get<std::string>()
                                                              : "any");
  }
  s << ")";
  return s.str();
}

std::string JoinCommand(const nlohmann::json& job) {
  if (job.contains("command") && job["command"].is_array() && !job["command"].empty()) {
    std::string out;
    for (const auto& a : job["command"]) out += (out.empty() ? "" : " ") + FormatScalar(a);
    return out;
  }
  if (job.contains("script") && job["script"].is_string()) return "(script)";
  return "-";
}

void PrintJob(std::ostream& out, const nlohmann::json& job) {
  auto field = [&](const char* label, const std::string& value) {
    out << "  " << label << std::string(13 - std::string(label).size(), ' ') << value << "\n";
  };
  auto get = [&](const char* key) { return job.contains(key) ? job[key] : nlohmann::json(); };
  out << "Job " << FormatScalar(get("id")) << " (" << FormatScalar(get("name")) << ")\n";
  field("State:",
        FormatScalar(get("state")) + (get("attempt").is_number() && get("attempt").get<double>() > 1
                                          ? " (attempt " + FormatScalar(get("attempt")) + ")"
                                          : ""));
  field("Reason:", FormatScalar(get("reason")));
  field("Tenant:", FormatScalar(get("tenant")));
  field("User:", FormatScalar(get("user")));
  field("Resources:", DescribeResources(job));
  if (const nlohmann::json shapes = get("shapes"); shapes.is_array() && !shapes.empty()) {
    std::string list = "0 (main ask)";
    for (size_t i = 0; i < shapes.size(); ++i) {
      const nlohmann::json& sh = shapes[i];
      if (!sh.is_object()) continue;
      list += "; " + std::to_string(i + 1) + " (" + FormatScalar(sh.value("tasks", nlohmann::json())) +
              " × " + FormatScalar(sh.value("gpus", nlohmann::json())) + " gpus, " +
              FormatScalar(sh.value("mem_mb", nlohmann::json())) + " MiB, speed " +
              FormatScalar(sh.value("speed", nlohmann::json())) + ")";
    }
    field("Shapes:", list);
    if (get("shape_reason").is_string()) {
      field("Shape:", FormatScalar(get("shape_reason")));
    } else {
      field("Shape:", "not chosen yet (chosen when it starts)");
    }
  }
  field("Nodes:", JoinNodes(job));
  field("Command:", JoinCommand(job));
  field("Priority:", FormatScalar(get("priority")));
  field("Time limit:", get("time_limit_s").is_number() && get("time_limit_s").get<double>() > 0
                           ? FormatElapsed(get("time_limit_s").get<double>())
                           : "none");
  if (get("estimated_run_s").is_number()) {
    field("Est. run:", "~" + FormatElapsed(get("estimated_run_s").get<double>()) +
                           " (learned from similar finished jobs)");
  }
  field("Exit code:",
        FormatScalar(get("exit_code")) +
            (get("signal").is_null() ? "" : " (signal " + FormatScalar(get("signal")) + ")"));
  if (!get("failed_task").is_null()) field("Failed task:", FormatScalar(get("failed_task")));
  field("Submitted:", FormatTime(get("submit_time")));
  if (get("state") == "PENDING" && get("est_start_time").is_number()) {
    field("Est. start:", FormatTime(get("est_start_time")));
  }
  field("Started:", FormatTime(get("start_time")));
  field("Ended:", FormatTime(get("end_time")));
  if (get("cost").is_number()) field("Cost:", FormatNumber(get("cost").get<double>()));
  // A job shown by a federation broker: where it went and why, and every center's score.
  if (job.contains("center") && job.contains("scores")) {
    field("Center:", FormatScalar(get("center")) + " (its job " +
                         FormatScalar(get("center_job_id")) + "; " +
                         FormatScalar(get("broker_state")) + ")");
    field("Routed:", FormatScalar(get("routing_reason")));
    Table t({"CENTER", "WAIT", "FINISH", "COST", "CARBON_KG", "WHY_NOT"});
    for (const auto& s : job["scores"]) {
      if (!s.is_object()) continue;
      const bool ok = s.value("eligible", false);
      auto num = [&](const char* k) {
        return ok ? FormatNumber(std::round(s.value(k, 0.0) * 100) / 100) : std::string("-");
      };
      t.AddRow({s.value("center", ""), ok ? FormatElapsed(s.value("wait_s", 0.0)) : "-",
                ok ? FormatElapsed(s.value("finish_s", 0.0)) : "-", num("cost"), num("carbon_kg"),
                ok ? "" : s.value("why_not", "")});
    }
    out << "  Scores:\n";
    std::istringstream lines(t.Render());
    for (std::string line; std::getline(lines, line);) out << "    " << line << "\n";
  }
  if (job.contains("history") && job["history"].is_array() && !job["history"].empty()) {
    out << "  History:\n";
    Table t({"TIME", "STATE", "REASON"});
    for (const auto& h : job["history"]) {
      t.AddRow({FormatTime(h.contains("time") ? h["time"] : nlohmann::json()),
                FormatScalar(h.value("state", nlohmann::json())),
                FormatScalar(h.value("reason", nlohmann::json()))});
    }
    std::istringstream lines(t.Render());
    for (std::string line; std::getline(lines, line);) out << "    " << line << "\n";
  }
}

int RunShow(CommandContext& ctx, const ShowCommand& c) {
  auto id = ParseJobId(c.id);
  if (!id.ok()) return Fail(ctx, "show", id.status());
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "show", client.status());
  auto job = client->Get("jobs/" + std::to_string(*id));
  if (!job.ok()) return Fail(ctx, "show", job.status());
  if (c.json) {
    PrintJson(ctx, *job);
  } else {
    PrintJob(ctx.out, *job);
  }
  return kExitOk;
}

void RegisterShow(CLI::App& app, CommandContext& ctx) {
  auto c = std::make_shared<ShowCommand>();
  auto* cmd = app.add_subcommand("show", "show one job: state, reason, resources, times, history");
  AddConnectionFlags(cmd, &c->conn);
  cmd->add_option("id", c->id, "job id")->required();
  cmd->add_flag("--json", c->json, "print the server's JSON");
  SetAction(cmd, ctx, [&ctx, c] { return RunShow(ctx, *c); });
}

// cancel, hold and release: the same shape (job ids, optionally whole arrays), one route each.
struct JobActionCommand {
  ConnectionFlags conn;
  std::vector<std::string> ids;
  bool array = false;  // the whole array each id belongs to
  bool json = false;
};

int RunJobAction(CommandContext& ctx, const JobActionCommand& c, const std::string& verb) {
  std::vector<int64_t> ids;
  for (const auto& text : c.ids) {
    auto id = ParseJobId(text);
    if (!id.ok()) return Fail(ctx, verb, id.status());
    ids.push_back(*id);
  }
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, verb, client.status());
  int code = kExitOk;
  nlohmann::json jobs = nlohmann::json::array();
  const nlohmann::json body =
      c.array ? nlohmann::json{{"array", true}} : nlohmann::json::object();
  for (int64_t id : ids) {
    auto job = client->Post("jobs/" + std::to_string(id) + "/" + verb, body);
    if (!job.ok()) {
      int failed = Fail(ctx, verb, job.status());
      if (code == kExitOk) code = failed;  // keep going: act on every job that allows it
      continue;
    }
    if (c.json) {
      jobs.push_back(*job);
      continue;
    }
    // Hold, release and a whole array's cancel answer with the ids they changed; a single
    // cancel with the job.
    bool listed = false;
    for (const char* key : {"held", "released", "cancelled"}) {
      if (!job->contains(key) || !(*job)[key].is_array()) continue;
      listed = true;
      for (const auto& changed : (*job)[key]) {
        ctx.out << "job " << FormatScalar(changed) << " " << key << "\n";
      }
    }
    if (!listed) {
      ctx.out << "job " << id << " "
              << FormatScalar(job->value("state", nlohmann::json("CANCELLED"))) << "\n";
    }
  }
  if (c.json) PrintJson(ctx, nlohmann::json{{"jobs", jobs}});
  return code;
}

void RegisterJobAction(CLI::App& app, CommandContext& ctx, const std::string& verb,
                       const std::string& help) {
  auto c = std::make_shared<JobActionCommand>();
  auto* cmd = app.add_subcommand(verb, help);
  AddConnectionFlags(cmd, &c->conn);
  cmd->add_option("ids", c->ids, "job ids")->required();
  cmd->add_flag("--array", c->array, "the whole job array each id belongs to");
  cmd->add_flag("--json", c->json, "print the job objects");
  SetAction(cmd, ctx, [&ctx, c, verb] { return RunJobAction(ctx, *c, verb); });
}

}  // namespace

void RegisterFollowCommands(CLI::App& app, CommandContext& ctx);

void RegisterJobCommands(CLI::App& app, CommandContext& ctx) {
  RegisterSubmit(app, ctx);
  RegisterQueue(app, ctx);
  RegisterShow(app, ctx);
  RegisterJobAction(app, ctx, "cancel", "cancel jobs");
  RegisterJobAction(app, ctx, "hold", "keep pending jobs from starting until released");
  RegisterJobAction(app, ctx, "release", "let held jobs start");
  RegisterFollowCommands(app, ctx);
}

}  // namespace suanli::cli
