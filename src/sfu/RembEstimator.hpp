#pragma once
// A loss-based receive bandwidth estimate for REMB
// (draft-alvestrand-rmcat-remb-03) when transport-cc is not negotiated, in
// the spirit of the loss controller of draft-ietf-rmcat-gcc-02 §6: grow
// slowly while loss is low and the sender actually uses the estimate, hold
// between 2% and 10% loss, and cut by half the loss above 10%.
#include <array>
#include <cstddef>
#include <cstdint>

#include "core/Clock.hpp"

namespace ct::sfu {

class RembEstimator {
 public:
  static constexpr double kGrowthPerSecond = 1.08;
  static constexpr double kLowLoss = 0.02;
  static constexpr double kHighLoss = 0.10;
  // Growth needs the incoming rate to be at least this share of the
  // estimate: an estimate the sender does not use has not been probed.
  static constexpr double kNearEstimate = 0.6;
  static constexpr int kRateBuckets = 10;
  static constexpr Duration kRateBucketLength = milliseconds(100);  // rate window: 1 s
  static constexpr Duration kMaxGrowthWithoutUpdate = milliseconds(200);

  explicit RembEstimator(uint64_t start_bps = 1'000'000, uint64_t min_bps = 100'000, uint64_t max_bps = 4'000'000);

  void on_packet(size_t bytes, TimePoint now);
  // The loss fraction (0..1) of the last report interval, e.g. from
  // ReceiveStreamStats::loss_fraction().
  void on_loss_fraction(double fraction, TimePoint now);

  uint64_t estimate_bps(TimePoint now) const;
  // Incoming bits per second over the last second (less before a second has passed).
  uint64_t incoming_bps(TimePoint now) const;

 private:
  struct Bucket {
    int64_t index = -1;
    uint64_t bytes = 0;
  };

  // Applies the growth accrued since the last update, then decides whether
  // growth continues from `now`.
  void update(TimePoint now);
  double grown(TimePoint now) const;
  static int64_t bucket_of(TimePoint now);

  double estimate_;
  double min_bps_;
  double max_bps_;
  double loss_ = 0;
  bool growing_ = false;
  bool started_ = false;
  TimePoint first_packet_at_{};
  TimePoint updated_at_{};
  std::array<Bucket, kRateBuckets> buckets_{};
};

}  // namespace ct::sfu
