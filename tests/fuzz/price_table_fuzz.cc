// The accounting price table (server::ParsePriceTable, read from DATA_DIR/prices.json at start-up).
// A table it accepts must price every accelerator type with a finite non-negative number, since
// every job's cost is computed from it.
#include <cmath>
#include <string>

#include "server/prices.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto t = suanli::server::ParsePriceTable(std::string(suanli::fuzz::AsText(data, size)));
  if (!t.ok()) return 0;
  FUZZ_CHECK(t->Validate().ok());
  for (double p : {t->cpu_hour, t->mem_gib_hour, t->default_accel_hour}) {
    FUZZ_CHECK(std::isfinite(p) && p >= 0);
  }
  for (const auto& [type, price] : t->accel_hour) {
    FUZZ_CHECK(std::isfinite(price) && price >= 0);
    FUZZ_CHECK(t->AccelHourPrice(type) == price);
  }
  double unknown = t->AccelHourPrice("no-such-type-in-any-table");
  FUZZ_CHECK(std::isfinite(unknown) && unknown >= 0);
  return 0;
}
