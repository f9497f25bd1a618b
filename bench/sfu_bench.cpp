// The SFU's fan-out: one inbound packet forwarded to K subscriptions. Per
// subscription: copy into a stack buffer, rewrite SSRC, sequence number,
// timestamp, payload type and header extension ids, SRTP protect
// (AEAD_AES_128_GCM), and hand the datagram to the sender (here a copy into
// a send slot, as the batched socket does; no system call). Reported per
// outbound packet.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "ConnectedTransport.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "sfu/Publication.hpp"
#include "sfu/Subscription.hpp"

namespace {

using namespace ct;

using bench::ConnectedTransport;

void BM_ForwardToSubscriptions(benchmark::State& state) {
  const int k = int(state.range(0));
  ConnectedTransport connected;
  if (connected.transport->state() != webrtc::PeerTransport::State::Connected) {
    state.SkipWithError("handshake failed");
    return;
  }
  sfu::PublicationParams params;
  params.video = true;
  params.codec_name = "VP8";
  params.clock_rate = 90000;
  params.payload_type = 96;
  params.rtx_payload_type = 97;
  params.ssrc = 0x01020304;
  params.rtx_ssrc = 0x01020305;
  params.mid_id = 4;
  params.abs_send_time_id = 2;
  sfu::TrackInfo info;
  info.sid = "TR_bench";
  info.mid = "1";
  sfu::Publication publication(info, params, *connected.transport, 1, milliseconds(500));
  std::vector<std::unique_ptr<sfu::Subscription>> subscriptions;
  for (int i = 0; i < k; ++i) {
    sfu::SubscriptionParams sp;
    sp.mid = std::to_string(i % 10);
    sp.ssrc = 0x10000000u + uint32_t(i);
    sp.rtx_ssrc = 0x20000000u + uint32_t(i);
    sp.payload_type = 96;
    sp.rtx_payload_type = 97;
    subscriptions.push_back(std::make_unique<sfu::Subscription>(publication, *connected.transport, sp));
    subscriptions.back()->activate({true, 1, 0, 3}, connected.now);
  }

  // A typical video packet: ~1100 bytes with Chromium's extensions.
  std::vector<uint8_t> payload(1100, 0x42);
  const uint8_t abs[3] = {1, 2, 3}, tcc[2] = {0, 1}, mid[1] = {'1'};
  std::vector<uint8_t> bytes(1500);
  size_t n = rtp::RtpPacketBuilder()
                 .payload_type(96)
                 .sequence_number(1)
                 .timestamp(90000)
                 .ssrc(params.ssrc)
                 .add_extension(2, abs)
                 .add_extension(3, tcc)
                 .add_extension(4, mid)
                 .payload(payload)
                 .build(bytes);
  bytes.resize(n);
  auto packet = *rtp::RtpPacket::parse(bytes);
  uint16_t seq = 1;
  TimePoint now = connected.now;
  connected.sender.sent = 0;  // the subscriptions' keyframe requests
  for (auto _ : state) {
    packet.set_sequence_number(seq++);
    now += microseconds(300);
    publication.on_rtp(packet, now);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * k);
  state.counters["per_packet_ns"] = benchmark::Counter(
      double(state.iterations()) * k, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  if (connected.sender.sent != uint64_t(state.iterations()) * uint64_t(k))
    state.SkipWithError("packets were not sent");
}
BENCHMARK(BM_ForwardToSubscriptions)->Arg(1)->Arg(10)->Arg(100);

}  // namespace
