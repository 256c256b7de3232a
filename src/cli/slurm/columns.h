#pragma once
// The output formats of squeue (-o "%.18i %.9P %j") and sacct (--format=JobID,JobName%30),
// parsed once and rendered over API job objects. Widths behave as in Slurm: squeue pads and cuts
// a value to its width ("%.8j" right-aligns), sacct cuts with a trailing '+'.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace suanli::cli::slurm_cmd {

// squeue's defaults, as Slurm prints them.
inline constexpr std::string_view kSqueueDefault = "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
inline constexpr std::string_view kSqueueLong = "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R";
inline constexpr std::string_view kSqueueStart = "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %R";

struct SqueueColumn {
  std::string literal;  // text written before the field
  char field = 0;       // 0: only literal text (after the last field)
  int width = -1;       // -1: as wide as the value
  bool right = false;   // "%.N": right-aligned
};

// Fields: %i %j %u %t %T %M %l %L %D %R %r %P %b %C %S %e %V %a %N %Q. Anything else is an error
// naming the field, so that a typo does not print a silent blank column.
Result<std::vector<SqueueColumn>> ParseSqueueFormat(std::string_view format);
std::string SqueueValue(const nlohmann::json& job, char field, double now);
std::string RenderSqueue(const std::vector<SqueueColumn>& columns,
                         const std::vector<nlohmann::json>& jobs, double now, bool header);

// sacct's default --format.
inline constexpr std::string_view kSacctDefault =
    "JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode";

struct SacctColumn {
  std::string name;  // canonical spelling: "JobID"
  int width = 10;
};

// Names are case-insensitive: JobID JobName State ExitCode Elapsed Start End Submit AllocTRES
// NNodes AllocCPUS NCPUS NodeList Partition Account User Timelimit Reason. "%N" sets a width.
Result<std::vector<SacctColumn>> ParseSacctFormat(std::string_view format);
std::string SacctValue(const nlohmann::json& job, const std::string& name, double now);

enum class SacctLayout { kTable, kParsable, kParsable2 };  // -p ends rows with '|', -P does not
std::string RenderSacct(const std::vector<SacctColumn>& columns,
                        const std::vector<nlohmann::json>& jobs, double now, SacctLayout layout,
                        bool header);

}  // namespace suanli::cli::slurm_cmd
