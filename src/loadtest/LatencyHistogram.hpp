#pragma once
// Forward latencies (a publisher's send time, carried in the payload, to a
// subscriber's read) in fixed buckets: 10 µs wide up to 10 ms (a forwarding
// server's range), then 1 ms wide up to 2 s (shaped links, stalls).
// Recording is one increment and never allocates; quantiles read the buckets.
#include <cstdint>
#include <vector>

#include "core/Clock.hpp"

namespace ct::loadtest {

class LatencyHistogram {
 public:
  static constexpr Duration kFineBucket = microseconds(10);
  static constexpr Duration kFineRange = milliseconds(10);
  static constexpr Duration kCoarseBucket = milliseconds(1);
  static constexpr Duration kRange = seconds(2);  // later samples land in the last bucket

  LatencyHistogram();

  // A negative latency (clocks cannot disagree here: one process, one
  // steady clock) means a garbled payload and is not counted.
  void record(Duration latency);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // The upper edge of the bucket holding the q-quantile (0 < q <= 1); zero
  // without samples.
  Duration quantile(double q) const;
  // Exact, not bucketed; zero without samples.
  Duration mean() const;
  Duration max() const { return max_; }

 private:
  static size_t bucket_of(Duration latency);
  static Duration upper_edge(size_t bucket);

  std::vector<uint32_t> buckets_;
  uint64_t count_ = 0;
  Duration sum_{}, max_{};
};

}  // namespace ct::loadtest
