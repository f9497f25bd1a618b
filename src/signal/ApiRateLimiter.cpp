#include "signal/ApiRateLimiter.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ct::signal {

ApiRateLimiter::ApiRateLimiter(double requests_per_second, double burst)
    : rate_(std::max(0.0, requests_per_second)), burst_(std::max(1.0, burst)) {}

unsigned ApiRateLimiter::retry_after(const std::string& address, TimePoint now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(address);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxAddresses) forget_idle(now);
    it = buckets_.emplace(address, Entry{TokenBucket(rate_, burst_), now}).first;
  }
  it->second.last_used = now;
  if (it->second.bucket.try_take(now)) return 0;
  if (rate_ <= 0) return 3600;  // never refills: come back much later
  double missing = 1.0 - it->second.bucket.available(now);
  return unsigned(std::clamp(std::ceil(missing / rate_), 1.0, 3600.0));
}

size_t ApiRateLimiter::addresses() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void ApiRateLimiter::forget_idle(TimePoint now) {
  // A bucket unused for burst/rate seconds is full again.
  Duration refill =
      rate_ > 0
          ? Duration(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(burst_ / rate_)))
          : Duration::max();
  std::erase_if(buckets_, [&](const auto& e) { return now - e.second.last_used >= refill; });
  // Still full of busy addresses: the oldest half goes (they lose some of their debt, not their service).
  if (buckets_.size() >= kMaxAddresses) {
    std::vector<std::pair<TimePoint, std::string>> by_age;
    for (const auto& [address, e] : buckets_) by_age.emplace_back(e.last_used, address);
    std::sort(by_age.begin(), by_age.end());
    for (size_t i = 0; i < by_age.size() / 2; ++i) buckets_.erase(by_age[i].second);
  }
}

}  // namespace ct::signal
