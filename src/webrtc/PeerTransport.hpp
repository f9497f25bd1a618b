#pragma once
// One WebRTC transport (what a browser's RTCPeerConnection talks to): ICE-lite
// finds the path, DTLS authenticates the peer against its SDP fingerprint and
// exports SRTP keys, SRTP protects media. Layered as libdatachannel does:
// ICE -> DTLS -> SRTP (media) and SCTP (data channels, RFC 8831), all over one
// UDP 5-tuple on the worker's shared port.
//
// Driven by its worker: datagrams and time come in, plain RTP/RTCP goes up to
// the Listener. Single-threaded: only the owning worker's thread touches it.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/Clock.hpp"
#include "net/SocketAddress.hpp"
#include "webrtc/SrtpEndpoint.hpp"

namespace ct::stun {
class StunMessage;
}
namespace ct::dtls {
class DtlsCertificate;
}
namespace ct::sctp {
struct ChannelInfo;
enum class ChannelType : uint8_t;
}  // namespace ct::sctp

namespace ct::sdp {
struct Candidate;
}

namespace ct::webrtc {

class DatagramSender;

class PeerTransport {
 public:
  enum class State { New, Connecting, Connected, Closed };

  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void on_transport_connected(PeerTransport&) {}
    // A decrypted RTP packet; the span may be modified and re-sent in place.
    // `arrival`: when the datagram reached the host (receive_datagram).
    virtual void on_rtp(PeerTransport&, std::span<uint8_t> packet, size_t capacity, TimePoint arrival) = 0;
    virtual void on_rtcp(PeerTransport&, std::span<uint8_t> compound, size_t capacity) = 0;
    virtual void on_transport_closed(PeerTransport&, std::string_view reason) = 0;
    // Data channels (after enable_data_channels()).
    virtual void on_data_connected(PeerTransport&) {}  // the SCTP association is up
    virtual void on_data_channel_open(PeerTransport&, uint16_t /*stream*/, const sctp::ChannelInfo&) {}
    virtual void on_data_message(PeerTransport&, uint16_t /*stream*/, bool /*binary*/,
                                 std::span<const uint8_t> /*message*/) {}
    virtual void on_data_channel_closed(PeerTransport&, uint16_t /*stream*/) {}
  };

  struct Options {
    bool aes_cm_only = false;  // offer only SRTP_AES128_CM_SHA1_80 in DTLS use_srtp
    Duration consent_timeout = seconds(30);
    // Time allowed from creation to a working DTLS association.
    Duration connect_timeout = seconds(30);
  };

  struct Stats : SrtpCounters {  // packets out, SRTP errors
    uint64_t rtp_packets_in = 0, rtp_bytes_in = 0, rtcp_packets_in = 0;
    uint64_t dropped_before_connect = 0;
  };

  PeerTransport(Listener& listener, DatagramSender& sender, const dtls::DtlsCertificate& certificate,
                Options options, TimePoint now);
  ~PeerTransport();
  PeerTransport(const PeerTransport&) = delete;
  PeerTransport& operator=(const PeerTransport&) = delete;

  const std::string& local_ufrag() const;
  const std::string& local_pwd() const;
  const std::string& local_fingerprint() const;  // sha-256, colon hex
  // From the remote SDP (RFC 8839 ice-ufrag/ice-pwd, RFC 8122 fingerprint).
  void set_remote_parameters(std::string ice_ufrag, std::string ice_pwd, std::string fingerprint_algorithm,
                             std::string fingerprint_value);
  // ICE restart (RFC 8445 §9): fresh local credentials. Media keeps flowing on
  // the selected path until a check on the new credentials selects one; DTLS
  // and SRTP are untouched. The owner re-registers the new ufrag with its port.
  void restart_ice();
  // The peer's credentials after it restarted ICE; the fingerprint must not change.
  void set_remote_ice_credentials(std::string ice_ufrag, std::string ice_pwd);

  // Inbound, from the worker's port.
  void receive_stun(const stun::StunMessage& message, const net::SocketAddress& from, TimePoint now);
  // DTLS or SRTP/SRTCP. `capacity` >= packet.size() is the room in the buffer.
  void receive_datagram(std::span<uint8_t> datagram, size_t capacity, const net::SocketAddress& from,
                        TimePoint now) {
    receive_datagram(datagram, capacity, from, now, now);
  }
  // `arrival` (<= now): when the datagram reached the host, if it waited to be read.
  void receive_datagram(std::span<uint8_t> datagram, size_t capacity, const net::SocketAddress& from,
                        TimePoint now, TimePoint arrival);
  bool is_validated_address(const net::SocketAddress& address) const;

  // Outbound: protects in place (needs srtp overhead bytes of room after
  // `length`) and sends to the selected path. False if not connected.
  bool send_rtp(std::span<uint8_t> buffer, size_t length);
  bool send_rtcp(std::span<uint8_t> buffer, size_t length);

  // Data channels: an SCTP association inside DTLS (RFC 8261), started once
  // DTLS is up, to the peer's a=sctp-port, with its a=max-message-size
  // (RFC 8841). Idempotent.
  void enable_data_channels(uint16_t remote_sctp_port, uint64_t remote_max_message_size);
  // Opens a channel with DCEP (RFC 8832); nullopt before on_data_connected.
  std::optional<uint16_t> open_data_channel(std::string_view label, sctp::ChannelType type,
                                            uint32_t reliability_parameter = 0);
  bool send_data(uint16_t stream, bool binary, std::span<const uint8_t> message);

  // Timers: DTLS retransmission, consent freshness (RFC 7675), connect deadline.
  void on_tick(TimePoint now);
  void close(std::string_view reason);

  State state() const { return state_; }
  const Stats& stats() const { return stats_; }
  std::optional<net::SocketAddress> remote_address() const;
  // A candidate the peer signaled (in its SDP or trickled). Only UDP ones
  // with an IP address count: we listen on UDP, and an mDNS name (RFC 8839
  // §5.1, draft-ietf-mmusic-mdns-ice-candidates) is not resolved, so a check
  // from behind one stays peer-reflexive, as the browser's own stats say.
  bool add_remote_candidate(const sdp::Candidate& candidate);
  // The selected path's remote candidate type ("host", "srflx", "prflx" or
  // "relay"); nullopt before a path is selected.
  std::optional<std::string_view> remote_candidate_type() const;
  std::string srtp_profile_name() const;

 private:
  class DtlsBridge;
  class SctpBridge;
  void fail(std::string_view reason);
  void send_raw(std::span<const uint8_t> datagram);

  Listener& listener_;
  DatagramSender& sender_;
  Options options_;
  State state_ = State::New;
  Stats stats_;
  TimePoint created_;
  std::string local_fingerprint_;
  struct Parts;  // ICE agent, DTLS transport, SRTP sessions
  std::unique_ptr<Parts> parts_;
};

}  // namespace ct::webrtc
