#pragma once
// The echo test (as Janus ships it): every RTP packet a client sends comes
// back to it on the same connection, re-encrypted. The server declares SSRCs
// of its own in the answer and sends under them, because a browser that sees
// its own SSRCs come back takes it for an SSRC collision. RTCP is reflected
// with the same SSRC translation in both directions, so the client's receiver
// feedback (NACK, PLI, FIR, REMB, transport-cc, RR) reaches its own sender:
// keyframe requests and retransmissions work end to end.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/Clock.hpp"
#include "webrtc/PeerTransport.hpp"

namespace ct::dtls {
class DtlsCertificate;
}
namespace ct::webrtc {
class MediaPort;
}

namespace ct::sfu {

class EchoSession final : public webrtc::PeerTransport::Listener {
 public:
  struct Options {
    webrtc::PeerTransport::Options transport;
  };
  struct Created {
    std::unique_ptr<EchoSession> session;  // null on error
    std::string answer_sdp;
    std::string error;  // why the offer was refused
    size_t media_count = 0;
  };
  struct Stats {
    uint64_t echoed_rtp = 0;
    uint64_t echoed_rtcp = 0;
    uint64_t unknown_ssrc = 0;  // packets of a source the offer did not announce and MID did not name
  };

  // Only create() makes sessions (the key is private); public for make_unique.
  class Key {
    friend class EchoSession;
    Key() = default;
  };
  EchoSession(Key, webrtc::MediaPort& port, const dtls::DtlsCertificate& certificate, const Options& options,
              TimePoint now);

  static Created create(const std::string& offer_sdp, webrtc::MediaPort& port,
                        const dtls::DtlsCertificate& certificate, const Options& options, TimePoint now);
  ~EchoSession() override;

  void on_tick(TimePoint now);
  void close(std::string_view reason);
  bool closed() const { return closed_; }
  const std::string& close_reason() const { return close_reason_; }
  const Stats& stats() const { return stats_; }
  const webrtc::PeerTransport& transport() const { return *transport_; }

 private:
  struct Section {
    std::string mid;
    uint32_t local_ssrc = 0;
    uint32_t local_rtx_ssrc = 0;
    std::vector<uint8_t> rtx_payload_types;
  };

  void on_rtp(webrtc::PeerTransport&, std::span<uint8_t> packet, size_t capacity, TimePoint arrival) override;
  void on_rtcp(webrtc::PeerTransport&, std::span<uint8_t> compound, size_t capacity) override;
  void on_transport_closed(webrtc::PeerTransport&, std::string_view reason) override;

  // Client SSRC -> our SSRC for packets; the reverse direction for RTCP fields
  // that name our streams. A handful of entries: a flat vector beats a map.
  uint32_t to_local(uint32_t remote) const;
  uint32_t translate(uint32_t ssrc) const;
  bool learn_from_mid(uint32_t remote_ssrc, uint8_t payload_type, std::string_view mid);

  webrtc::MediaPort& port_;
  std::unique_ptr<webrtc::PeerTransport> transport_;
  std::vector<Section> sections_;
  std::vector<std::pair<uint32_t, uint32_t>> ssrc_pairs_;  // (remote, local)
  uint8_t mid_extension_id_ = 0;
  bool closed_ = false;
  std::string close_reason_;
  Stats stats_;
};

}  // namespace ct::sfu
