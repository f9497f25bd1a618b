#pragma once
// The bookkeeping of one participant's quality windows: what its two
// connections reported since the last window closed (the worst downstream
// loss and round trip), what was counted upstream at the last close, and
// which verdict was last announced. ConnectionQualityEstimator judges.
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "core/Clock.hpp"
#include "sfu/ConnectionQualityEstimator.hpp"

namespace ct::sfu {

class ConnectionQualityWindow {
 public:
  // A browser sends receiver reports every second or so for video and at
  // least every 5 s for audio; none for this long means the downlink is gone.
  static constexpr Duration kReportSilence = seconds(6);

  // The publisher connection at the close of a window.
  struct Upstream {
    bool expecting = false;   // an unmuted publication should be sending
    uint64_t packets_in = 0;  // received on the unmuted publications, ever
    double loss = 0;          // the worst of their loss fractions
    bool connected = false;
    bool closed = false;
  };
  // The subscriber connection at the close of a window.
  struct Downstream {
    bool receiving = false;  // an answered subscription should draw reports
    bool connected = false;
    bool closed = false;
    TimePoint last_report{};  // the last RTCP from the browser (or the connect)
  };
  struct Update {
    ConnectionQuality quality;
    bool changed;        // differs from what the last close returned
    bool judged = true;  // false while the media goes direct: the server cannot tell
    // What participants are told: the quality, or "unknown" when not judged.
    std::string_view label() const { return judged ? to_string(quality) : "unknown"; }
  };

  // A report block's loss fraction (0..1) for a stream sent to the browser.
  void on_loss(double fraction);
  // A round trip measured on either connection.
  void on_round_trip(Duration rtt);
  // Closes the window: the quality to show, and whether it changed.
  Update close(TimePoint now, const Upstream& upstream, const std::optional<Downstream>& downstream);
  // Closes a window in which the participant's media went directly to its
  // peers (P2P): the server sees none of it, so it judges nothing. The
  // estimator starts afresh and the next window back on the SFU is not judged
  // either: its tracks return to the SFU only once the participant hears the
  // switch, and a window that caught that moment would call it silent.
  Update close_unjudged(const Upstream& upstream);
  // The quality the last close judged (excellent before the first).
  ConnectionQuality current() const { return estimator_.current(); }
  // True exactly once: this participant has not yet been sent everyone's quality.
  bool take_snapshot_due() { return !std::exchange(snapshot_sent_, true); }

 private:
  ConnectionQualityEstimator estimator_;
  std::optional<std::string_view> reported_;  // the label the last close returned
  bool settling_ = false;                     // the next close is not judged either
  bool snapshot_sent_ = false;
  double loss_ = 0;
  std::optional<Duration> rtt_;
  uint64_t last_upstream_packets_ = 0;
};

}  // namespace ct::sfu
