#include "slurm/option_table.h"

#include <string>

#include "slurm/hostlist.h"
#include "slurm/text.h"

namespace suanli::slurm {
namespace {

using Options = BatchParseOptions;

template <auto Member>
Status SetText(BatchRequest& r, std::string_view v, const Options&) {
  r.*Member = std::string(v);
  return Status::Ok();
}

// Member = Parse(value), for parsers that need nothing but the value.
template <auto Member, auto Parse>
Status SetParsed(BatchRequest& r, std::string_view v, const Options&) {
  auto parsed = Parse(v);
  if (!parsed.ok()) return parsed.status();
  r.*Member = std::move(parsed).value();
  return Status::Ok();
}

template <auto Member, MemoryScope Scope>
Status SetMemory(BatchRequest& r, std::string_view v, const Options&) {
  SUANLI_ASSIGN_OR_RETURN(r.*Member, ParseMemorySize(v, Scope));
  return Status::Ok();
}

template <auto Member>
Status SetHosts(BatchRequest& r, std::string_view v, const Options& o) {
  // Slurm reads a name with '/' as a file of host names; Suanli parses strings only.
  if (v.find('/') != std::string_view::npos) {
    return InvalidArgument("reading host names from a file (" + Quoted(v) +
                           ") is not supported; list the hosts instead");
  }
  SUANLI_ASSIGN_OR_RETURN(r.*Member, ExpandHostlist(v, o.max_hosts));
  return Status::Ok();
}

template <auto Member, bool Value>
Status SetFlag(BatchRequest& r, std::string_view, const Options&) {
  r.*Member = Value;
  return Status::Ok();
}

Status SetArray(BatchRequest& r, std::string_view v, const Options& o) {
  SUANLI_ASSIGN_OR_RETURN(r.array, ParseArraySpec(v, o.array_limits));
  return Status::Ok();
}

Status SetBegin(BatchRequest& r, std::string_view v, const Options& o) {
  SUANLI_ASSIGN_OR_RETURN(r.begin_unix, ParseBeginTime(v, o.clock));
  return Status::Ok();
}

using R = BatchRequest;
constexpr auto kNone = Arity::kNone;
constexpr auto kValue = Arity::kRequired;
constexpr auto kMaybe = Arity::kOptional;

const OptionDef kOptions[] = {
    // Read into the BatchRequest.
    {"job-name", 'J', kValue, &SetText<&R::job_name>},
    {"nodes", 'N', kValue, &SetParsed<&R::nodes, ParseNodeRange>},
    {"ntasks", 'n', kValue, &SetParsed<&R::ntasks, ParsePositiveCount>},
    {"ntasks-per-node", 0, kValue, &SetParsed<&R::ntasks_per_node, ParsePositiveCount>},
    {"tasks-per-node", 0, kValue, &SetParsed<&R::ntasks_per_node, ParsePositiveCount>,
     "ntasks-per-node"},
    {"cpus-per-task", 'c', kValue, &SetParsed<&R::cpus_per_task, ParsePositiveCount>},
    {"mem", 0, kValue, &SetMemory<&R::mem, MemoryScope::kPerNode>},
    {"mem-per-cpu", 0, kValue, &SetMemory<&R::mem_per_cpu, MemoryScope::kPerCpu>},
    {"mem-per-gpu", 0, kValue, &SetMemory<&R::mem_per_gpu, MemoryScope::kPerGpu>},
    {"gres", 0, kValue, &SetParsed<&R::gres, ParseGresList>},
    {"gpus", 'G', kValue, &SetParsed<&R::gpus, ParseGpuCount>},
    {"gpus-per-node", 0, kValue, &SetParsed<&R::gpus_per_node, ParseGpuCount>},
    {"gpus-per-task", 0, kValue, &SetParsed<&R::gpus_per_task, ParseGpuCount>},
    {"time", 't', kValue, &SetParsed<&R::time_limit, ParseTimeLimit>},
    {"time-min", 0, kValue, &SetParsed<&R::time_min, ParseTimeLimit>},
    {"partition", 'p', kValue, &SetText<&R::partition>},
    {"account", 'A', kValue, &SetText<&R::account>},
    {"qos", 'q', kValue, &SetText<&R::qos>},
    {"array", 'a', kValue, &SetArray},
    {"dependency", 'd', kValue, &SetParsed<&R::dependency, ParseDependencySpec>},
    {"output", 'o', kValue, &SetText<&R::output>},
    {"error", 'e', kValue, &SetText<&R::error>},
    {"open-mode", 0, kValue, &SetParsed<&R::open_mode, ParseOpenMode>},
    {"chdir", 'D', kValue, &SetText<&R::chdir>},
    {"workdir", 0, kValue, &SetText<&R::chdir>, "chdir"},  // its name before Slurm 17.11
    {"export", 0, kValue, &SetParsed<&R::export_env, ParseExportSpec>},
    {"signal", 0, kValue, &SetParsed<&R::signal, ParseSignalSpec>},
    {"requeue", 0, kNone, &SetFlag<&R::requeue, true>},
    {"no-requeue", 0, kNone, &SetFlag<&R::requeue, false>},
    {"exclusive", 0, kMaybe, &SetParsed<&R::exclusive, ParseExclusiveMode>},
    {"constraint", 'C', kValue, &SetText<&R::constraint>},
    {"nodelist", 'w', kValue, &SetHosts<&R::nodelist>},
    {"exclude", 'x', kValue, &SetHosts<&R::exclude>},
    {"begin", 'b', kValue, &SetBegin},
    {"hold", 'H', kNone, &SetFlag<&R::hold, true>},
    {"mail-type", 0, kValue, &SetParsed<&R::mail_types, ParseMailTypes>},
    {"mail-user", 0, kValue, &SetText<&R::mail_user>},
    {"comment", 0, kValue, &SetText<&R::comment>},
    {"wrap", 0, kValue, &SetText<&R::wrap>},
    // Slurm options that Suanli does not (yet) honour: warned about once, then ignored.
    {"reservation", 0, kValue},
    {"licenses", 'L', kValue},
    {"nice", 0, kMaybe},
    {"priority", 0, kValue},
    {"wckey", 0, kValue},
    {"profile", 0, kValue},
    {"propagate", 0, kMaybe},
    {"sockets-per-node", 0, kValue},
    {"cores-per-socket", 0, kValue},
    {"threads-per-core", 0, kValue},
    {"hint", 0, kValue},
    {"mem-bind", 0, kValue},
    {"tmp", 0, kValue},
    {"oversubscribe", 's', kNone},
    {"contiguous", 0, kNone},
    {"core-spec", 'S', kValue},
    {"network", 0, kValue},
    {"uid", 0, kValue},
    {"gid", 0, kValue},
    {"kill-on-invalid-dep", 0, kValue},
    {"parsable", 0, kNone},
    {"quiet", 'Q', kNone},
    {"verbose", 'v', kNone},
    {"wait", 'W', kNone},
    {"test-only", 0, kNone},
    {"get-user-env", 0, kMaybe},
    {"export-file", 0, kValue},
    {"ignore-pbs", 0, kNone},
    {"no-kill", 'k', kMaybe},
    {"overcommit", 'O', kNone},
    {"power", 0, kValue},
    {"reboot", 0, kNone},
    {"spread-job", 0, kNone},
    {"thread-spec", 0, kValue},
    {"use-min-nodes", 0, kNone},
    {"wait-all-nodes", 0, kValue},
    {"clusters", 'M', kValue},
    {"cluster-constraint", 0, kValue},
    {"deadline", 0, kValue},
    {"delay-boot", 0, kValue},
    {"acctg-freq", 0, kValue},
    {"gpu-freq", 0, kValue},
    {"cpu-freq", 0, kValue},
    {"cpus-per-gpu", 0, kValue},
    {"bb", 0, kValue},
    {"bbf", 0, kValue},
    {"batch", 0, kValue},
    {"extra", 0, kValue},
    {"extra-node-info", 'B', kValue},
    {"gres-flags", 0, kValue},
    {"mcs-label", 0, kValue},
    {"ntasks-per-core", 0, kValue},
    {"ntasks-per-socket", 0, kValue},
    {"ntasks-per-gpu", 0, kValue},
    {"prefer", 0, kValue},
    {"resv-ports", 0, kMaybe},
    {"switches", 0, kValue},
    {"tres-per-task", 0, kValue},
    {"distribution", 'm', kValue},
    {"input", 'i', kValue},
    {"nodefile", 'F', kValue},
    {"immediate", 'I', kMaybe},
    {"mincpus", 0, kValue},
    {"gpu-bind", 0, kValue},
    {"container", 0, kValue},
    {"container-id", 0, kValue},
    {"segment", 0, kValue},
    {"tres-bind", 0, kValue},
};

}  // namespace

std::span<const OptionDef> AllOptions() { return kOptions; }

Result<const OptionDef*> FindLongOption(std::string_view name) {
  const OptionDef* found = nullptr;
  int distinct = 0;
  std::string candidates;
  for (const auto& def : kOptions) {
    if (def.name == name) return &def;
    if (!def.name.starts_with(name)) continue;
    // Aliases of one option are one candidate, as in getopt_long.
    if (found && found->display() == def.display()) continue;
    candidates += (candidates.empty() ? "--" : ", --") + std::string(def.name);
    if (!found) found = &def;
    ++distinct;
  }
  if (distinct > 1) {
    return InvalidArgument("option '--" + std::string(name) +
                           "' is ambiguous; possibilities: " + candidates);
  }
  return found;
}

const OptionDef* FindShortOption(char short_name) {
  for (const auto& def : kOptions) {
    if (def.short_name == short_name) return &def;
  }
  return nullptr;
}

}  // namespace suanli::slurm
