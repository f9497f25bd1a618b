// The SFU's fan-out: one inbound packet forwarded to K subscriptions. Per
// subscription: copy into a stack buffer, rewrite SSRC, sequence number,
// timestamp, payload type and header extension ids, SRTP protect
// (AEAD_AES_128_GCM), and hand the datagram to the sender (here a copy into
// a send slot, as the batched socket does; no system call). Reported per
// outbound packet.
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <vector>

#include "ForwardingSetup.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/Publication.hpp"
#include "sfu/SubscriberSendPath.hpp"
#include "sfu/Subscription.hpp"

namespace {

using namespace ct;

using bench::ConnectedTransport;

// Times one typical video packet (~1100 bytes with Chromium's extensions)
// arriving at `publication` and forwarded to its `k` subscriptions, and
// reports the cost per outbound packet. False (the run marked failed) when
// not every copy was sent.
bool forward_video_packets(benchmark::State& state, sfu::Publication& publication,
                           ConnectedTransport& connected, uint32_t ssrc, int k) {
  const std::vector<uint8_t> payload(1100, 0x42);
  std::vector<uint8_t> bytes = bench::video_packet_bytes(ssrc, payload);
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
  if (connected.sender.sent == uint64_t(state.iterations()) * uint64_t(k)) return true;
  state.SkipWithError("packets were not sent");
  return false;
}

// K subscriptions; M = 1 counts into a worker's totals as the server does
// (the forward-latency histogram reads the clock once per packet), M = 0 does not.
void BM_ForwardToSubscriptions(benchmark::State& state) {
  const int k = int(state.range(0));
  sfu::MediaCounters totals;
  ConnectedTransport connected;
  if (!bench::handshake_done(state, connected)) return;
  sfu::PublicationParams params = bench::vp8_publication_params(0x01020304);
  params.rtx_payload_type = 97;
  params.rtx_ssrc = 0x01020305;
  if (state.range(1)) params.totals = &totals;
  sfu::TrackInfo info;
  info.sid = "TR_bench";
  info.mid = "1";
  sfu::Publication publication(info, params, *connected.transport, 1, milliseconds(500));
  const std::vector<std::unique_ptr<sfu::Subscription>> subscriptions =
      bench::subscribe(publication, connected, k);

  if (forward_video_packets(state, publication, connected, params.ssrc, k) && state.range(1) &&
      totals.forward_latency.count() != uint64_t(state.iterations()))
    state.SkipWithError("not every packet's forward latency was counted");
}
BENCHMARK(BM_ForwardToSubscriptions)
    ->ArgNames({"K", "M"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({10, 0})
    ->Args({10, 1})
    ->Args({100, 0})
    ->Args({100, 1});

// The same fan-out for a simulcast publication: three layers (q, h, f)
// arriving in turn, VP8 with PictureID and TL0PICIDX, a keyframe on each
// layer every 30 of its packets. The K subscriptions are spread over the
// layers by their tile sizes; with switching on (argument 1) every
// subscription's tile changes size every 90 packets, so it moves to another
// layer at that layer's next keyframe, and the rewriter splices sequence
// numbers, timestamps, PictureID and TL0PICIDX. Reported per outbound packet,
// to hold against BM_ForwardToSubscriptions in the same run.
void BM_ForwardSimulcast(benchmark::State& state) {
  const int k = int(state.range(0));
  const bool switching = state.range(1) != 0;
  ConnectedTransport connected;
  if (!bench::handshake_done(state, connected)) return;
  sfu::PublicationParams params = bench::vp8_publication_params(0);  // each layer's SSRC is set below
  params.rtx_payload_type = 97;
  params.rid_id = bench::kRidId;
  params.rids = {"q", "h", "f"};
  sfu::TrackInfo info;
  info.sid = "TR_bench";
  info.mid = "1";
  sfu::Publication publication(info, params, *connected.transport, 1, milliseconds(500));
  const uint32_t layer_ssrc[3] = {0x01020304, 0x01020305, 0x01020306};
  for (size_t i = 0; i < 3; ++i) publication.set_layer_ssrcs(i, layer_ssrc[i], 0);
  const sfu::TrackSettings tiles[3] = {{320, 180, true}, {640, 360, true}, {1280, 720, true}};
  const std::vector<std::unique_ptr<sfu::Subscription>> subscriptions =
      bench::subscribe(publication, connected, k);
  for (int i = 0; i < k; ++i) subscriptions[size_t(i)]->update_settings(tiles[i % 3], connected.now);

  // ~1100-byte packets: VP8 descriptor (X, I|L|T, 15-bit PictureID,
  // TL0PICIDX, TID), then a keyframe or delta frame header.
  const std::vector<uint8_t> payload(1100, 0x42);
  std::array<std::vector<uint8_t>, 3> bytes;
  std::array<std::optional<rtp::RtpPacket>, 3> packets;
  for (size_t l = 0; l < 3; ++l) {
    const uint8_t rid[1] = {uint8_t("qhf"[l])};
    bytes[l] = bench::video_packet_bytes(layer_ssrc[l], payload, rid);
    packets[l] = rtp::RtpPacket::parse(bytes[l]);
  }
  // Keyframe headers (RFC 6386 §9.1) of 320x180, 640x360 and 1280x720.
  const uint8_t keyframes[3][10] = {{0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00},
                                    {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01},
                                    {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02}};
  const uint8_t delta[3] = {0x31, 0x0a, 0x00};
  uint32_t count = 0;
  std::array<uint16_t, 3> seq{1, 1, 1};
  TimePoint now = connected.now;
  connected.sender.sent = 0;
  for (auto _ : state) {
    const size_t l = count % 3;
    const uint32_t n = count / 3;
    rtp::RtpPacket& p = *packets[l];
    p.set_sequence_number(seq[l]++);
    p.set_timestamp(90000 + 3000 * n);
    auto pl = p.payload();
    const uint16_t picture_id = uint16_t(n & 0x7FFF);
    const uint8_t descriptor[6] = {0x90,       0xE0, uint8_t(0x80 | (picture_id >> 8)), uint8_t(picture_id),
                                   uint8_t(n), 0x00};
    std::memcpy(pl.data(), descriptor, sizeof descriptor);
    const bool key = n % 30 == 0;
    std::memcpy(pl.data() + sizeof descriptor, key ? keyframes[l] : delta,
                key ? sizeof keyframes[l] : sizeof delta);
    now += microseconds(300);
    publication.on_rtp(p, l, now);
    ++count;
    if (switching && count % 90 == 0) {
      for (int i = 0; i < k; ++i) subscriptions[size_t(i)]->update_settings(tiles[(i + count / 90) % 3], now);
    }
  }
  uint64_t switches = 0;
  for (auto& s : subscriptions) switches += s->stats().layer_switches;
  state.SetItemsProcessed(int64_t(connected.sender.sent));
  state.counters["per_packet_ns"] = benchmark::Counter(
      double(connected.sender.sent), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  state.counters["switches"] = double(switches);
  if (connected.sender.sent == 0) state.SkipWithError("packets were not sent");
}
BENCHMARK(BM_ForwardSimulcast)->Args({10, 0})->Args({10, 1})->Args({100, 0})->Args({100, 1});

// The fan-out of BM_ForwardToSubscriptions through one subscriber
// connection's send path: with bandwidth estimation on (argument 1) every
// packet gets the connection's next transport-wide sequence number written
// over the publisher's transport-cc element and is recorded in the
// estimator's send history; off (0), the option's "no extension offered"
// path. Reported per outbound packet; compare the two in one run.
void BM_ForwardNumbered(benchmark::State& state) {
  const int k = int(state.range(0));
  const bool numbered = state.range(1) != 0;
  ConnectedTransport connected;
  if (!bench::handshake_done(state, connected)) return;
  sfu::PublicationParams params = bench::vp8_publication_params(0x01020304);
  params.rtx_payload_type = 97;
  params.rtx_ssrc = 0x01020305;
  params.transport_cc_id = bench::kTransportCcId;
  sfu::TrackInfo info;
  info.sid = "TR_bench";
  info.mid = "1";
  sfu::Publication publication(info, params, *connected.transport, 1, milliseconds(500));
  std::unique_ptr<bwe::SendSideBandwidthEstimator> estimator;
  if (numbered)
    estimator =
        std::make_unique<bwe::SendSideBandwidthEstimator>(bwe::BandwidthEstimatorConfig{}, connected.now);
  sfu::SubscriberSendPath send_path(*connected.transport, std::move(estimator));
  constexpr uint8_t kOurTransportCc = sfu::subscriber_extension_id::kTransportCc;
  send_path.set_extension_id(numbered ? kOurTransportCc : 0);
  std::vector<std::unique_ptr<sfu::Subscription>> subscriptions;
  for (int i = 0; i < k; ++i) {
    sfu::SubscriptionParams sp;
    sp.mid = std::to_string(i % 10);
    sp.ssrc = 0x10000000u + uint32_t(i);
    sp.rtx_ssrc = 0x20000000u + uint32_t(i);
    sp.payload_type = 96;
    sp.rtx_payload_type = 97;
    sp.send_path = &send_path;
    subscriptions.push_back(std::make_unique<sfu::Subscription>(publication, *connected.transport, sp));
    sfu::SubscriptionNegotiation negotiation{true, 1, 0, 3, uint8_t(numbered ? kOurTransportCc : 0)};
    subscriptions.back()->activate(negotiation, connected.now);
  }
  if (!forward_video_packets(state, publication, connected, params.ssrc, k)) return;
  if (numbered && send_path.stats().packets_sent != connected.sender.sent)
    state.SkipWithError("packets were not numbered");
}
BENCHMARK(BM_ForwardNumbered)->Args({10, 0})->Args({10, 1})->Args({100, 0})->Args({100, 1});

}  // namespace
