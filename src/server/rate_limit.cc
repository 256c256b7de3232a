#include "server/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace suanli::server {

Result<RateLimit> ParseRateLimit(const std::string& text) {
  auto bad = [&] {
    return InvalidArgument("a rate limit is N/s, N/min or N/h (e.g. 100/s), or off; got '" +
                           text + "'");
  };
  if (text == "off" || text == "0") return RateLimit{};
  size_t slash = text.find('/');
  std::string number = text.substr(0, slash);
  std::string unit = slash == std::string::npos ? "s" : text.substr(slash + 1);
  if (number.empty() || number.find_first_not_of("0123456789.") != std::string::npos) return bad();
  double n = 0;
  try {
    n = std::stod(number);
  } catch (const std::exception&) {
    return bad();
  }
  double per = unit == "s" ? 1 : unit == "min" ? 60 : unit == "h" ? 3600 : 0;
  if (per == 0 || !std::isfinite(n) || n < 0 || n > 1e9) return bad();
  RateLimit limit;
  limit.per_second = n / per;
  return limit;
}

RateLimiter::RateLimiter(RateLimit limit)
    : limit_(limit), burst_(limit.burst > 0 ? limit.burst : std::max(1.0, limit.per_second)) {}

std::string RateLimiter::describe() const {
  auto fmt = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%g", x);
    return std::string(buf);
  };
  return fmt(limit_.per_second) + " requests/s (bursts of " + fmt(burst_) + ")";
}

bool RateLimiter::Take(const std::string& key, double now_s, int64_t* retry_after_s) {
  if (!enabled()) return true;
  const uint64_t h = std::hash<std::string>{}(key);
  std::lock_guard lock(mu_);
  if (buckets_.size() > 100000) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      bool full = it->second.tokens + (now_s - it->second.at_s) * limit_.per_second >= burst_;
      it = full ? buckets_.erase(it) : std::next(it);
    }
  }
  auto [it, fresh] = buckets_.try_emplace(h, Bucket{burst_, now_s});
  Bucket& b = it->second;
  if (!fresh) {
    b.tokens = std::min(burst_, b.tokens + std::max(0.0, now_s - b.at_s) * limit_.per_second);
    b.at_s = std::max(b.at_s, now_s);
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return true;
  }
  *retry_after_s =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - b.tokens) / limit_.per_second)));
  return false;
}

}  // namespace suanli::server
