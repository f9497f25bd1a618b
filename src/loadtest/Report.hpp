#pragma once
// What a load test measured, and its text and JSON forms.
#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace ct::loadtest {

struct Report {
  bool ok = false;
  std::string error;
  unsigned publishers = 0, subscribers = 0;   // per room
  double duration_s = 0;                      // the media window, drain included
  double setup_ms_avg = 0, setup_ms_max = 0;  // join -> transport connected, every participant
  uint64_t packets_sent = 0;  // by all publishers of all rooms; a subscriber expects its own room's
  uint64_t received_min = 0, received_max = 0, received_total = 0;
  double received_avg = 0;
  double loss_percent = 0;  // 1 - received_total / what the subscribers' rooms' publishers sent them
  uint64_t unprotected = 0, unprotect_failures = 0;  // the sampled packets that were authenticated
  uint64_t keyframe_requests = 0;
  uint64_t publisher_send_errors = 0, subscriber_send_errors = 0;  // UDP sends the kernel refused
  std::string srtp_profile;
  double client_cpu_s = 0;
  std::optional<double> server_cpu_s;  // with Scenario::server_pid
  std::string target = "ciphertalk";   // the server kind the participants signaled to
  unsigned rooms = 1;                  // publishers and subscribers are per room
  // Forward latency (publisher's send time in the payload's PayloadStamp ->
  // subscriber's read) of the packets the subscribers unprotected.
  uint64_t latency_samples = 0;
  double latency_p50_ms = 0, latency_p99_ms = 0, latency_avg_ms = 0, latency_max_ms = 0;
  // With --simulcast: what the publishers sent per layer (lowest first) and
  // what the subscribers' checks saw in the media window. `loss_percent` is
  // then the share of video sequence numbers skipped.
  std::array<uint64_t, 3> layer_packets_sent{};
  uint64_t layer_pauses = 0;  // layers the publishers paused because dynacast said so
  struct Simulcast {
    bool enabled = false;
    uint64_t switch_requests = 0;  // update_track_settings sent
    uint64_t switches = 0;         // layer changes the subscribers saw, all of them
    uint64_t switches_min = 0;     // the fewest one subscriber saw
    uint64_t discontinuities = 0;  // seams that break the stream (must be 0)
    uint64_t video_received = 0, lost = 0, late = 0;
    std::array<uint64_t, 3> layer_packets_received{};
  } simulcast;

  // Server CPU per packet the subscribers received, and its inverse.
  std::optional<double> server_us_per_packet() const;
  std::optional<double> server_packets_per_cpu_second() const;

  std::string to_text() const;
  std::string to_json() const;  // one object, one line
};

}  // namespace ct::loadtest
