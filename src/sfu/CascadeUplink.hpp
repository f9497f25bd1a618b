#pragma once
// On the node a track is published on: the tracks one other node of the room
// receives over its cascade link, each packet sent once however many of that
// node's participants watch (CascadeFanout decides which). That node's
// keyframe requests go to the publisher through the publication's throttle;
// its NACKs are answered from the publication's retransmission buffer.
// Lives on the room's worker thread; nothing is allocated per packet.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/PublicationRelay.hpp"

namespace ct::sfu {

class CascadeLinkSender;

class CascadeUplink {
 public:
  struct Counters {
    uint64_t packets_sent = 0;
    uint64_t retransmissions = 0;      // NACKed packets sent again
    uint64_t keyframe_requests = 0;    // received from the other node
    uint64_t unanswered_feedback = 0;  // for an SSRC not sent, or a packet no longer kept
    uint64_t dropped_by_fault_injection = 0;
    uint64_t unwanted_layer = 0;  // packets of a layer the other node did not want
  };

  // `drop_fraction`: TEST ONLY, that share of packets (not of those sent
  // again on request) is dropped instead of sent, as a lossy link would.
  explicit CascadeUplink(CascadeLinkSender& link, double drop_fraction = 0);
  ~CascadeUplink();
  CascadeUplink(const CascadeUplink&) = delete;
  CascadeUplink& operator=(const CascadeUplink&) = delete;

  // Starts sending `publication` on the link; false when it already goes.
  bool start(Publication& publication);
  // Stops sending it; false when it did not go.
  bool stop(Publication& publication);
  bool sending(const Publication& publication) const;
  // The layers of `publication` the other node's subscribers want (bit i:
  // layer i; 0: every layer); the others are not sent. False when it does not go.
  bool set_wanted_layers(const Publication& publication, uint32_t layers);
  // How many tracks go on the link now (the metrics: streams per peer node).
  size_t streams() const { return relays_.size(); }

  // Feedback read off the link's RTCP (cascade::read_cascade_feedback).
  void on_keyframe_request(uint32_t media_ssrc, TimePoint now);
  void on_nack(uint32_t media_ssrc, uint16_t sequence_number, TimePoint now);

  const Counters& counters() const { return counters_; }

 private:
  class Relay;
  void send(const rtp::RtpPacket& packet);
  void forget(const Relay* relay);
  // The publication and layer sent under `ssrc`, if any.
  Publication* find(uint32_t ssrc, size_t& layer) const;
  bool drop_for_fault_injection();

  CascadeLinkSender& link_;
  std::vector<std::unique_ptr<Relay>> relays_;
  Counters counters_;
  uint32_t drop_threshold_ = 0;  // of 2^32; 0: nothing dropped
  uint64_t drop_state_ = 0x9E3779B97F4A7C15ULL;
};

}  // namespace ct::sfu
