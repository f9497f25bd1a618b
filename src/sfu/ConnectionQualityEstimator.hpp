#pragma once
// Connection quality of one participant, as LiveKit and Jitsi show it next to
// a name: excellent, good, poor or lost. Judged once per window (the Room
// uses 2 s) from what the SFU sees of both directions: loss of the streams
// it receives from the participant, loss and round-trip time the
// participant's browser reports in its RTCP receiver reports (RFC 3550
// §6.4.1), and silence where media should flow.
//
// A worse verdict shows at once; a better one only after two windows that
// agree, so a single clean second does not make a bad link look fine.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/Clock.hpp"

namespace ct::sfu {

enum class ConnectionQuality : uint8_t { Excellent, Good, Poor, Lost };  // ordered best to worst
std::string_view to_string(ConnectionQuality quality);

class ConnectionQualityEstimator {
 public:
  // Loss fractions at or under these are excellent / good; RTTs under these likewise.
  static constexpr double kExcellentLoss = 0.02, kGoodLoss = 0.08;
  static constexpr Duration kExcellentRtt = milliseconds(250), kGoodRtt = milliseconds(600);
  static constexpr int kWindowsToImprove = 2;

  struct Window {
    double loss = 0;              // the worst loss fraction (0..1) in either direction
    std::optional<Duration> rtt;  // the worst round-trip time reported, if any
    bool silent = false;          // expected media or reports stopped, or a transport closed
  };

  // The verdict of one window alone.
  static ConnectionQuality classify(const Window& window);
  // Folds one window in; returns the quality to show now.
  ConnectionQuality update(const Window& window);
  ConnectionQuality current() const { return current_; }

 private:
  ConnectionQuality current_ = ConnectionQuality::Excellent;
  ConnectionQuality improving_to_ = ConnectionQuality::Excellent;  // the worst of the better windows so far
  int better_windows_ = 0;
};

}  // namespace ct::sfu
