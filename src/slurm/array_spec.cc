#include "slurm/array_spec.h"

#include <algorithm>
#include <string>

#include "slurm/text.h"

namespace suanli::slurm {
namespace {

Status Malformed(std::string_view text, std::string_view why) {
  return InvalidArgument("invalid job array specification " + Quoted(text) + ": " +
                         std::string(why));
}

Result<uint32_t> ReadIndex(std::string_view text, std::string_view field,
                           const ArrayLimits& limits) {
  const auto v = ParseUnsigned(field);
  if (!v) return Malformed(text, Quoted(field) + " is not a task index");
  if (*v > limits.max_index) {
    return Malformed(text, "index " + std::string(field) + " is above the maximum " +
                               std::to_string(limits.max_index) + " (MaxArraySize=" +
                               std::to_string(uint64_t{limits.max_index} + 1) + ")");
  }
  return static_cast<uint32_t>(*v);
}

// One "N", "N-M" or "N-M:STEP" item, appended to `ids`.
Status AddItem(std::string_view text, std::string_view item, const ArrayLimits& limits,
               std::vector<uint32_t>& ids) {
  if (item.empty()) return Malformed(text, "empty item");
  const size_t dash = item.find('-');
  if (dash == std::string_view::npos) {
    if (item.find(':') != std::string_view::npos) return Malformed(text, "a step needs a range");
    SUANLI_ASSIGN_OR_RETURN(uint32_t id, ReadIndex(text, item, limits));
    ids.push_back(id);
    return Status::Ok();
  }
  std::string_view hi_part = item.substr(dash + 1);
  uint64_t step = 1;
  if (const size_t colon = hi_part.find(':'); colon != std::string_view::npos) {
    const auto s = ParseUnsigned(hi_part.substr(colon + 1));
    if (!s || *s == 0) return Malformed(text, "the step must be a positive number");
    step = *s;
    hi_part = hi_part.substr(0, colon);
  }
  SUANLI_ASSIGN_OR_RETURN(uint32_t lo, ReadIndex(text, item.substr(0, dash), limits));
  SUANLI_ASSIGN_OR_RETURN(uint32_t hi, ReadIndex(text, hi_part, limits));
  if (lo > hi) {
    return Malformed(text, "range " + std::string(item) + " runs backwards");
  }
  for (uint64_t id = lo; id <= hi; id += step) {
    ids.push_back(static_cast<uint32_t>(id));
    if (ids.size() > limits.max_tasks) break;  // caught by the caller, without a huge loop
  }
  return Status::Ok();
}

}  // namespace

Result<ArraySpec> ParseArraySpec(std::string_view text, const ArrayLimits& limits) {
  std::string_view list = Trim(text);
  if (list.empty()) return Malformed(text, "empty");
  ArraySpec spec;
  if (const size_t percent = list.find('%'); percent != std::string_view::npos) {
    const auto max = ParseUnsigned(list.substr(percent + 1));
    if (!max || *max == 0 || *max > UINT32_MAX) {
      return Malformed(text, "the limit after '%' must be a positive number");
    }
    spec.max_running = static_cast<uint32_t>(*max);
    list = list.substr(0, percent);
  }
  for (std::string_view item : Split(list, ',')) {
    SUANLI_RETURN_IF_ERROR(AddItem(text, item, limits, spec.task_ids));
    if (spec.task_ids.size() > limits.max_tasks) break;
  }
  std::sort(spec.task_ids.begin(), spec.task_ids.end());
  spec.task_ids.erase(std::unique(spec.task_ids.begin(), spec.task_ids.end()), spec.task_ids.end());
  if (spec.task_ids.size() > limits.max_tasks) {
    return Malformed(text, "more than " + std::to_string(limits.max_tasks) + " tasks");
  }
  return spec;
}

std::string FormatArraySpec(const ArraySpec& spec) {
  std::string out;
  const auto& ids = spec.task_ids;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(ids[i]);
    if (j > i) out += "-" + std::to_string(ids[j]);
    i = j + 1;
  }
  if (spec.max_running) out += "%" + std::to_string(*spec.max_running);
  return out;
}

}  // namespace suanli::slurm
