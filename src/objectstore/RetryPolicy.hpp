#pragma once
// When and how long to wait before trying an S3 request again: transport
// failures (no connection, timeouts, a cut answer), 5xx answers, 429 and the
// S3 error codes that mean "try later" are retried; other 4xx answers are
// final (a wrong key or bucket does not heal by waiting). The delay grows
// exponentially and is jittered ("equal jitter": half fixed, half random)
// so that many clients that failed together do not retry together.
#include <chrono>
#include <cstdint>
#include <string_view>

namespace ct::objectstore {

class RetryPolicy {
 public:
  struct Settings {
    unsigned max_attempts = 4;                  // the first try included
    std::chrono::milliseconds base_delay{200};  // before the second attempt, before jitter
    std::chrono::milliseconds max_delay{5000};  // the exponential growth stops here
  };

  RetryPolicy() = default;
  explicit RetryPolicy(Settings settings) : settings_(settings) {}

  // `http_status` 0 means the request got no answer (a transport error).
  // `s3_code` is the <Error><Code> of the answer, if any.
  static bool retryable(long http_status, std::string_view s3_code);
  // Whether attempt number `attempt` (1-based) may be followed by another.
  bool may_retry(unsigned attempt) const { return attempt < settings_.max_attempts; }
  // The wait after attempt `attempt` failed: d = min(max, base * 2^(attempt-1)),
  // then d/2 + random(0 .. d/2); `random01` is uniform in [0, 1).
  std::chrono::milliseconds delay(unsigned attempt, double random01) const;
  // The same with a random draw.
  std::chrono::milliseconds delay(unsigned attempt) const;

  const Settings& settings() const { return settings_; }

 private:
  Settings settings_;
};

}  // namespace ct::objectstore
