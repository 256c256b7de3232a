#pragma once
// A getopt_long-like reader for the Slurm client commands (squeue, scancel, sacct, sinfo,
// scontrol): "-u alice", "-ualice", "--user=alice", "--user alice", clustered flags ("-hl").
// CLI11 is not used for them because Slurm's spelling differs from ours (-h is --noheader in
// squeue, not help), and scripts written for Slurm must parse unchanged.
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace suanli::cli::slurm_cmd {

struct ArgSpec {
  std::string_view long_name;  // the key values are stored under
  char short_name = 0;         // 0 when there is none
  bool takes_value = false;
};

struct ParsedArgs {
  std::map<std::string, std::vector<std::string>> values;  // long name -> every value given
  std::vector<std::string> positional;
  bool Has(const std::string& name) const { return values.count(name) > 0; }
  // The last value given (a later option overrides an earlier one), or "".
  std::string Last(const std::string& name) const;
  // Every value, each split on commas: "-j 1,2 -j 3" -> {1, 2, 3}.
  std::vector<std::string> List(const std::string& name) const;
};

// Long options match exactly or by a unique prefix, as getopt_long does. Errors name the option
// in Slurm's words ("unrecognized option '--bogus'", "option requires an argument -- 'u'").
Result<ParsedArgs> ParseArgs(const std::vector<std::string>& words, std::span<const ArgSpec> specs);

}  // namespace suanli::cli::slurm_cmd
