#pragma once
// The loss-based controller of draft-ietf-rmcat-gcc-02 §6, as an upper bound
// on the delay-based estimate: over 10% loss the bound drops to
// target × (1 - loss/2), under 2% it grows by 8% a second (libwebrtc's pace)
// until it no longer binds, in between it holds.
#include <cstdint>
#include <limits>

#include "core/Clock.hpp"

namespace ct::bwe {

class LossBasedBound {
 public:
  static constexpr double kLowLoss = 0.02;
  static constexpr double kHighLoss = 0.10;
  static constexpr double kGrowthPerSecond = 1.08;
  // Loss is judged over at least this many packets and this much time (as
  // libwebrtc does with transport-cc: once a second).
  static constexpr uint32_t kMinPackets = 20;
  static constexpr Duration kMinInterval = milliseconds(1000);
  // After a decrease, wait this plus one RTT for the sender to act on it.
  static constexpr Duration kDecreaseInterval = milliseconds(300);
  static constexpr double kUnbounded = std::numeric_limits<double>::infinity();

  void on_packets(uint32_t received, uint32_t lost) {
    received_ += received;
    lost_ += lost;
  }
  // Judges the loss gathered so far, if there is enough. `target_bps` is the
  // estimate the sender uses now, `delay_based_bps` the delay-based one.
  void update(TimePoint now, double target_bps, double delay_based_bps, Duration rtt);

  // A probe carried `bps` without trouble: the bound is at least that
  // (libwebrtc resets its loss-based rate to a probe's result likewise).
  void on_probe_result(double bps) {
    if (bound_bps_ < bps) bound_bps_ = bps;
  }
  // Bits per second, or kUnbounded.
  double bound_bps() const { return bound_bps_; }
  // Loss fraction of the last judged interval.
  double loss_fraction() const { return loss_fraction_; }

 private:
  uint32_t received_ = 0;
  uint32_t lost_ = 0;
  double bound_bps_ = kUnbounded;
  double loss_fraction_ = 0;
  bool judged_ = false;
  TimePoint last_judged_{};
  TimePoint last_decrease_{};
  bool decreased_ = false;
};

}  // namespace ct::bwe
