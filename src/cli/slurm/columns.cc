#include "cli/slurm/columns.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "cli/format.h"
#include "cli/slurm/job_view.h"

namespace suanli::cli::slurm_cmd {
namespace {

struct SqueueField {
  char letter;
  std::string_view header;
};

constexpr SqueueField kSqueueFields[] = {
    {'i', "JOBID"},         {'j', "NAME"},
    {'u', "USER"},          {'t', "ST"},
    {'T', "STATE"},         {'M', "TIME"},
    {'l', "TIME_LIMIT"},    {'L', "TIME_LEFT"},
    {'D', "NODES"},         {'R', "NODELIST(REASON)"},
    {'r', "REASON"},        {'P', "PARTITION"},
    {'b', "TRES_PER_NODE"}, {'C', "CPUS"},
    {'S', "START_TIME"},    {'e', "END_TIME"},
    {'V', "SUBMIT_TIME"},   {'a', "ACCOUNT"},
    {'N', "NODELIST"},      {'Q', "PRIORITY"},
};

const SqueueField* FindSqueueField(char c) {
  for (const auto& f : kSqueueFields) {
    if (f.letter == c) return &f;
  }
  return nullptr;
}

std::string Fit(const std::string& value, int width, bool right) {
  if (width < 0) return value;
  auto w = static_cast<size_t>(width);
  std::string v = value.size() > w ? value.substr(0, w) : value;
  std::string pad(w - v.size(), ' ');
  return right ? pad + v : v + pad;
}

std::string StartTime(const nlohmann::json& job) {
  if (job.value("state", "") == "PENDING") {
    return SlurmTime(job.contains("est_start_time") ? job["est_start_time"] : nlohmann::json());
  }
  return SlurmTime(job.contains("start_time") ? job["start_time"] : nlohmann::json());
}

std::string TimeLeft(const nlohmann::json& job, double now) {
  double limit = job.value("time_limit_s", 0.0);
  if (limit <= 0) return "UNLIMITED";
  return FormatElapsed(std::max(0.0, limit - JobRunSeconds(job, now)));
}

struct SacctField {
  std::string_view name;
  int width;
};

constexpr SacctField kSacctFields[] = {
    {"JobID", 12},     {"JobName", 10},   {"State", 10},    {"ExitCode", 8},   {"Elapsed", 10},
    {"Start", 19},     {"End", 19},       {"Submit", 19},   {"AllocTRES", 10}, {"NNodes", 8},
    {"AllocCPUS", 10}, {"NCPUS", 10},     {"NodeList", 15}, {"Partition", 10}, {"Account", 10},
    {"User", 9},       {"Timelimit", 10}, {"Reason", 10},
};

bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string SacctCell(const std::string& value, int width, bool left) {
  auto w = static_cast<size_t>(width);
  std::string v = value.size() > w ? value.substr(0, w - 1) + "+" : value;
  std::string pad(w - v.size(), ' ');
  return left ? v + pad : pad + v;
}

}  // namespace

Result<std::vector<SqueueColumn>> ParseSqueueFormat(std::string_view format) {
  std::vector<SqueueColumn> out;
  SqueueColumn current;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%') {
      current.literal += c;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '%') {
      current.literal += '%';
      ++i;
      continue;
    }
    size_t j = i + 1;
    if (j < format.size() && format[j] == '.') {
      current.right = true;
      ++j;
    }
    int width = -1;
    while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) {
      width = (width < 0 ? 0 : width * 10) + (format[j] - '0');
      if (width > 1000)
        return InvalidArgument("format width too large in '" + std::string(format) + "'");
      ++j;
    }
    if (j >= format.size()) {
      return InvalidArgument("format '" + std::string(format) + "' ends inside a field");
    }
    if (FindSqueueField(format[j]) == nullptr) {
      return InvalidArgument(std::string("unsupported format field '%") + format[j] +
                             "' (supported: %i %j %u %t %T %M %l %L %D %R %r %P %b %C %S %e %V %a "
                             "%N %Q)");
    }
    current.field = format[j];
    current.width = width;
    out.push_back(current);
    current = {};
    i = j;
  }
  if (!current.literal.empty()) out.push_back(current);
  return out;
}

std::string SqueueValue(const nlohmann::json& job, char field, double now) {
  switch (field) {
    case 'i':
      return SlurmJobId(job);
    case 'j':
      return JobText(job, "name");
    case 'u':
      return JobText(job, "user");
    case 'a':
      return JobText(job, "tenant");
    case 't':
      return std::string(StateOf(job).code);
    case 'T':
      return std::string(StateOf(job).name);
    case 'M':
      return JobRunTime(job, now);
    case 'l':
      return JobTimeLimit(job);
    case 'L':
      return TimeLeft(job, now);
    case 'D':
      return std::to_string(JobNodeCount(job));
    case 'R': {
      if (job.value("state", "") == "PENDING") return "(" + SlurmReason(job) + ")";
      std::string nodes = JobNodeList(job);
      return nodes.empty() ? "(" + SlurmReason(job) + ")" : nodes;
    }
    case 'r':
      return SlurmReason(job);
    case 'N':
      return JobNodeList(job);
    case 'P':
      return JobPartition(job);
    case 'b':
      return JobTresPerNode(job);
    case 'C':
      return FormatNumber(JobCpus(job));
    case 'S':
      return StartTime(job);
    case 'e':
      return SlurmTime(job.contains("end_time") ? job["end_time"] : nlohmann::json());
    case 'V':
      return SlurmTime(job.contains("submit_time") ? job["submit_time"] : nlohmann::json());
    case 'Q':
      return JobText(job, "priority");
    default:
      return "";
  }
}

