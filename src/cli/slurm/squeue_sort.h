#pragma once
// squeue -S: the rows ordered by a list of fields, each '+' (ascending, the default) or '-'
// (descending), as squeue(1) reads it ("-t,i", "P,-p"). Ties end on the job id, so the listing is
// the same every time.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/result.h"

namespace suanli::cli::slurm_cmd {

struct SortKey {
  char field = 'i';
  bool descending = false;
};

// Known fields: i (job id), j or n (name), u (user), a (account), t (state, pending first, as
// Slurm orders its states), p (priority), P (partition), V (submit time), S (start time), e (end
// time), l (time limit), D (nodes). Anything else is named in the error.
Result<std::vector<SortKey>> ParseSqueueSort(const std::string& spec);

void SortJobs(const std::vector<SortKey>& keys, std::vector<nlohmann::json>* jobs);

}  // namespace suanli::cli::slurm_cmd
