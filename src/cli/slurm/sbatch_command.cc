// sbatch: a script (file, stdin or --wrap) parsed by src/slurm, mapped onto POST /jobs.
#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/format.h"
#include "cli/slurm/commands.h"
#include "cli/slurm/option_split.h"
#include "cli/slurm/submit_mapping.h"
#include "slurm/input_env.h"
#include "cli/slurm/support.h"
#include "slurm/directives.h"
#include "slurm/input_env.h"

namespace suanli::cli::slurm_cmd {
namespace {

constexpr std::array<std::string_view, 6> kOwnFlags = {"--parsable", "--test-only", "-Q",
                                                       "--quiet",    "-h",          "--help"};
constexpr size_t kMaxScriptBytes = 512 * 1024;  // as `suanli submit`: the API takes 1 MiB bodies

Result<std::string> ReadScript(const std::string& path, std::istream* in) {
  std::stringstream ss;
  if (path.empty()) {
    ss << (in != nullptr ? *in : std::cin).rdbuf();
  } else {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      return InvalidArgument("Unable to open file " + path);
    }
    std::ifstream file(path, std::ios::binary);
    if (!file) return InvalidArgument("Unable to open file " + path);
    ss << file.rdbuf();
  }
  if (ss.str().size() > kMaxScriptBytes)
    return InvalidArgument("Batch script is too large (over 512 KiB)");
  return ss.str();
}

bool HasWrap(const std::vector<std::string>& options) {
  for (const auto& o : options) {
    if (o == "--wrap" || o.starts_with("--wrap=")) return true;
  }
  return false;
}

// --test-only: the body that would be sent, the script shortened to its size.
void PrintTestOnly(CommandContext& ctx, nlohmann::json body) {
  std::string script = body.value("script", "");
  size_t lines = static_cast<size_t>(std::count(script.begin(), script.end(), '\n'));
  body["script"] =
      "<" + std::to_string(lines) + " lines, " + std::to_string(script.size()) + " bytes>";
  ctx.err << "sbatch: --test-only: the request is valid; it would be submitted as:\n";
  ctx.out << body.dump(2) << "\n";
}

}  // namespace

int RunSbatch(const std::vector<std::string>& args, CommandContext& ctx) {
  SplitWords words = SplitOptionWords(args, kOwnFlags);
  if (words.own.count("-h") || words.own.count("--help")) {
    ctx.out << "Usage: sbatch [OPTIONS] [script [args...]]  (Suanli: see docs/slurm.md)\n"
               "  --parsable   print only the job id\n"
               "  --test-only  check the script and print the request, submit nothing\n";
    return kExitOk;
  }
  bool quiet = words.own.count("-Q") || words.own.count("--quiet");
  bool wrap = HasWrap(words.options);
  std::string path = words.rest.empty() ? "" : words.rest[0];
  if (words.rest.size() > 1) {
    return SlurmError(ctx, "sbatch",
                      "script arguments are not supported by Suanli yet (" + path + " " +
                          words.rest[1] + " ...): set them in the script or with --export");
  }
  std::optional<std::string> script;
  if (!wrap) {
    auto text = ReadScript(path, ctx.in);
    if (!text.ok()) return SlurmError(ctx, "sbatch", text.status().message());
    script = *text;
  }
  suanli::slurm::BatchParseOptions options;
  options.clock = LocalClock();
  std::optional<std::string_view> script_view;
  if (script) script_view = *script;
  // SBATCH_* variables: over the script's directives, under the command line (sbatch(1)).
  std::vector<std::string> argv = suanli::slurm::SbatchEnvOptions(ctx.env);
  argv.insert(argv.end(), words.options.begin(), words.options.end());
  auto parsed = suanli::slurm::ParseBatchSubmission(script_view, argv, options);
  if (!parsed.ok()) return SlurmError(ctx, "sbatch", parsed.status().message());
  if (!quiet) {
    for (const auto& w : parsed->warnings) SlurmWarning(ctx, "sbatch", w);
  }

  bool test_only = words.own.count("--test-only") > 0;
  SubmitContext sc;
  sc.default_name =
      wrap ? "wrap" : (path.empty() ? "sbatch" : std::filesystem::path(path).filename().string());
  std::error_code ec;
  sc.submit_dir = std::filesystem::current_path(ec).string();
  sc.env = ctx.env;
  std::optional<ApiClient> client;
  if (!test_only) {
    auto c = Connect(ctx, ConnectionFlags{});
    if (!c.ok()) return SlurmError(ctx, "sbatch", c.status().message());
    client = std::move(*c);
    auto types = FetchClusterTypes(*client);
    if (!types.ok()) return SlurmError(ctx, "sbatch", types.status().message());
    sc.cluster = *types;
  }
  auto mapped = MapBatchRequest(parsed->request, sc);
  if (!mapped.ok()) return SlurmError(ctx, "sbatch", mapped.status().message());
  if (!quiet) {
    for (const auto& w : mapped->warnings) SlurmWarning(ctx, "sbatch", w);
  }
  if (test_only) {
    PrintTestOnly(ctx, mapped->body);
    return kExitOk;
  }
  auto job = client->Post("jobs", mapped->body);
  if (!job.ok()) {
    return SlurmError(ctx, "sbatch", "Batch job submission failed: " + job.status().message());
  }
  std::string id = FormatScalar(job->value("id", nlohmann::json()));
  if (words.own.count("--parsable")) {
    ctx.out << id << "\n";
  } else {
    ctx.out << "Submitted batch job " << id << "\n";
  }
  return kExitOk;
}

}  // namespace suanli::cli::slurm_cmd
