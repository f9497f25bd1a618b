#pragma once
// Forward latencies (a publisher's send time, carried in the payload, to a
// subscriber's read) in fixed 10 µs buckets up to 100 ms: recording is one
// increment and never allocates; quantiles read the buckets.
#include <cstdint>
#include <vector>

#include "core/Clock.hpp"

namespace ct::loadtest {

class LatencyHistogram {
 public:
  static constexpr Duration kBucket = microseconds(10);
  static constexpr size_t kBuckets = 10000;  // 100 ms; later samples land in the last bucket

  LatencyHistogram();

  // A negative latency (clocks cannot disagree here: one process, one
  // steady clock) means a garbled payload and is not counted.
  void record(Duration latency);
  void merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  // The upper edge of the bucket holding the q-quantile (0 < q <= 1); zero
  // without samples.
  Duration quantile(double q) const;

 private:
  std::vector<uint32_t> buckets_;
  uint64_t count_ = 0;
};

}  // namespace ct::loadtest
