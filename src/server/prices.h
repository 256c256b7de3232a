#pragma once
// Loads the accounting price table from JSON:
// {"cpu_hour": 0.02, "mem_gib_hour": 0.005, "default_accel_hour": 2.0,
//  "accel_hour": {"nvidia-a100": 2.5}}. Absent keys keep the defaults of core::PriceTable.
#include <string>

#include "base/result.h"
#include "core/accounting.h"

namespace suanli::server {

Result<core::PriceTable> ParsePriceTable(const std::string& text);
// `path` empty: DATA_DIR/prices.json when it exists, else the defaults.
Result<core::PriceTable> LoadPriceTable(const std::string& path, const std::string& data_dir);

}  // namespace suanli::server
