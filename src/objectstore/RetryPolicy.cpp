#include "objectstore/RetryPolicy.hpp"

#include <algorithm>

#include "core/Random.hpp"

namespace ct::objectstore {

bool RetryPolicy::retryable(long http_status, std::string_view s3_code) {
  if (http_status == 0) return true;  // connection refused, reset, timeout, a cut answer
  if (http_status >= 500 || http_status == 429 || http_status == 408) return true;
  // S3 sends these with 400 or 503; the request itself was fine.
  return s3_code == "RequestTimeout" || s3_code == "SlowDown" || s3_code == "InternalError" ||
         s3_code == "ServiceUnavailable";
}

std::chrono::milliseconds RetryPolicy::delay(unsigned attempt, double random01) const {
  const auto base = std::max<int64_t>(settings_.base_delay.count(), 0);
  const auto cap = std::max<int64_t>(settings_.max_delay.count(), base);
  int64_t d = base;
  for (unsigned i = 1; i < attempt && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  random01 = std::clamp(random01, 0.0, 1.0);
  return std::chrono::milliseconds(d / 2 + int64_t(double(d - d / 2) * random01));
}

std::chrono::milliseconds RetryPolicy::delay(unsigned attempt) const {
  return delay(attempt, double(random_u32()) / 4294967296.0);
}

}  // namespace ct::objectstore
