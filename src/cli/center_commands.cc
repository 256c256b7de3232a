// `suanli center list|update`, against a federation broker's URL.
#include "cli/commands.h"
#include "cli/format.h"

namespace suanli::cli {

namespace {

struct CenterListCommand {
  ConnectionFlags conn;
  bool json = false;
};

struct CenterUpdateCommand {
  ConnectionFlags conn;
  std::string name;
  std::vector<std::string> prices;  // TYPE=PRICE
  std::string pue, electricity, carbon;
};

std::string PoolsText(const nlohmann::json& c) {
  std::string out;
  for (const auto& p : c.value("pools", nlohmann::json::array())) {
    if (!out.empty()) out += " ";
    out += p.value("type", "?") + ":" + FormatNumber(p.value("allocated", 0.0)) + "/" +
           FormatNumber(p.value("total", 0.0)) + " q" + FormatNumber(p.value("queued", 0.0)) +
           " @" + FormatNumber(p.value("price_per_hour", 0.0));
  }
  return out.empty() ? "-" : out;
}

int RunList(CommandContext& ctx, const CenterListCommand& c) {
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return Fail(ctx, "center list", client.status());
  auto r = client->Get("centers");
  if (!r.ok()) return Fail(ctx, "center list", r.status());
  if (c.json) {
    PrintJson(ctx, *r);
    return kExitOk;
  }
  Table t({"NAME", "REGION", "STATE", "PUE", "CARBON", "POOLS(alloc/total queued @price)"});
  for (const auto& x : r->value("centers", nlohmann::json::array())) {
    t.AddRow({x.value("name", ""), x.value("region", ""), x.value("state", ""),
              FormatNumber(x.value("pue", 1.0)), FormatNumber(x.value("carbon_g_per_kwh", 0.0)),
              PoolsText(x)});
  }
  ctx.out << t.Render();
  return kExitOk;
}

Result<double> Number(const std::string& text, const std::string& flag) {
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return InvalidArgument(flag + " must be a number, got '" + text + "'");
}

int RunUpdate(CommandContext& ctx, const CenterUpdateCommand& c) {
  auto fail = [&](const Status& s) { return Fail(ctx, "center update", s); };
  nlohmann::json body = nlohmann::json::object();
  for (const auto& p : c.prices) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fail(
          InvalidArgument("--price must be TYPE=PRICE (e.g. nvidia-a100=2.1), got '" + p + "'"));
    }
    auto v = Number(p.substr(eq + 1), "--price " + p.substr(0, eq));
    if (!v.ok()) return fail(v.status());
    body["prices"][p.substr(0, eq)] = *v;
  }
  const std::pair<const std::string*, const char*> fields[] = {
      {&c.pue, "pue"}, {&c.electricity, "electricity"}, {&c.carbon, "carbon"}};
  for (const auto& [text, key] : fields) {
    if (text->empty()) continue;
    auto v = Number(*text, std::string("--") + key);
    if (!v.ok()) return fail(v.status());
    body[key] = *v;
  }
  if (body.empty()) {
    return fail(InvalidArgument("give at least one of --price, --pue, --electricity, --carbon"));
  }
  auto client = Connect(ctx, c.conn);
  if (!client.ok()) return fail(client.status());
  auto r = client->Patch("centers/" + c.name, body);
  if (!r.ok()) return fail(r.status());
  ctx.out << "center " << c.name << " updated: " << r->value("override", nlohmann::json()).dump()
          << "\n";
  return kExitOk;
}

}  // namespace

void RegisterCenterCommands(CLI::App& app, CommandContext& ctx) {
  auto* center = app.add_subcommand("center", "a federation's centers (against a broker's URL)");
  center->require_subcommand(1);
  auto l = std::make_shared<CenterListCommand>();
  auto* list = center->add_subcommand("list", "every center: region, UP/DOWN, pools, prices");
  AddConnectionFlags(list, &l->conn);
  list->add_flag("--json", l->json, "print the broker's JSON");
  SetAction(list, ctx, [&ctx, l] { return RunList(ctx, *l); });
  auto u = std::make_shared<CenterUpdateCommand>();
  auto* update = center->add_subcommand(
      "update",
      "set a center's prices, PUE, electricity price or carbon intensity (these "
      "override what the center reports)");
  AddConnectionFlags(update, &u->conn);
  update->add_option("name", u->name, "center name")->required();
  update->add_option("--price", u->prices, "TYPE=PRICE per device-hour (repeatable)");
  update->add_option("--pue", u->pue, "power usage effectiveness (1 or more)");
  update->add_option("--electricity", u->electricity, "price of a kWh");
  update->add_option("--carbon", u->carbon, "grid carbon intensity, gCO2/kWh");
  SetAction(update, ctx, [&ctx, u] { return RunUpdate(ctx, *u); });
}

}  // namespace suanli::cli
