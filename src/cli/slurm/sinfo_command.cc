// sinfo: GET /nodes as partitions (all, one per accelerator type) and Slurm node states.
#include <array>
#include <ostream>

#include "cli/slurm/args.h"
#include "cli/slurm/commands.h"
#include "cli/slurm/node_view.h"
#include "cli/slurm/support.h"

namespace suanli::cli::slurm_cmd {
namespace {

constexpr std::array<ArgSpec, 5> kSpecs = {{
    {"Node", 'N', false},
    {"long", 'l', false},
    {"noheader", 'h', false},
    {"partition", 'p', true},
    {"states", 't', true},
}};

Result<std::string> ShortState(const std::string& word) {
  static const std::pair<const char*, const char*> kWords[] = {
      {"idle", "idle"},       {"mix", "mix"},      {"mixed", "mix"},   {"alloc", "alloc"},
      {"allocated", "alloc"}, {"down", "down"},    {"drain", "drain"}, {"drained", "drain"},
      {"drng", "drng"},       {"draining", "drng"}};
  std::string lower;
  for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [w, s] : kWords) {
    if (lower == w) return std::string(s);
  }
  return InvalidArgument("Invalid node state specified: " + word);
}

}  // namespace

int RunSinfo(const std::vector<std::string>& args, CommandContext& ctx) {
  auto parsed = ParseArgs(args, kSpecs);
  if (!parsed.ok()) return SlurmError(ctx, "sinfo", parsed.status().message());
  const ParsedArgs& a = *parsed;
  SinfoOptions o;
  o.node_view = a.Has("Node");
  o.long_view = a.Has("long");
  o.header = !a.Has("noheader");
  for (const auto& p : a.List("partition")) o.partitions.insert(p);
  for (const auto& s : a.List("states")) {
    auto st = ShortState(s);
    if (!st.ok()) return SlurmError(ctx, "sinfo", st.status().message());
    o.states.insert(*st);
  }
  auto client = Connect(ctx, ConnectionFlags{});
  if (!client.ok()) return SlurmError(ctx, "sinfo", client.status().message());
  auto reply = client->Get("nodes");
  if (!reply.ok()) return SlurmError(ctx, "sinfo", reply.status().message());
  nlohmann::json nodes = reply->contains("nodes") ? (*reply)["nodes"] : nlohmann::json::array();
  ctx.out << RenderSinfo(nodes, o);
  return kExitOk;
}

}  // namespace suanli::cli::slurm_cmd
