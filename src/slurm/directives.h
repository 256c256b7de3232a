#pragma once
// Reads an sbatch submission as sbatch does: the script's #SBATCH directives first, then the
// command-line options, which override them. The result is a typed BatchRequest and the warnings
// a user should see (options Suanli ignores); errors name the option, and the line for a
// directive, in words close to Slurm's own.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "slurm/batch_request.h"

namespace suanli::slurm {

struct ParsedBatch {
  BatchRequest request;
  std::vector<std::string> warnings;  // one per ignored option, in the order met
};

// `script` is the batch script's text, or nullopt when `argv` has --wrap instead. `argv` holds
// the command-line options only (the caller has taken the script's path and arguments off).
Result<ParsedBatch> ParseBatchSubmission(std::optional<std::string_view> script,
                                         const std::vector<std::string>& argv,
                                         const BatchParseOptions& options);

}  // namespace suanli::slurm
