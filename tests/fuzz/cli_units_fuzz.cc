// The CLI's unit parsers (src/cli/units.h): sizes, durations, timestamps, resource maps, K=V and
// plain numbers, as users type them into flags. Input: "KIND\nTEXT" with KIND one of size,
// duration, duration-ms, timestamp, resources, kv, number. What a parser accepts must respect
// the ranges its header promises.
#include <cmath>
#include <string>

#include "cli/units.h"
#include "tests/fuzz/fuzz_support.h"

namespace {
constexpr int64_t kMaxSizeMb = int64_t{1} << 40;               // units.cc's bound
constexpr int64_t kMaxDurationS = int64_t{366} * 86400 * 100;  // units.cc's bound
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace suanli::cli;
  auto [kind, text] = suanli::fuzz::Select(suanli::fuzz::AsText(data, size));
  if (kind == "size") {
    auto r = ParseSizeMb(text);
    if (r.ok()) FUZZ_CHECK(*r >= 0 && *r <= kMaxSizeMb);
  } else if (kind == "duration") {
    auto r = ParseDurationSeconds(text);
    if (r.ok()) FUZZ_CHECK(*r > 0 && *r <= kMaxDurationS);
  } else if (kind == "duration-ms") {
    auto r = ParseDurationMs(text);
    if (r.ok()) FUZZ_CHECK(*r > 0 && *r <= kMaxDurationS * 1000);
  } else if (kind == "timestamp") {
    auto r = ParseTimestamp(text);
    if (r.ok()) FUZZ_CHECK(std::isfinite(*r));
  } else if (kind == "resources") {
    auto r = ParseResourceMap(text);
    if (r.ok()) {
      for (const auto& [k, v] : *r) FUZZ_CHECK(!k.empty() && std::isfinite(v) && v >= 0);
    }
  } else if (kind == "kv") {
    auto r = ParseKeyValue(text);
    if (r.ok()) FUZZ_CHECK(!r->first.empty());
  } else if (kind == "number") {
    auto r = ParseNonNegative(text, "--number");
    if (r.ok()) FUZZ_CHECK(std::isfinite(*r) && *r >= 0);
  }
  return 0;
}
