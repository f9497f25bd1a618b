#pragma once
// The bitrate one inbound stream (a simulcast layer, or a whole track)
// arrives at, over the last second, in total and per VP8 temporal layer
// (RFC 7741 §4.2 TID): what a bandwidth allocator weighs a layer by, and
// what it saves by sending only the base temporal layer. Bytes are summed
// in ten 100 ms buckets; a rate covers the ten whole buckets before the
// current one, so it never counts a bucket still filling. Fixed arrays: no
// allocation, updated on every packet.
#include <array>
#include <cstddef>
#include <cstdint>

#include "core/Clock.hpp"

namespace ct::sfu {

class LayerBitrate {
 public:
  static constexpr size_t kTemporalLayers = 4;  // VP8 TID is 0..3
  static constexpr int kWindowBuckets = 10;
  static constexpr Duration kBucketLength = milliseconds(100);  // window: 10 x 100 ms = 1 s

  // One packet of `bytes` (the whole RTP packet) of temporal layer
  // `temporal_id` (0 for codecs and packets that carry none).
  void add(size_t bytes, uint8_t temporal_id, TimePoint now);
  // Bits per second of every temporal layer up to and including
  // `max_temporal_id` over the last second: kTemporalLayers - 1 is the whole
  // stream, 0 its base layer.
  uint64_t bitrate(uint8_t max_temporal_id, TimePoint now) const;
  uint64_t total_bitrate(TimePoint now) const { return bitrate(kTemporalLayers - 1, now); }
  uint64_t base_bitrate(TimePoint now) const { return bitrate(0, now); }
  // Whether any packet carried a temporal layer above 0 in the last second:
  // then sending only the base layer saves something.
  bool has_temporal_layers(TimePoint now) const;

 private:
  struct Bucket {
    int64_t index = -1;  // which 100 ms period of the clock it sums
    std::array<uint64_t, kTemporalLayers> bytes{};
  };
  static int64_t bucket_of(TimePoint now);

  std::array<Bucket, kWindowBuckets + 1> buckets_{};  // the window and the bucket filling now
};

}  // namespace ct::sfu
