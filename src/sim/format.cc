#include "sim/format.h"

#include <cstdio>

namespace suanli::sim {

std::string Num(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string Int(double v) {
  std::string s = Num(v, 0);
  std::string out;
  size_t start = s[0] == '-' ? 1 : 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > start && (s.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(s[i]);
  }
  return out;
}

std::string Pct(double fraction) { return Num(100.0 * fraction, 1) + " %"; }

}  // namespace suanli::sim
