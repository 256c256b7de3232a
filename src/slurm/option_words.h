#pragma once
// Turns words ("-N", "2", "--time=1:00:00", "-Jname") into option uses, as getopt_long would:
// "--opt=value" and "--opt value", "-Xvalue" and "-X value", clustered flags ("-Hk"), and long
// names shortened to a unique prefix. Long options nobody here knows (a site's SPANK plugin,
// such as NERSC's --image) are kept with a null definition so that the caller can warn about them.
#include <string>
#include <vector>

#include "base/result.h"
#include "slurm/option_table.h"

namespace suanli::slurm {

struct OptionUse {
  const OptionDef* def = nullptr;  // nullptr: an unknown long option
  std::string written;             // as the user wrote it: "-t", "--time", "--image"
  std::string value;
};

Result<std::vector<OptionUse>> ReadOptionWords(const std::vector<std::string>& words);

}  // namespace suanli::slurm
