#pragma once
// Every sbatch option Suanli knows: the ones it reads into a BatchRequest, and the Slurm options
// it knows of but does not support (those are warned about and ignored, never silently dropped).
#include <span>
#include <string_view>

#include "base/result.h"
#include "slurm/batch_request.h"

namespace suanli::slurm {

enum class Arity { kNone, kRequired, kOptional };  // kOptional takes a value only after '='

using OptionSetter = Status (*)(BatchRequest&, std::string_view value, const BatchParseOptions&);

struct OptionDef {
  std::string_view name;  // the long name, without "--"
  char short_name = 0;    // 0 when there is none
  Arity arity = Arity::kRequired;
  OptionSetter set = nullptr;       // nullptr: known to Slurm, not supported by Suanli
  std::string_view canonical = {};  // for aliases ("tasks-per-node"): the name messages use
  std::string_view display() const { return canonical.empty() ? name : canonical; }
};

std::span<const OptionDef> AllOptions();

// As getopt_long finds them: an exact name, or else a prefix of exactly one option.
// nullptr (and ok) when no option has that name; an error when the prefix is ambiguous.
Result<const OptionDef*> FindLongOption(std::string_view name);
const OptionDef* FindShortOption(char short_name);

}  // namespace suanli::slurm
