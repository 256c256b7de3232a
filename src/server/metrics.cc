#include "server/metrics.h"

#include <fmt/format.h>

namespace suanli::server {

Histogram::Histogram(std::string name, std::string help, std::vector<double> bounds_s)
    : name_(std::move(name)),
      help_(std::move(help)),
      bounds_(std::move(bounds_s)),
      counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double seconds) {
  size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) ++i;
  std::lock_guard lock(mu_);
  ++counts_[i];
  sum_ += seconds;
  ++count_;
}

void Histogram::Render(std::string* out) const {
  std::lock_guard lock(mu_);
  *out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name_, help_, name_);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += counts_[i];
    *out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name_, bounds_[i], cumulative);
  }
  cumulative += counts_.back();
  *out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n", name_, cumulative,
                      name_, sum_, name_, count_);
}

std::string PromLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace suanli::server
