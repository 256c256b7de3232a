#include "slurm/gres_spec.h"

#include <cctype>

#include "slurm/text.h"

namespace suanli::slurm {
namespace {

constexpr uint64_t kLargestCount = 1u << 30;

bool IsName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

Result<uint64_t> ReadCount(std::string_view text, std::string_view field, std::string_view what) {
  const auto count = ParseUnsigned(field);
  if (!count || *count > kLargestCount) {
    return InvalidArgument("invalid " + std::string(what) + " " + Quoted(text) + ": " +
                           Quoted(field) + " is not a count");
  }
  return *count;
}

Result<GresRequest> ParseGres(std::string_view text, std::string_view item) {
  const auto fields = Split(item, ':');
  const auto bad = [&](std::string_view why) {
    return InvalidArgument("invalid gres " + Quoted(text) + ": " + std::string(why) +
                           " (expected NAME[:TYPE][:COUNT])");
  };
  if (fields.size() > 3) return bad("too many ':' fields in " + Quoted(item));
  for (auto f : fields) {
    if (!IsName(f)) return bad("empty or odd field in " + Quoted(item));
  }
  if (IsAllDigits(fields[0])) return bad(Quoted(fields[0]) + " is not a resource name");
  GresRequest gres{std::string(fields[0]), "", 1};
  if (fields.size() == 3) {
    gres.type = std::string(fields[1]);
    SUANLI_ASSIGN_OR_RETURN(gres.count, ReadCount(text, fields[2], "gres"));
  } else if (fields.size() == 2) {
    // "gpu:2" is a count, "gpu:a100" a type (one of it).
    if (IsAllDigits(fields[1])) {
      SUANLI_ASSIGN_OR_RETURN(gres.count, ReadCount(text, fields[1], "gres"));
    } else {
      gres.type = std::string(fields[1]);
    }
  }
  return gres;
}

}  // namespace

Result<std::vector<GresRequest>> ParseGresList(std::string_view text) {
  const std::string_view t = Trim(text);
  if (t.empty()) return InvalidArgument("invalid gres '': empty");
  std::vector<GresRequest> list;
  if (EqualsIgnoreCase(t, "none")) return list;
  for (std::string_view item : Split(t, ',')) {
    // Slurm accepts a leading "gres/" (the TRES spelling) as well.
    if (item.starts_with("gres/")) item.remove_prefix(5);
    SUANLI_ASSIGN_OR_RETURN(auto gres, ParseGres(text, item));
    list.push_back(std::move(gres));
  }
  return list;
}

Result<GpuCount> ParseGpuCount(std::string_view text) {
  const std::string_view t = Trim(text);
  const auto fields = Split(t, ':');
  if (fields.size() > 2 || (fields.size() == 2 && !IsName(fields[0]))) {
    return InvalidArgument("invalid GPU count " + Quoted(text) + ": expected [TYPE:]COUNT");
  }
  GpuCount gpus;
  if (fields.size() == 2) gpus.type = std::string(fields[0]);
  SUANLI_ASSIGN_OR_RETURN(gpus.count, ReadCount(text, fields.back(), "GPU count"));
  return gpus;
}

Result<MemorySize> ParseMemorySize(std::string_view text, MemoryScope scope) {
  const std::string_view t = Trim(text);
  const auto bad = [&](std::string_view why) {
    return InvalidArgument("invalid memory size " + Quoted(text) + ": " + std::string(why) +
                           " (expected a number of megabytes, or a size with K, M, G or T)");
  };
  size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') ++digits;
  const auto number = ParseUnsigned(t.substr(0, digits));
  if (!number) return bad("no number");
  std::string suffix = ToUpper(t.substr(digits));
  // Slurm also takes "16GB": a unit letter followed by B.
  if (suffix.size() == 2 && suffix[1] == 'B') suffix.pop_back();
  // Sizes are kept in megabytes, as Slurm keeps them; kilobytes round up to the next megabyte.
  uint64_t shift_up = 0;
  bool kilobytes = false;
  if (suffix == "K") {
    kilobytes = true;
  } else if (suffix == "G") {
    shift_up = 10;
  } else if (suffix == "T") {
    shift_up = 20;
  } else if (!suffix.empty() && suffix != "M") {
    return bad("unknown unit " + Quoted(t.substr(digits)));
  }
  constexpr uint64_t kLargestMegabytes = uint64_t{1} << 40;  // a billion terabytes
  if (*number > (kLargestMegabytes >> shift_up)) return bad("too large");
  MemorySize size;
  size.megabytes = kilobytes ? (*number + 1023) / 1024 : *number << shift_up;
  if (size.megabytes == 0) {
    if (scope != MemoryScope::kPerNode) return bad("must be positive");
    size.whole_node = true;
  }
  return size;
}

}  // namespace suanli::slurm
