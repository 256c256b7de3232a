#pragma once
// Per-token request rate limits (issue #17, part 6): a token bucket for each bearer token, so
// one tenant's script loop cannot take the API from the others. Checked on the HTTP thread
// before a request reaches the controller's owner thread, so a refused request costs that
// thread nothing. Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/result.h"

namespace suanli::server {

struct RateLimit {
  double per_second = 0;  // 0 = no limit
  double burst = 0;       // requests allowed at once; 0 = one second's worth (at least 1)
};

// "100/s", "6000/min", "10/h" or a plain number (per second); "0" or "off" = no limit.
Result<RateLimit> ParseRateLimit(const std::string& text);

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit);
  bool enabled() const { return limit_.per_second > 0; }
  // "100 requests/s (bursts of 100)", for error messages.
  std::string describe() const;
  // Takes one request for `key` at `now_s` (any monotonic clock, in seconds). False when its
  // bucket is empty; `*retry_after_s` is then the whole seconds until one request is allowed.
  bool Take(const std::string& key, double now_s, int64_t* retry_after_s);

 private:
  struct Bucket {
    double tokens = 0;
    double at_s = 0;
  };
  const RateLimit limit_;
  const double burst_;
  std::mutex mu_;
  // Keyed by a hash of the token: the secret itself is not kept. Full buckets are dropped when
  // the table grows, so random tokens cannot grow it without bound.
  std::unordered_map<uint64_t, Bucket> buckets_;
};

}  // namespace suanli::server
