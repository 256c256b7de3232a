#pragma once
// sbatch and srun read their options up to the first word that is not an option or an option's
// value: that word is the script (sbatch) or the command (srun), and the rest are its arguments.
// Which options take a value comes from src/slurm's option table, so the split agrees with the
// parse that follows.
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace suanli::cli::slurm_cmd {

struct SplitWords {
  std::vector<std::string> options;  // for slurm::ParseBatchSubmission
  std::vector<std::string> rest;     // the script or command, then its arguments
  std::set<std::string> own;         // the command's own flags that were given (taken out)
};

// `own_flags` are flags without a value that the command handles itself ("--parsable", "-Q");
// they are taken out of `options` so that the parse does not warn about them.
SplitWords SplitOptionWords(const std::vector<std::string>& words,
                            std::span<const std::string_view> own_flags);

// 'it'\''s' quoting, so that srun's command survives a /bin/sh script word for word.
std::string ShellQuote(const std::string& word);

}  // namespace suanli::cli::slurm_cmd
