// src/slurm: the sbatch submission reader (#SBATCH directives, then command-line options) and the
// Slurm syntaxes it uses. Input: "KIND\nTEXT" with KIND one of script (TEXT is a batch script),
// argv (one option a line, with --wrap instead of a script), hostlist, time, array, dependency,
// gres, gpus, mem, begin. Hostlists must survive compress -> expand unchanged.
#include <string>
#include <vector>

#include "slurm/array_spec.h"
#include "slurm/begin_time.h"
#include "slurm/dependency_spec.h"
#include "slurm/directives.h"
#include "slurm/gres_spec.h"
#include "slurm/hostlist.h"
#include "slurm/time_spec.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace suanli::slurm;

// A fixed "now" (2026-01-15 12:00:00 UTC) at UTC+8, so --begin is deterministic.
const BatchParseOptions kOptions{{1768478400, 8 * 3600}, {}, 4096};

void CheckHostlist(std::string_view text) {
  auto hosts = ExpandHostlist(text, kOptions.max_hosts);
  if (!hosts.ok()) return;
  FUZZ_CHECK(hosts->size() <= kOptions.max_hosts);
  auto again = ExpandHostlist(CompressHostlist(*hosts), kOptions.max_hosts);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *hosts);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [kind, text] = suanli::fuzz::Select(suanli::fuzz::AsText(data, size));
  if (kind == "script") {
    (void)ParseBatchSubmission(text, {}, kOptions);
  } else if (kind == "argv") {
    (void)ParseBatchSubmission(std::nullopt, suanli::fuzz::SplitLines(text), kOptions);
  } else if (kind == "hostlist") {
    CheckHostlist(text);
  } else if (kind == "time") {
    (void)ParseTimeLimit(text);
  } else if (kind == "array") {
    (void)ParseArraySpec(text);
  } else if (kind == "dependency") {
    (void)ParseDependencySpec(text);
  } else if (kind == "gres") {
    (void)ParseGresList(text);
  } else if (kind == "gpus") {
    (void)ParseGpuCount(text);
  } else if (kind == "mem") {
    (void)ParseMemorySize(text, MemoryScope::kPerNode);
    (void)ParseMemorySize(text, MemoryScope::kPerGpu);
  } else if (kind == "begin") {
    (void)ParseBeginTime(text, kOptions.clock);
  }
  return 0;
}
