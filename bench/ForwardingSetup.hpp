#pragma once
// What the forwarding benchmarks set up alike: a connected transport or a
// skipped benchmark, a VP8 publication's parameters, and a video packet
// with Chromium's header extensions.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ConnectedTransport.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "sfu/Publication.hpp"
#include "sfu/Subscription.hpp"

namespace ct::bench {

// Header extension ids, as Chromium negotiates them with the server.
constexpr uint8_t kAbsSendTimeId = 2;
constexpr uint8_t kTransportCcId = 3;
constexpr uint8_t kMidId = 4;
constexpr uint8_t kRidId = 10;

// False, with the benchmark skipped, when the handshake did not complete.
inline bool handshake_done(benchmark::State& state, const ConnectedTransport& connected) {
  if (connected.transport->state() == webrtc::PeerTransport::State::Connected) return true;
  state.SkipWithError("handshake failed");
  return false;
}

// A VP8 video publication (payload type 96, 90 kHz) with the MID and
// abs-send-time extensions; `ssrc` 0 until learned, as with simulcast.
inline sfu::PublicationParams vp8_publication_params(uint32_t ssrc) {
  sfu::PublicationParams params;
  params.video = true;
  params.codec_name = "VP8";
  params.clock_rate = 90000;
  params.payload_type = 96;
  params.ssrc = ssrc;
  params.mid_id = kMidId;
  params.abs_send_time_id = kAbsSendTimeId;
  return params;
}

// An RTP packet of `payload` (payload type 96, sequence number 1, timestamp
// 90000) with abs-send-time, transport-cc and MID "1", and the RID when
// one is given.
inline std::vector<uint8_t> video_packet_bytes(uint32_t ssrc, std::span<const uint8_t> payload,
                                               std::span<const uint8_t> rid = {}) {
  const uint8_t abs[3] = {1, 2, 3}, tcc[2] = {0, 1}, mid[1] = {'1'};
  rtp::RtpPacketBuilder builder;
  builder.payload_type(96)
      .sequence_number(1)
      .timestamp(90000)
      .ssrc(ssrc)
      .add_extension(kAbsSendTimeId, abs)
      .add_extension(kTransportCcId, tcc)
      .add_extension(kMidId, mid);
  if (!rid.empty()) builder.add_extension(kRidId, rid);
  std::vector<uint8_t> bytes(1500);
  bytes.resize(builder.payload(payload).build(bytes));
  return bytes;
}

// `count` active subscriptions to `publication` over the one transport,
// each with its own SSRC and RTX SSRC and MIDs "0" to "9" in turn.
inline std::vector<std::unique_ptr<sfu::Subscription>> subscribe(sfu::Publication& publication,
                                                                 ConnectedTransport& connected, int count) {
  std::vector<std::unique_ptr<sfu::Subscription>> subscriptions;
  for (int i = 0; i < count; ++i) {
    sfu::SubscriptionParams params;
    params.mid = std::to_string(i % 10);
    params.ssrc = 0x10000000u + uint32_t(i);
    params.rtx_ssrc = 0x20000000u + uint32_t(i);
    params.payload_type = 96;
    params.rtx_payload_type = 97;
    subscriptions.push_back(std::make_unique<sfu::Subscription>(publication, *connected.transport, params));
    subscriptions.back()->activate({true, 1, 0, 3}, connected.now);
  }
  return subscriptions;
}

}  // namespace ct::bench
