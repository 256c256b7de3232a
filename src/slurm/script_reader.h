#pragma once
// Reads the #SBATCH directives of a batch script the way sbatch does:
//  - the first line must be "#!" and an interpreter;
//  - directives are lines that start with "#SBATCH" in the first column, up to the first line
//    that is neither blank nor a comment (later #SBATCH lines are comments to sbatch);
//  - a line may hold several options; words are split on blanks, quotes group and are removed,
//    a backslash escapes the next character, and an unquoted '#' ends the line (a comment).
// "#SBATCH hetjob" (or "packjob") separates the components of a heterogeneous job, which
// Suanli refuses.
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace suanli::slurm {

struct DirectiveLine {
  int line_number = 0;  // 1-based, as an editor shows it
  std::vector<std::string> words;
};

Result<std::vector<DirectiveLine>> ReadDirectives(std::string_view script);

}  // namespace suanli::slurm
