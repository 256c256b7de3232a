// srun outside an allocation: one job (the command as sbatch --wrap would run it), its output
// followed until it ends, then srun exits with the job's exit code. Job steps inside an
// allocation, and salloc, are not supported yet.
#include <array>
#include <filesystem>
#include <ostream>

#include "cli/format.h"
#include "cli/main.h"
#include "cli/slurm/commands.h"
#include "cli/slurm/job_view.h"
#include "cli/slurm/option_split.h"
#include "cli/slurm/submit_mapping.h"
#include "cli/slurm/support.h"
#include "slurm/directives.h"

namespace suanli::cli::slurm_cmd {

int RunSrun(const std::vector<std::string>& args, CommandContext& ctx) {
  if (!ctx.env("SLURM_JOB_ID").empty() || !ctx.env("SUANLI_JOB_ID").empty()) {
    return SlurmError(ctx, "srun",
                      "srun inside an allocation (job steps) is not supported by Suanli yet: run "
                      "the command directly; every task of a Suanli gang already runs the script");
  }
  constexpr std::array<std::string_view, 1> kNone = {"--srun-no-own-flags"};
  SplitWords words = SplitOptionWords(args, kNone);
  if (words.rest.empty())
    return SlurmError(ctx, "srun", "no command given: srun [OPTIONS] CMD ARGS...");
  std::string command;
  for (const auto& w : words.rest) command += (command.empty() ? "" : " ") + ShellQuote(w);
  std::vector<std::string> options = words.options;
  options.push_back("--wrap=" + command);
  suanli::slurm::BatchParseOptions parse_options;
  parse_options.clock = LocalClock();
  auto parsed = suanli::slurm::ParseBatchSubmission(std::nullopt, options, parse_options);
  if (!parsed.ok()) return SlurmError(ctx, "srun", parsed.status().message());
  for (const auto& w : parsed->warnings) SlurmWarning(ctx, "srun", w);
  auto client = Connect(ctx, ConnectionFlags{});
  if (!client.ok()) return SlurmError(ctx, "srun", client.status().message());
  SubmitContext sc;
  sc.default_name = std::filesystem::path(words.rest[0]).filename().string();
  std::error_code ec;
  sc.submit_dir = std::filesystem::current_path(ec).string();
  sc.env = ctx.env;
  auto types = FetchClusterTypes(*client);
  if (!types.ok()) return SlurmError(ctx, "srun", types.status().message());
  sc.cluster = *types;
  auto mapped = MapBatchRequest(parsed->request, sc);
  if (!mapped.ok()) return SlurmError(ctx, "srun", mapped.status().message());
  for (const auto& w : mapped->warnings) SlurmWarning(ctx, "srun", w);
  auto job = client->Post("jobs", mapped->body);
  if (!job.ok()) return SlurmError(ctx, "srun", "job submission failed: " + job.status().message());
  std::string id = FormatScalar(job->value("id", nlohmann::json()));
  ctx.err << "srun: job " << id << " queued (output follows once it runs)\n";
  // The same follow loop as `suanli logs -f`, so that both stop at the same moment.
  int follow = Run({"suanli", "logs", id, "--follow"}, ctx.out, ctx.err, ctx.env);
  if (follow != kExitOk) return follow;
  Run({"suanli", "logs", id, "--stderr"}, ctx.err, ctx.err, ctx.env);
  auto end = client->Get("jobs/" + id);
  if (!end.ok()) return SlurmError(ctx, "srun", end.status().message());
  std::string state = end->value("state", "");
  if (state == "COMPLETED") return kExitOk;
  const auto& code = (*end)["exit_code"];
  int exit_code = code.is_number() && code.get<int>() != 0 ? code.get<int>() : kSlurmExitError;
  SlurmError(ctx, "srun",
             "job " + id + " ended " + state + " (exit code " + JobExitCode(*end) + ")");
  return exit_code;
}

int RunSalloc(const std::vector<std::string>&, CommandContext& ctx) {
  return SlurmError(ctx, "salloc",
                    "interactive allocations are not supported by Suanli yet: use `srun CMD` to "
                    "run one command, or sbatch");
}

}  // namespace suanli::cli::slurm_cmd
