// tenant, user, token, whoami: who may use the cluster and how much of it.
#include <algorithm>
#include <cmath>
#include <memory>
#include <ostream>
#include <tuple>

#include "cli/commands.h"
#include "cli/format.h"
#include "cli/units.h"

namespace suanli::cli {
namespace {

std::string Cell(const nlohmann::json& obj, const char* key) {
  return FormatScalar(obj.is_object() && obj.contains(key) ? obj[key] : nlohmann::json());
}

// {"nvidia-a100": 8, "cpus": 64} -> "cpus=64,nvidia-a100=8"; empty -> "-".
std::string FormatResourceMap(const nlohmann::json& m) {
  if (!m.is_object() || m.empty()) return "-";
  std::string out;
  for (const auto& [k, v] : m.items()) {
    std::string value =
        k == "mem_mb" && v.is_number() ? FormatSizeMb(v.get<double>()) : FormatScalar(v);
    out += (out.empty() ? "" : ",") + (k == "mem_mb" ? std::string("mem") : k) + "=" + value;
  }
  return out;
}

Result<nlohmann::json> ResourceMapJson(const std::string& text, const std::string& flag) {
  auto parsed = ParseResourceMap(text);
  if (!parsed.ok()) return InvalidArgument(flag + ": " + parsed.status().message());
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : *parsed) j[k] = v;
  return j;
}

// Runs a list command: GET `path`, then a table of `key`'s objects or the raw JSON.
template <typename RowFn>
int RunList(CommandContext& ctx, const std::string& command, const ConnectionFlags& conn, bool json,
            const std::string& path, const std::string& key, Table table, RowFn row) {
  auto client = Connect(ctx, conn);
  if (!client.ok()) return Fail(ctx, command, client.status());
  auto reply = client->Get(path);
  if (!reply.ok()) return Fail(ctx, command, reply.status());
  if (json) {
    PrintJson(ctx, *reply);
    return kExitOk;
  }
  if (!reply->contains(key) || !(*reply)[key].is_array()) {
    return Fail(ctx, command, Internal("the server's answer has no \"" + key + "\" list"));
  }
  for (const auto& item : (*reply)[key]) table.AddRow(row(item));
  ctx.out << table.Render();
  return kExitOk;
}

// "1.5/10": accelerator-hours used in the current budget period of the budget; "-" without one.
std::string FormatBudget(const nlohmann::json& t) {
  auto number = [&](const char* key) {
    return t.is_object() && t.contains(key) && t[key].is_number() ? t[key].get<double>() : -1.0;
  };
  const double budget = number("budget_accel_hours");
  if (budget < 0) return "-";
  const double used = std::max(0.0, number("budget_used_accel_hours"));
  return FormatNumber(std::round(used * 100) / 100) + "/" + FormatNumber(budget);
}

// What `tenant create` and `tenant update` may set; empty = not given.
struct TenantSettings {
  std::string weight, quota, limit, budget, budget_period;
};

void AddTenantSettingFlags(CLI::App* cmd, TenantSettings* s, const std::string& defaults) {
  cmd->add_option("--weight", s->weight, "fair-share weight among siblings" + defaults);
  cmd->add_option("--quota", s->quota, "guaranteed share, e.g. nvidia-a100=8,cpus=64,mem=256G");
  cmd->add_option("--limit", s->limit, "hard cap, same form as --quota");
  cmd->add_option("--budget", s->budget, "accelerator-hours budget per period, or none");
  cmd->add_option(
         "--budget-period", s->budget_period,
         "when the budget resets (UTC): day, week (from Monday), month or total (never)" + defaults)
      ->check(CLI::IsMember({"day", "week", "month", "total"}));
}

// Adds the given settings to a request body as the API's fields. "none" clears a quota, limit or
// budget.
Status AddTenantSettings(const TenantSettings& s, nlohmann::json* body) {
  if (!s.weight.empty()) {
    SUANLI_ASSIGN_OR_RETURN(double w, ParseNonNegative(s.weight, "--weight"));
    if (w <= 0) return InvalidArgument("--weight must be more than zero");
    (*body)["weight"] = w;
  }
  for (const auto& [text, flag, field] :
       {std::tuple{&s.quota, "--quota", "quota"}, std::tuple{&s.limit, "--limit", "limit"}}) {
    if (text->empty()) continue;
    if (*text == "none") {
      (*body)[field] = nlohmann::json::object();
      continue;
    }
    SUANLI_ASSIGN_OR_RETURN((*body)[field], ResourceMapJson(*text, flag));
  }
  if (s.budget == "none") {
    (*body)["budget_accel_hours"] = -1;
  } else if (!s.budget.empty()) {
    SUANLI_ASSIGN_OR_RETURN((*body)["budget_accel_hours"], ParseNonNegative(s.budget, "--budget"));
  }
  if (!s.budget_period.empty()) (*body)["budget_period"] = s.budget_period;
  return Status::Ok();
}

struct TenantCommand {
  ConnectionFlags conn;
  std::string name, parent;
  TenantSettings settings;
  bool json = false;
};

// `tenant create` (POST) and `tenant update` (PATCH): the same flags, the same output.
int RunTenantWrite(CommandContext& ctx, const TenantCommand& c, bool create) {
  const std::string command = create ? "tenant create" : "tenant update";
  nlohmann::json body = nlohmann::json::object();
  if (create) body["name"] = c.name;
  if (!c.parent.empty()) body["parent"] = c.parent;
  if (Status st = AddTenantSettings(c.settings, &body); !st.ok()) return Fail(ctx, command, st);
  if (!create && body.empty()) {
    return Fail(ctx, command,
                InvalidArgument("give at least one of --weight, --quota, --limit, --budget, "
                                "--budget-period"));
  }
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, command, client.status());
  auto tenant = create ? client->Post("tenants", body) : client->Patch("tenants/" + c.name, body);
  if (!tenant.ok()) return Fail(ctx, command, tenant.status());
  if (c.json) {
    PrintJson(ctx, *tenant);
  } else {
    ctx.out << (create ? "created" : "updated") << " tenant " << c.name << "\n";
  }
  return kExitOk;
}

