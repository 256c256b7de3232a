#include "slurm/dependency_spec.h"

#include <string>

#include "slurm/text.h"

namespace suanli::slurm {
namespace {

struct TypeName {
  std::string_view name;
  DependencyType type;
};
constexpr TypeName kTypes[] = {
    {"after", DependencyType::kAfter},
    {"afterany", DependencyType::kAfterAny},
    {"afterok", DependencyType::kAfterOk},
    {"afternotok", DependencyType::kAfterNotOk},
    {"aftercorr", DependencyType::kAfterCorr},
    {"afterburstbuffer", DependencyType::kAfterBurstBuffer},
    {"singleton", DependencyType::kSingleton},
};

Status Malformed(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid dependency " + Quoted(text) + ": " + std::string(why));
}

Result<DependencyJob> ParseJob(std::string_view text, std::string_view field, DependencyType type) {
  DependencyJob job;
  if (const size_t plus = field.find('+'); plus != std::string_view::npos) {
    if (type != DependencyType::kAfter) {
      return Malformed(text, "only 'after' takes a +MINUTES delay");
    }
    const auto minutes = ParseUnsigned(field.substr(plus + 1));
    if (!minutes || *minutes > UINT32_MAX) return Malformed(text, "bad delay in " + Quoted(field));
    job.delay_minutes = static_cast<uint32_t>(*minutes);
    field = field.substr(0, plus);
  }
  if (const size_t underscore = field.find('_'); underscore != std::string_view::npos) {
    const auto task = ParseUnsigned(field.substr(underscore + 1));
    if (!task || *task > UINT32_MAX) {
      return Malformed(text, "bad array task in " + Quoted(field));
    }
    job.array_task = static_cast<uint32_t>(*task);
    field = field.substr(0, underscore);
  }
  const auto id = ParseUnsigned(field);
  if (!id || *id == 0) return Malformed(text, Quoted(field) + " is not a job id");
  job.job_id = *id;
  return job;
}

Result<DependencyCondition> ParseCondition(std::string_view text, std::string_view item) {
  const auto fields = Split(item, ':');
  DependencyCondition condition;
  bool known = false;
  for (const auto& t : kTypes) {
    if (EqualsIgnoreCase(fields[0], t.name)) {
      condition.type = t.type;
      known = true;
    }
  }
  if (EqualsIgnoreCase(fields[0], "expand")) {
    return Malformed(text, "'expand' (growing a running job) is not supported");
  }
  if (!known) return Malformed(text, "unknown dependency type " + Quoted(fields[0]));
  if (condition.type == DependencyType::kSingleton) {
    if (fields.size() > 1) return Malformed(text, "'singleton' takes no job ids");
    return condition;
  }
  if (fields.size() < 2) return Malformed(text, Quoted(fields[0]) + " needs at least one job id");
  for (size_t i = 1; i < fields.size(); ++i) {
    SUANLI_ASSIGN_OR_RETURN(auto job, ParseJob(text, fields[i], condition.type));
    condition.jobs.push_back(job);
  }
  return condition;
}

}  // namespace

std::string_view DependencyTypeName(DependencyType type) {
  for (const auto& t : kTypes) {
    if (t.type == type) return t.name;
  }
  return "?";
}

Result<DependencySpec> ParseDependencySpec(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t.empty()) return Malformed(text, "empty");
  const bool has_all = t.find(',') != std::string_view::npos;
  const bool has_any = t.find('?') != std::string_view::npos;
  // Slurm refuses to mix the two: there is no precedence between them.
  if (has_all && has_any) return Malformed(text, "',' (all of) and '?' (any of) cannot be mixed");
  DependencySpec spec;
  spec.combine = has_any ? DependencySpec::Combine::kAny : DependencySpec::Combine::kAll;
  for (std::string_view item : Split(t, has_any ? '?' : ',')) {
    if (item.empty()) return Malformed(text, "empty condition");
    SUANLI_ASSIGN_OR_RETURN(auto condition, ParseCondition(text, item));
    spec.conditions.push_back(std::move(condition));
  }
  return spec;
}

std::string FormatDependencySpec(const DependencySpec& spec) {
  std::string out;
  const char sep = spec.combine == DependencySpec::Combine::kAny ? '?' : ',';
  for (const auto& c : spec.conditions) {
    if (!out.empty()) out += sep;
    out += DependencyTypeName(c.type);
    for (const auto& j : c.jobs) {
      out += ":" + std::to_string(j.job_id);
      if (j.array_task) out += "_" + std::to_string(*j.array_task);
      if (j.delay_minutes > 0) out += "+" + std::to_string(j.delay_minutes);
    }
  }
  return out;
}

}  // namespace suanli::slurm
