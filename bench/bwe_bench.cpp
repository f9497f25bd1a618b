// The send-side estimator's cost on the media thread: per packet sent (a
// transport-wide sequence number and a ring slot) and per transport-cc
// feedback (matching, grouping, trend, AIMD, loss and acked rate), in one run.
#include <benchmark/benchmark.h>

#include <optional>
#include <vector>

#include "bwe/SendSideBandwidthEstimator.hpp"
#include "rtp/RtcpPacket.hpp"
#include "rtp/RtcpTransportCc.hpp"

namespace {

using namespace ct;
using namespace ct::bwe;

constexpr int64_t kGapUs = 4'800;  // 1200-byte packets at 2 Mbit/s
const TimePoint t0 = TimePoint{} + seconds(1000);

// Feedback for every packet of one 16-bit sequence cycle, `per_feedback`
// packets each (a divisor of 65536), one in `loss_every` lost, arrivals
// 40 ms after sending with a little jitter, as a receiver writes them.
struct FeedbackCycle {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<rtp::RtcpTransportCc> parsed;

  FeedbackCycle(size_t per_feedback, size_t loss_every) {
    for (size_t base = 0; base < 65536; base += per_feedback) {
      std::vector<rtp::TransportCcPacket> packets;
      int64_t reference = -1;
      int64_t previous_tick = 0;
      for (size_t i = 0; i < per_feedback; ++i) {
        const int64_t seq = int64_t(base + i);
        rtp::TransportCcPacket packet{uint16_t(seq), false, 0};
        if (seq % int64_t(loss_every) != 7) {
          const int64_t arrival = seq * kGapUs + 40'000 + (seq * 7919 % 3) * 250;
          if (reference < 0) {
            reference = arrival / 64'000;
            previous_tick = reference * 256;
          }
          packet.received = true;
          packet.delta = int32_t(arrival / 250 - previous_tick);
          previous_tick = arrival / 250;
        }
        packets.push_back(packet);
      }
      std::vector<uint8_t> out(rtp::RtcpTransportCc::max_size(packets.size()));
      out.resize(rtp::RtcpTransportCc::build(out, 1, 2, int32_t(reference), uint8_t(base), packets));
      bytes.push_back(std::move(out));
    }
    for (const auto& b : bytes) parsed.push_back(*rtp::RtcpTransportCc::parse(*rtp::RtcpPacket::parse(b)));
  }
};

void BM_BwePacketSent(benchmark::State& state) {
  SendSideBandwidthEstimator estimator({}, t0);
  int64_t sent = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(estimator.on_packet_sent(1200, t0 + microseconds(sent * kGapUs)));
    ++sent;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BwePacketSent);

// One round: the packets one feedback covers are sent, then its feedback
// arrives. Per feedback = this round less per_feedback × BM_BwePacketSent.
void BM_BweFeedbackRound(benchmark::State& state) {
  const size_t per_feedback = size_t(state.range(0));
  const FeedbackCycle cycle(per_feedback, 50);
  SendSideBandwidthEstimator estimator({}, t0);
  estimator.set_wanted_bitrate(BandwidthEstimatorConfig{}.start_bps);  // steady state: no probes
  int64_t sent = 0;
  size_t next = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < per_feedback; ++i, ++sent)
      estimator.on_packet_sent(1200, t0 + microseconds(sent * kGapUs));
    estimator.on_feedback(cycle.parsed[next], t0 + microseconds(sent * kGapUs + 80'000));
    next = (next + 1) % cycle.parsed.size();
    benchmark::DoNotOptimize(estimator.target_bitrate());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["reported"] = double(estimator.history_counters().reported);
}
BENCHMARK(BM_BweFeedbackRound)->Arg(16)->Arg(64);

}  // namespace
