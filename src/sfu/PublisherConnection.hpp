#pragma once
// A participant's publisher connection: the PeerConnection on which its
// browser offers and sends. Negotiates the browser's offers (the transport
// is made with the first), turns sending m-sections into Publications,
// learns SSRCs the offer did not list, hands each RTP packet to its
// publication, and writes the server's feedback as a receiver (RR,
// transport-cc or REMB; NACK and PLI go out through the publications).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sfu/ConnectionQualityWindow.hpp"
#include "sfu/ParticipantContext.hpp"
#include "sfu/Publication.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::sfu {

struct MediaCounters;
class TransportCcFeedbackGenerator;
class RembEstimator;

class PublisherConnection {
 public:
  static constexpr size_t kMaxPublications = 16;  // audio and video tracks one participant may publish

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
                      std::string identity, uint64_t speaker_key);
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

  void on_rtp(std::span<uint8_t> packet, TimePoint now);
  void on_rtcp(std::span<const uint8_t> compound, TimePoint now);
  // The round trip to the browser measured on another path to it (the
  // subscriber connection): paces NACKs (not again before a retransmission
  // could have arrived).
  void set_path_rtt(Duration rtt);
  // The transport's timers (DTLS retransmission, consent freshness).
  void tick_transport(TimePoint now);
  // Media timers while connected: deferred keyframe requests, NACKs, RR,
  // transport-cc or REMB.
  void on_tick(TimePoint now);

  ConnectionQualityWindow::Upstream quality_sample() const;
  // Adds what the transport and the publications counted so far.
  void add_counters(MediaCounters& counters) const;

 private:
  Publication* publication_for(uint32_t ssrc, bool& is_rtx);
  Publication* learn_ssrc(uint32_t ssrc, uint8_t payload_type, std::string_view mid);
  void send_receiver_reports(TimePoint now);

  const ParticipantContext& context_;
  webrtc::PeerTransport::Listener& transport_listener_;
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
};

}  // namespace ct::sfu
