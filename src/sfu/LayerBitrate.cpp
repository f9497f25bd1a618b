#include "sfu/LayerBitrate.hpp"

#include <algorithm>

namespace ct::sfu {

int64_t LayerBitrate::bucket_of(TimePoint now) {
  return std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count() /
         std::chrono::duration_cast<milliseconds>(kBucketLength).count();
}

void LayerBitrate::add(size_t bytes, uint8_t temporal_id, TimePoint now) {
  const int64_t index = bucket_of(now);
  const auto slots = int64_t(buckets_.size());
  Bucket& bucket = buckets_[size_t(((index % slots) + slots) % slots)];
  if (bucket.index != index) {
    bucket.index = index;
    bucket.bytes.fill(0);
  }
  bucket.bytes[std::min<size_t>(temporal_id, kTemporalLayers - 1)] += bytes;
}

uint64_t LayerBitrate::bitrate(uint8_t max_temporal_id, TimePoint now) const {
  const int64_t current = bucket_of(now);
  const size_t top = std::min<size_t>(max_temporal_id, kTemporalLayers - 1);
  uint64_t bytes = 0;
  for (const Bucket& b : buckets_) {
    // The whole buckets of the last second; a bucket older than that is stale.
    if (b.index >= current || b.index < current - kWindowBuckets) continue;
    for (size_t t = 0; t <= top; ++t) bytes += b.bytes[t];
  }
  const auto window_ms = std::chrono::duration_cast<milliseconds>(kBucketLength).count() * kWindowBuckets;
  return bytes * 8 * 1000 / uint64_t(window_ms);
}

bool LayerBitrate::has_temporal_layers(TimePoint now) const {
  const int64_t current = bucket_of(now);
  for (const Bucket& b : buckets_) {
    if (b.index > current || b.index < current - kWindowBuckets) continue;
    for (size_t t = 1; t < kTemporalLayers; ++t)
      if (b.bytes[t] != 0) return true;
  }
  return false;
}

}  // namespace ct::sfu
