#pragma once
// What one load test does (as LiveKit's `lk load-test`): synthetic
// publishers and subscribers with real ICE/DTLS/SRTP in one room of a
// running server. The publishers send paced VP8-shaped RTP; the subscribers
// count what the SFU forwards.
#include <cstddef>
#include <cstdint>
#include <string>

#include "loadtest/SignalChannel.hpp"

namespace ct::loadtest {

struct Scenario {
  std::string url = "ws://127.0.0.1:7880";  // the server's signaling URL
  std::string room = "loadtest";
  unsigned publishers = 1;
  unsigned subscribers = 10;
  // Rooms, each with its own publishers and subscribers (the counts above);
  // with more than one, room i is named "<room>-<i>".
  unsigned rooms = 1;
  double duration_s = 10;   // of media
  double video_pps = 1000;  // per publisher
  size_t payload_bytes = 1100;
  bool audio = false;
  int server_pid = 0;  // > 0: measure this process's CPU time over the media window
  uint32_t unprotect_interval = 64;
  double setup_timeout_s = 30;
  bool wake_on_receive = false;  // subscribers woken per datagram instead of polling each tick
  ServerTarget target = ServerTarget::CipherTalk;  // Janus: its VideoRoom plugin over its WebSocket API
  std::string bind_address;                        // local address of every socket; empty: media on 127.0.0.1
  // Publishers send three simulcast layers (video_pps is the top layer's
  // rate); subscribers change the tile size they ask for every interval and
  // check every video packet.
  bool simulcast = false;
  double layer_switch_interval_s = 2;
  // A join storm: every participant's join spread evenly over this many
  // seconds (publishers of every room first, then the subscribers), then
  // `duration_s` of media. Reported: each join's time to first media.
  double join_within_s = 0;
  // A soak: for `duration_s`, every interval one participant in turn leaves
  // and a new one joins in its place (publishers and subscribers alike).
  double churn_interval_s = 0;
  // Either of the two runs a ChurnRun instead of a ScenarioRun.
  bool continuous() const { return join_within_s > 0 || churn_interval_s > 0; }
};

}  // namespace ct::loadtest