void RegisterTenant(CLI::App& app, CommandContext& ctx) {
  auto* tenant = app.add_subcommand("tenant", "manage tenants (groups sharing a quota)");
  tenant->require_subcommand(1);
  auto c = std::make_shared<TenantCommand>();
  auto* create = tenant->add_subcommand("create", "create a tenant");
  AddConnectionFlags(create, &c->conn);
  create->add_option("name", c->name, "tenant name")->required();
  create->add_option("--parent", c->parent, "parent tenant (default: the root)");
  AddTenantSettingFlags(create, &c->settings, " (default: 1 / month)");
  create->add_flag("--json", c->json, "print the tenant object");
  SetAction(create, ctx, [&ctx, c] { return RunTenantWrite(ctx, *c, true); });

  auto u = std::make_shared<TenantCommand>();
  auto* update =
      tenant->add_subcommand("update", "change a tenant's weight, quota, limit or budget");
  AddConnectionFlags(update, &u->conn);
  update->add_option("name", u->name, "tenant name")->required();
  AddTenantSettingFlags(update, &u->settings, " (default: unchanged)");
  update->add_flag("--json", u->json, "print the tenant object");
  SetAction(update, ctx, [&ctx, u] { return RunTenantWrite(ctx, *u, false); });

  auto d = std::make_shared<TenantCommand>();
  auto* del = tenant->add_subcommand(
      "delete", "delete a tenant with no child tenants and no unfinished jobs (its users too)");
  AddConnectionFlags(del, &d->conn);
  del->add_option("name", d->name, "tenant name")->required();
  SetAction(del, ctx, [&ctx, d]() -> int {
    auto client = Connect(ctx, d->conn);
    if (!client.ok()) return Fail(ctx, "tenant delete", client.status());
    auto reply = client->Delete("tenants/" + d->name);
    if (!reply.ok()) return Fail(ctx, "tenant delete", reply.status());
    ctx.out << "deleted tenant " << d->name;
    const auto users = reply->value("deleted_users", nlohmann::json::array());
    if (!users.empty()) {
      ctx.out << " and its users";
      for (const auto& u : users) ctx.out << " " << u.get<std::string>();
    }
    ctx.out << "\n";
    return kExitOk;
  });

  auto l = std::make_shared<std::pair<ConnectionFlags, bool>>();
  auto* list = tenant->add_subcommand("list", "list tenants with quota, allocation and fair share");
  AddConnectionFlags(list, &l->first);
  list->add_flag("--json", l->second, "print the server's JSON");
  SetAction(list, ctx, [&ctx, l] {
    return RunList(ctx, "tenant list", l->first, l->second, "tenants", "tenants",
                   Table({"NAME", "PARENT", "WEIGHT", "QUOTA", "LIMIT", "ALLOCATED", "PENDING",
                          "RUNNING", "FAIR_SHARE", "ACCEL_HOURS", "BUDGET", "PERIOD"}),
                   [](const nlohmann::json& t) {
                     return std::vector<std::string>{
                         Cell(t, "name"),
                         Cell(t, "parent"),
                         Cell(t, "weight"),
                         FormatResourceMap(t.value("quota", nlohmann::json())),
                         FormatResourceMap(t.value("limit", nlohmann::json())),
                         FormatResourceMap(t.value("allocated", nlohmann::json())),
                         Cell(t, "pending_jobs"),
                         Cell(t, "running_jobs"),
                         Cell(t, "fair_share"),
                         Cell(t, "usage_accel_hours"),
                         FormatBudget(t),
                         Cell(t, "budget_period")};
                   });
  });
}

struct UserCreate {
  ConnectionFlags conn;
  std::string name, tenant, role = "member";
  bool json = false;
};

