#pragma once
// A participant's publisher connection: the PeerConnection on which its
// browser offers and sends. Negotiates the browser's offers (the transport
// is made with the first), turns sending m-sections into Publications,
// learns SSRCs the offer did not list, hands each RTP packet to its
// publication, and writes the server's feedback as a receiver (RR,
// transport-cc or REMB; NACK and PLI go out through the publications).
// The server sends no SRs here, so it measures the round trip as a
// receiver does (RFC 3611 §4.4, §4.5): an XR RRTR goes out with every RR,
// and the browser's DLRR answer gives RTT = arrival - LRR - DLRR.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/ConnectionQualityWindow.hpp"
#include "sfu/ParticipantContext.hpp"
#include "sfu/Publication.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::rtp {
class RtpPacket;
}

namespace ct::sfu {

struct MediaCounters;
class TransportCcFeedbackGenerator;
class RembEstimator;

class PublisherConnection {
 public:
  static constexpr size_t kMaxPublications = 16;  // audio and video tracks one participant may publish
  // A round trip measured here paces NACKs rather than one from the
  // subscriber connection, for as long as measurements keep coming.
  static constexpr Duration kOwnRoundTripValidity = seconds(5);

  class Listener {
   public:
    virtual ~Listener() = default;
    // A round trip to the browser measured on this connection (RTCP XR DLRR).
    virtual void on_publisher_round_trip(Duration rtt) = 0;
  };

  struct Stats {
    uint64_t round_trips = 0;    // RTTs measured from DLRR answers
    uint64_t round_trip_us = 0;  // their sum, in microseconds
  };

  struct OfferResult {
    std::string answer_sdp;
    std::vector<Publication*> added;
    std::vector<std::unique_ptr<Publication>>
        removed;  // still subscribed: the Room unsubscribes, then drops them
    std::string error_code, error_message;
  };

  // `identity` names the publisher in its tracks; `speaker_key` identifies it
  // to the active speaker detector. The transport, once made, reports to
  // `transport_listener`.
  PublisherConnection(const ParticipantContext& context, webrtc::PeerTransport::Listener& transport_listener,
                      Listener& listener, std::string identity, uint64_t speaker_key);
  ~PublisherConnection();
  PublisherConnection(const PublisherConnection&) = delete;
  PublisherConnection& operator=(const PublisherConnection&) = delete;

  // Negotiates the browser's offer: new sending m-sections become
  // publications, ones that stopped sending are handed back for removal.
  // Errors: "bad_sdp", "too_many_tracks".
  OfferResult negotiate(const std::string& sdp, const std::vector<TrackMeta>& tracks, TimePoint now);
  webrtc::PeerTransport* transport() { return transport_.get(); }
  const webrtc::PeerTransport* transport() const { return transport_.get(); }

  Publication* find_publication(std::string_view sid);
  const std::vector<std::unique_ptr<Publication>>& publications() const { return publications_; }
  std::vector<std::unique_ptr<Publication>> take_publications();
  // A publication made elsewhere (a track another node of the room
  // forwards): owned and listed here as any other, fed by its maker.
  Publication& adopt(std::unique_ptr<Publication> publication);
  // The publication of `sid`, no longer owned here; null if there is none.
  std::unique_ptr<Publication> release(std::string_view sid);

  void on_rtp(std::span<uint8_t> packet, TimePoint now) { on_rtp(packet, now, now); }
  // `arrival` (<= now): when the packet reached the host. Feedback (transport-cc,
  // REMB) and jitter measure arrivals; everything else runs at `now`.
  void on_rtp(std::span<uint8_t> packet, TimePoint now, TimePoint arrival);
  void on_rtcp(std::span<const uint8_t> compound, TimePoint now);
  // The round trip to the browser measured on another path to it (the
  // subscriber connection): paces NACKs (not again before a retransmission
  // could have arrived) unless this connection measures its own.
  void set_path_rtt(Duration rtt, TimePoint now);
  // The last round trip measured on this connection, if any.
  std::optional<Duration> round_trip() const { return own_rtt_; }
  // The sender SSRC of the server's RTCP here, which the browser's DLRR names.
  uint32_t feedback_ssrc() const { return feedback_ssrc_; }
  const Stats& stats() const { return stats_; }
  // The transport's timers (DTLS retransmission, consent freshness).
  void tick_transport(TimePoint now);
  // Media timers while connected: deferred keyframe requests, NACKs, RR,
  // transport-cc or REMB.
  void on_tick(TimePoint now);

  ConnectionQualityWindow::Upstream quality_sample() const;
  // Adds what the transport and the publications counted so far.
  void add_counters(MediaCounters& counters) const;

 private:
  Publication* publication_for(uint32_t ssrc, bool& is_rtx, size_t& layer);
  Publication* learn_ssrc(const rtp::RtpPacket& packet, std::string_view mid);
  void send_receiver_reports(TimePoint now);
  void on_round_trip(Duration rtt, TimePoint now);
  void add_own_counters(MediaCounters& counters) const;
  bool drop_for_fault_injection();

  const ParticipantContext& context_;
  webrtc::PeerTransport::Listener& transport_listener_;
  Listener& listener_;
  std::string identity_;
  uint64_t speaker_key_;
  std::unique_ptr<webrtc::PeerTransport> transport_;
  bool remote_set_ = false;
  std::string remote_ufrag_, remote_pwd_, remote_fingerprint_;
  std::vector<std::unique_ptr<Publication>> publications_;
  uint32_t feedback_ssrc_;  // sender SSRC of our RTCP to the publisher
  uint8_t mid_extension_id_ = 0;
  uint8_t transport_cc_extension_id_ = 0;
  std::unique_ptr<TransportCcFeedbackGenerator> transport_cc_;
  std::unique_ptr<RembEstimator> remb_;
  TimePoint next_transport_cc_{}, next_receiver_report_{};
  std::optional<Duration> own_rtt_;
  TimePoint own_rtt_at_{};
  Stats stats_;
  uint32_t drop_threshold_ = 0;  // TEST ONLY (ParticipantContext::drop_received_fraction)
  uint64_t drop_state_;
};

}  // namespace ct::sfu
