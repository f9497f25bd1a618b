#pragma once
// Requests per client address for the room service API: one token bucket
// per address (DESIGN.md §1 "protection"). Shared by the HTTP threads, so
// it locks; it is never on the media path.
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "core/Clock.hpp"
#include "core/TokenBucket.hpp"

namespace ct::signal {

class ApiRateLimiter {
 public:
  // Beyond this many addresses, those whose bucket has refilled are forgotten
  // (a full bucket and a new one are the same).
  static constexpr size_t kMaxAddresses = 10'000;

  ApiRateLimiter(double requests_per_second, double burst);

  // Zero when `address` may make a request now (and takes it); otherwise the
  // whole seconds to wait before the next one is allowed (Retry-After).
  unsigned retry_after(const std::string& address, TimePoint now);

  size_t addresses() const;

 private:
  struct Entry {
    TokenBucket bucket;
    TimePoint last_used;
  };
  void forget_idle(TimePoint now);

  double rate_;
  double burst_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> buckets_;
};

}  // namespace ct::signal