void RegisterUser(CLI::App& app, CommandContext& ctx) {
  auto* user = app.add_subcommand("user", "manage users");
  user->require_subcommand(1);
  auto c = std::make_shared<UserCreate>();
  auto* create = user->add_subcommand("create", "create a user in a tenant");
  AddConnectionFlags(create, &c->conn);
  create->add_option("name", c->name, "user name")->required();
  create->add_option("--tenant", c->tenant, "the user's tenant")->required();
  create->add_option("--role", c->role, "admin, tenant-admin or member (default member)")
      ->check(CLI::IsMember({"admin", "tenant-admin", "member"}));
  create->add_flag("--json", c->json, "print the user object");
  SetAction(create, ctx, [&ctx, c] {
    auto client = Connect(ctx, c->conn);
    if (!client.ok()) return Fail(ctx, "user create", client.status());
    auto reply =
        client->Post("users", {{"name", c->name}, {"tenant", c->tenant}, {"role", c->role}});
    if (!reply.ok()) return Fail(ctx, "user create", reply.status());
    if (c->json) {
      PrintJson(ctx, *reply);
    } else {
      ctx.out << "created user " << c->name << " (" << c->role << " of " << c->tenant << ")\n";
    }
    return static_cast<int>(kExitOk);
  });

  auto l = std::make_shared<std::pair<ConnectionFlags, bool>>();
  auto* list = user->add_subcommand("list", "list users");
  AddConnectionFlags(list, &l->first);
  list->add_flag("--json", l->second, "print the server's JSON");
  SetAction(list, ctx, [&ctx, l] {
    return RunList(
        ctx, "user list", l->first, l->second, "users", "users", Table({"NAME", "TENANT", "ROLE"}),
        [](const nlohmann::json& u) {
          return std::vector<std::string>{Cell(u, "name"), Cell(u, "tenant"), Cell(u, "role")};
        });
  });
}

struct TokenCreate {
  ConnectionFlags conn;
  std::string user;
  bool json = false;
};

struct TokenRevoke {
  ConnectionFlags conn;
  std::string id;
};

void RegisterToken(CLI::App& app, CommandContext& ctx) {
  auto* token = app.add_subcommand("token", "issue and revoke API tokens");
  token->require_subcommand(1);
  auto c = std::make_shared<TokenCreate>();
  auto* create = token->add_subcommand("create", "issue a token for a user (printed once)");
  AddConnectionFlags(create, &c->conn);
  create->add_option("--user", c->user, "whose token")->required();
  create->add_flag("--json", c->json, "print {\"id\", \"token\"} instead of the bare token");
  SetAction(create, ctx, [&ctx, c] {
    auto client = Connect(ctx, c->conn);
    if (!client.ok()) return Fail(ctx, "token create", client.status());
    auto reply = client->Post("tokens", {{"user", c->user}});
    if (!reply.ok()) return Fail(ctx, "token create", reply.status());
    if (c->json) {
      PrintJson(ctx, *reply);
    } else {
      // The bare token on stdout, so `export SUANLI_TOKEN=$(suanli token create --user alice)`
      // works.
      ctx.out << Cell(*reply, "token") << "\n";
      ctx.err << "token id " << Cell(*reply, "id") << " for user " << c->user
              << " (shown once; revoke with `suanli token revoke " << Cell(*reply, "id") << "`)\n";
    }
    return static_cast<int>(kExitOk);
  });

  auto r = std::make_shared<TokenRevoke>();
  auto* revoke = token->add_subcommand("revoke", "revoke a token by id");
  AddConnectionFlags(revoke, &r->conn);
  revoke->add_option("id", r->id, "token id (from `token create`)")->required();
  SetAction(revoke, ctx, [&ctx, r] {
    auto id = ParseJobId(r->id);
    if (!id.ok())
      return Fail(ctx, "token revoke", InvalidArgument("invalid token id '" + r->id + "'"));
    auto client = Connect(ctx, r->conn);
    if (!client.ok()) return Fail(ctx, "token revoke", client.status());
    auto reply = client->Delete("tokens/" + std::to_string(*id));
    if (!reply.ok()) return Fail(ctx, "token revoke", reply.status());
    ctx.out << "revoked token " << *id << "\n";
    return static_cast<int>(kExitOk);
  });
}

void RegisterWhoami(CLI::App& app, CommandContext& ctx) {
  auto l = std::make_shared<std::pair<ConnectionFlags, bool>>();
  auto* cmd = app.add_subcommand("whoami", "show the user, tenant and role of the current token");
  AddConnectionFlags(cmd, &l->first);
  cmd->add_flag("--json", l->second, "print the server's JSON");
  SetAction(cmd, ctx, [&ctx, l] {
    auto client = Connect(ctx, l->first);
    if (!client.ok()) return Fail(ctx, "whoami", client.status());
    auto reply = client->Get("whoami");
    if (!reply.ok()) return Fail(ctx, "whoami", reply.status());
    if (l->second) {
      PrintJson(ctx, *reply);
    } else {
      ctx.out << Cell(*reply, "user") << " (" << Cell(*reply, "role") << " of "
              << Cell(*reply, "tenant") << ")\n";
    }
    return static_cast<int>(kExitOk);
  });
}

}  // namespace

void RegisterAccountCommands(CLI::App& app, CommandContext& ctx) {
  RegisterTenant(app, ctx);
  RegisterUser(app, ctx);
  RegisterToken(app, ctx);
  RegisterWhoami(app, ctx);
}

}  // namespace suanli::cli
