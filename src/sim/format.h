#pragma once
// Number formats the simulator's tables share, so every report prints figures the same way.
#include <string>

namespace suanli::sim {

std::string Num(double v, int decimals);  // fixed decimals: Num(2.345, 1) = "2.3"
std::string Int(double v);                // thousands separators: 68,503
std::string Pct(double fraction);         // 0.123 -> "12.3 %"

}  // namespace suanli::sim
