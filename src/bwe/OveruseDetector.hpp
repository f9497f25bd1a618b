#pragma once
// Over-use detection with an adaptive threshold (draft-ietf-rmcat-gcc-02
// §5.4): the modified trend m(i) is compared with a threshold γ(i) that
// follows |m(i)| slowly from below and quickly from above, so a
// concurrent TCP flow does not starve us and noise does not trip us.
#include <cstdint>

namespace ct::bwe {

enum class BandwidthUsage : uint8_t { kNormal, kUnderusing, kOverusing };

class OveruseDetector {
 public:
  static constexpr double kInitialThresholdMs = 12.5;
  static constexpr double kMinThresholdMs = 6;
  static constexpr double kMaxThresholdMs = 600;
  static constexpr double kUp = 0.0087;            // K_u, per ms
  static constexpr double kDown = 0.039;           // K_d, per ms
  static constexpr double kMaxAdaptOffsetMs = 15;  // larger excursions do not move γ
  static constexpr double kOverusingTimeMs = 10;   // overuse must last this long

  // One trend update: `trend` is the raw slope (to tell a growing trend),
  // `modified_trend` the value compared with γ, `send_delta_ms` the groups'
  // send spacing (how long the trend has held).
  BandwidthUsage detect(double trend, double modified_trend, double send_delta_ms, int64_t now_ms);

  BandwidthUsage usage() const { return usage_; }
  double threshold_ms() const { return threshold_ms_; }

 private:
  void update_threshold(double modified_trend, int64_t now_ms);

  BandwidthUsage usage_ = BandwidthUsage::kNormal;
  double threshold_ms_ = kInitialThresholdMs;
  double time_over_using_ms_ = -1;
  int overuse_count_ = 0;
  double previous_trend_ = 0;
  bool have_update_ = false;
  int64_t last_update_ms_ = 0;
};

}  // namespace ct::bwe