std::string RenderSqueue(const std::vector<SqueueColumn>& columns,
                         const std::vector<nlohmann::json>& jobs, double now, bool header) {
  std::string out;
  auto line = [&](auto value_of) {
    std::string l;
    for (const auto& c : columns) {
      l += c.literal;
      if (c.field != 0) l += Fit(value_of(c.field), c.width, c.right);
    }
    out += l + "\n";
  };
  if (header) {
    line([](char f) { return std::string(FindSqueueField(f)->header); });
  }
  for (const auto& job : jobs) {
    line([&](char f) { return SqueueValue(job, f, now); });
  }
  return out;
}

Result<std::vector<SacctColumn>> ParseSacctFormat(std::string_view format) {
  std::vector<SacctColumn> out;
  size_t start = 0;
  while (start <= format.size()) {
    size_t comma = format.find(',', start);
    if (comma == std::string_view::npos) comma = format.size();
    std::string_view item = format.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    std::string_view name = item;
    int width = -1;
    if (size_t pct = item.find('%'); pct != std::string_view::npos) {
      name = item.substr(0, pct);
      std::string digits(item.substr(pct + 1));
      if (digits.empty() || digits.size() > 4 ||
          !std::all_of(digits.begin(), digits.end(),
                       [](unsigned char d) { return std::isdigit(d); }) ||
          std::stoi(digits) == 0) {
        return InvalidArgument("invalid field width in '" + std::string(item) + "'");
      }
      width = std::stoi(digits);
    }
    const SacctField* found = nullptr;
    for (const auto& f : kSacctFields) {
      if (SameName(f.name, name)) found = &f;
    }
    if (found == nullptr) {
      std::string known;
      for (const auto& f : kSacctFields) known += (known.empty() ? "" : " ") + std::string(f.name);
      return InvalidArgument("Invalid field requested: \"" + std::string(name) +
                             "\" (supported: " + known + ")");
    }
    out.push_back({std::string(found->name), width > 0 ? width : found->width});
  }
  if (out.empty()) return InvalidArgument("no fields in --format '" + std::string(format) + "'");
  return out;
}

std::string SacctValue(const nlohmann::json& job, const std::string& name, double now) {
  auto time_of = [&](const char* key) {
    return SlurmTime(job.contains(key) ? job[key] : nlohmann::json(), "Unknown");
  };
  if (name == "JobID") return SlurmJobId(job);
  if (name == "JobName") return JobText(job, "name");
  if (name == "State") return std::string(StateOf(job).name);
  if (name == "ExitCode") return JobExitCode(job);
  if (name == "Elapsed") return JobElapsedLong(job, now);
  if (name == "Start") return time_of("start_time");
  if (name == "End") return time_of("end_time");
  if (name == "Submit") return time_of("submit_time");
  if (name == "AllocTRES") return JobAllocTres(job);
  if (name == "NNodes") return std::to_string(JobNodeCount(job));
  if (name == "AllocCPUS") {
    return job.contains("start_time") && job["start_time"].is_number()
               ? FormatNumber(std::ceil(JobCpus(job)))
               : "0";
  }
  if (name == "NCPUS") return FormatNumber(std::ceil(JobCpus(job)));
  if (name == "NodeList") {
    std::string nodes = JobNodeList(job);
    return nodes.empty() ? "None assigned" : nodes;
  }
  if (name == "Partition") return JobPartition(job);
  if (name == "Account") return JobText(job, "tenant");
  if (name == "User") return JobText(job, "user");
  if (name == "Timelimit") return JobTimeLimit(job);
  if (name == "Reason") return SlurmReason(job);
  return "";
}

std::string RenderSacct(const std::vector<SacctColumn>& columns,
                        const std::vector<nlohmann::json>& jobs, double now, SacctLayout layout,
                        bool header) {
  std::string out;
  auto row = [&](auto value_of) {
    std::string l;
    for (size_t i = 0; i < columns.size(); ++i) {
      const auto& c = columns[i];
      std::string v = value_of(c);
      if (layout == SacctLayout::kTable) {
        l += SacctCell(v, c.width, c.name == "JobID") + " ";
      } else {
        l += v;
        if (layout == SacctLayout::kParsable || i + 1 < columns.size()) l += "|";
      }
    }
    out += l + "\n";
  };
  if (header) {
    row([](const SacctColumn& c) { return c.name; });
    if (layout == SacctLayout::kTable) {
      std::string dashes;
      for (const auto& c : columns) dashes += std::string(static_cast<size_t>(c.width), '-') + " ";
      out += dashes + "\n";
    }
  }
  for (const auto& job : jobs) {
    row([&](const SacctColumn& c) { return SacctValue(job, c.name, now); });
  }
  return out;
}

}  // namespace suanli::cli::slurm_cmd
