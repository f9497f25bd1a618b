#pragma once
// The delay-based rate controller of draft-ietf-rmcat-gcc-02 §5.5, shaped
// like libwebrtc's: a Hold / Increase / Decrease state machine driven by the
// over-use signal. On over-use the estimate drops to β = 0.85 times the
// acknowledged rate; otherwise it grows 8% a second, or by about one packet
// per response time once it is near the link capacity learnt at past
// over-uses. It never runs far ahead of what is acknowledged.
#include <cstdint>
#include <optional>

#include "bwe/OveruseDetector.hpp"
#include "core/Clock.hpp"

namespace ct::bwe {

class AimdRateController {
 public:
  static constexpr double kBeta = 0.85;
  static constexpr double kGrowthPerSecond = 1.08;
  // The estimate may run ahead of the acked rate by this much at most.
  static constexpr double kAckedHeadroom = 1.5;
  static constexpr double kAckedHeadroomBps = 10'000;
  static constexpr double kMinAdditiveBpsPerSecond = 4'000;
  static constexpr Duration kDefaultRtt = milliseconds(200);

  AimdRateController(double start_bps, double min_bps, double max_bps);

  // One update after a feedback: the detector's state and the acked rate.
  // Returns the new estimate.
  double update(BandwidthUsage usage, std::optional<double> acked_bps, TimePoint now);
  // A probe measured `bps` of room: jump there if that is higher.
  void on_probe_result(double bps, TimePoint now);
  void set_rtt(Duration rtt) { rtt_ = rtt; }
  void set_bounds(double min_bps, double max_bps);

  double estimate_bps() const { return estimate_bps_; }
  // True while a link capacity learnt at over-use holds: growth is additive.
  bool near_max() const;
  std::optional<double> link_capacity_bps() const;
  TimePoint last_decrease() const { return last_decrease_; }
  bool has_decreased() const { return has_decreased_; }

 private:
  enum class State : uint8_t { kHold, kIncrease, kDecrease };

  // Link capacity as an exponential average of the acked rate at over-use,
  // with its normalised variance (libwebrtc's LinkCapacityEstimator).
  struct LinkCapacity {
    bool known = false;
    double estimate_kbps = 0;
    double deviation = 0.4;
    void update(double sample_kbps, double alpha);
    double deviation_kbps() const;
    double upper_kbps() const { return estimate_kbps + 3 * deviation_kbps(); }
    double lower_kbps() const { return estimate_kbps - 3 * deviation_kbps(); }
  };

  void change_state(BandwidthUsage usage);
  bool time_to_reduce_further(std::optional<double> acked_bps, TimePoint now) const;
  double additive_increase_bps(double elapsed_s) const;
  double clamp(double bps) const;

  double estimate_bps_;
  double min_bps_;
  double max_bps_;
  State state_ = State::kIncrease;
  LinkCapacity capacity_;
  Duration rtt_ = kDefaultRtt;
  bool updated_ = false;
  TimePoint last_update_{};
  bool has_decreased_ = false;
  TimePoint last_decrease_{};
};

}  // namespace ct::bwe
