#include "slurm/directives.h"

#include <algorithm>

#include "slurm/option_words.h"
#include "slurm/script_reader.h"
#include "slurm/text.h"

namespace suanli::slurm {
namespace {

constexpr std::string_view kCommandLine = "command line";

bool IsMemoryOption(const OptionDef& def) {
  return def.name == "mem" || def.name == "mem-per-cpu" || def.name == "mem-per-gpu";
}

// Applies option uses to one request, source by source (the script, then the command line).
class Applier {
 public:
  explicit Applier(const BatchParseOptions& options) : options_(options) {}

  // The script is one source, the command line another.
  void StartSource() { memory_option_in_source_.clear(); }

  Status Apply(const std::vector<OptionUse>& uses, std::string_view where) {
    for (const auto& use : uses) SUANLI_RETURN_IF_ERROR(ApplyOne(use, where));
    return Status::Ok();
  }

  ParsedBatch Take() { return {std::move(request_), std::move(warnings_)}; }
  BatchRequest& request() { return request_; }
  void Warn(std::string warning) { warnings_.push_back(std::move(warning)); }

 private:
  Status ApplyOne(const OptionUse& use, std::string_view where) {
    const std::string at = std::string(where) + ": ";
    if (!use.def || !use.def->set) {
      WarnOnce(use, at);
      return Status::Ok();
    }
    const OptionDef& def = *use.def;
    const std::string name = "--" + std::string(def.display());
    if (def.name == "wrap" && where != kCommandLine) {
      return InvalidArgument(at + "--wrap is only valid on the command line");
    }
    if (IsMemoryOption(def)) SUANLI_RETURN_IF_ERROR(TakeMemoryOption(def, at));
    const Status status = def.set(request_, use.value, options_);
    if (status.ok()) return status;
    const std::string written = use.written == name ? name : use.written + " (" + name + ")";
    return {status.code(), at + written + ": " + status.message()};
  }

  // --mem, --mem-per-cpu and --mem-per-gpu exclude one another. Two of them in one source is
  // Slurm's fatal error; one on the command line replaces whichever the script gave.
  Status TakeMemoryOption(const OptionDef& def, const std::string& at) {
    if (!memory_option_in_source_.empty() && memory_option_in_source_ != def.name) {
      return InvalidArgument(at + "--mem, --mem-per-cpu, and --mem-per-gpu are mutually exclusive");
    }
    if (memory_option_in_source_.empty()) {
      request_.mem.reset();
      request_.mem_per_cpu.reset();
      request_.mem_per_gpu.reset();
    }
    memory_option_in_source_ = std::string(def.name);
    return Status::Ok();
  }

  void WarnOnce(const OptionUse& use, const std::string& at) {
    const std::string name = use.def ? "--" + std::string(use.def->display()) : use.written;
    if (std::find(warned_.begin(), warned_.end(), name) != warned_.end()) return;
    warned_.push_back(name);
    Warn(at + name +
         (use.def ? " is not supported by Suanli; ignored"
                  : " is not an sbatch option Suanli knows (a site plugin's?); ignored"));
  }

  const BatchParseOptions& options_;
  BatchRequest request_;
  std::vector<std::string> warnings_;
  std::vector<std::string> warned_;
  std::string memory_option_in_source_;
};

std::string Count(std::string_view option, uint64_t n) {
  return std::string(option) + "=" + std::to_string(n);
}

// What Slurm refuses, or adjusts with a warning, once every option is known.
Status CheckConsistency(BatchRequest& r, Applier& applier) {
  if (r.nodes && r.ntasks && r.ntasks_per_node &&
      uint64_t{*r.ntasks} > uint64_t{r.nodes->max} * *r.ntasks_per_node) {
    const uint64_t slots = uint64_t{r.nodes->max} * *r.ntasks_per_node;
    return InvalidArgument(
        Count("--ntasks", *r.ntasks) + " needs more than " + Count("--nodes", r.nodes->max) +
        " x " + Count("--ntasks-per-node", *r.ntasks_per_node) + " = " + std::to_string(slots) +
        " tasks: Requested node configuration is not available");
  }
  if (r.nodes && r.ntasks && *r.ntasks < r.nodes->min) {
    applier.Warn("can't run " + std::to_string(*r.ntasks) + " processes on " +
                 std::to_string(r.nodes->min) + " nodes, setting nnodes to " +
                 std::to_string(*r.ntasks));
    r.nodes->min = *r.ntasks;
    r.nodes->max = std::min(r.nodes->max, *r.ntasks);
  }
  if (r.time_limit && r.time_min && !r.time_limit->unlimited &&
      (r.time_min->unlimited || r.time_min->seconds > r.time_limit->seconds)) {
    return InvalidArgument("--time-min is longer than --time: Requested time limit is invalid");
  }
  return Status::Ok();
}

// The script sbatch writes for --wrap.
std::string WrapScript(std::string_view command) {
  return "#!/bin/sh\n# This script was created by sbatch --wrap.\n\n" + std::string(command) + "\n";
}

}  // namespace

Result<ParsedBatch> ParseBatchSubmission(std::optional<std::string_view> script,
                                         const std::vector<std::string>& argv,
                                         const BatchParseOptions& options) {
  auto command_line = ReadOptionWords(argv);
  if (!command_line.ok()) {
    return InvalidArgument(std::string(kCommandLine) + ": " + command_line.status().message());
  }
  Applier applier(options);
  if (script) {
    applier.StartSource();
    SUANLI_ASSIGN_OR_RETURN(auto lines, ReadDirectives(*script));
    for (const auto& line : lines) {
      const std::string where = "line " + std::to_string(line.line_number);
      auto uses = ReadOptionWords(line.words);
      if (!uses.ok()) return InvalidArgument(where + ": " + uses.status().message());
      SUANLI_RETURN_IF_ERROR(applier.Apply(*uses, where));
    }
  }
  applier.StartSource();
  SUANLI_RETURN_IF_ERROR(applier.Apply(*command_line, kCommandLine));
  BatchRequest& request = applier.request();
  if (script && !request.wrap.empty()) {
    return InvalidArgument("script argument not permitted with --wrap option");
  }
  if (!script && request.wrap.empty()) {
    return InvalidArgument("a batch script or --wrap is required");
  }
  request.script = script ? std::string(*script) : WrapScript(request.wrap);
  SUANLI_RETURN_IF_ERROR(CheckConsistency(request, applier));
  return applier.Take();
}

}  // namespace suanli::slurm
