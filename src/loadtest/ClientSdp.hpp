#pragma once
// The SDP a synthetic load participant exchanges with the server: the offer a
// browser's publisher connection would make (Unified Plan, BUNDLE, rtcp-mux,
// VP8 with RTX and an optional Opus section, shaped after Chromium's), the
// answer to the server's subscriber offers, and the server's transport
// (ICE credentials, fingerprint, host candidate) read from its SDP.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "net/SocketAddress.hpp"

namespace ct::loadtest {

// Payload types and header-extension ids of the publisher offer (Chromium's numbers).
namespace client_sdp {
inline constexpr uint8_t kVp8Pt = 96;
inline constexpr uint8_t kVp8RtxPt = 97;
inline constexpr uint8_t kOpusPt = 111;
inline constexpr uint8_t kAudioLevelId = 1;
inline constexpr uint8_t kTransportCcId = 3;
inline constexpr uint8_t kMidId = 4;
inline constexpr uint8_t kRidId = 10;          // RFC 8852 rtp-stream-id
inline constexpr uint8_t kRepairedRidId = 11;  // RFC 8852 repaired-rtp-stream-id
inline constexpr const char* kVideoMid = "0";
inline constexpr const char* kAudioMid = "1";
}  // namespace client_sdp

struct LocalTransport {
  std::string ice_ufrag, ice_pwd;
  std::string fingerprint_sha256;  // colon hex
};

struct PublisherOfferParams {
  LocalTransport transport;
  std::string cname;
  uint32_t video_ssrc = 0, video_rtx_ssrc = 0;
  std::optional<uint32_t> audio_ssrc;  // an Opus section as mid 1
  // Simulcast (RFC 8853), lowest layer first: the video section lists these
  // RIDs and no SSRCs, as Chromium's offer does; the SSRCs are unused.
  std::vector<std::string> video_rids;
};

// The server side of a connection, from its answer or offer.
struct RemoteTransport {
  std::string ice_ufrag, ice_pwd;
  std::string fingerprint_algorithm, fingerprint_value;
  net::SocketAddress candidate;  // the first UDP IPv4 host candidate
  // The remote's a=setup is active (RFC 8842 §5.3: it opens DTLS), so we are
  // the DTLS server; otherwise we are the client.
  bool remote_dtls_client = false;
};

std::string build_publisher_offer(const PublisherOfferParams& params);

// Reads the server's transport from an SDP it wrote (answer or offer). An
// error message if something is missing.
std::optional<std::string> read_remote_transport(const std::string& sdp_text, RemoteTransport& out);

// Answers a subscriber-connection offer: receive everything offered that
// CipherTalk's codec policy accepts, data channels refused, DTLS client
// (setup:active). An error message, or the answer in `answer_sdp`.
std::optional<std::string> answer_subscriber_offer(const std::string& offer_sdp, const LocalTransport& local,
                                                   std::string& answer_sdp);

}  // namespace ct::loadtest
