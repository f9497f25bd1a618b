// The media-thread cost of recording a track: TrackRecorder::on_packet (a
// clock read and a copy into the ring) against a tap that does nothing,
// per packet, side by side in one run. Then the whole forwarding path with
// ten published tracks, recorded (a TrackRecorder tap on each) or not:
// Publication::on_rtp to every subscription, SRTP protect and the send
// slot, per inbound packet, both in one run for their ratio. The writer side is not timed: every
// 256 packets the timing pauses while the ring is drained. The recording's
// folder cannot be created (it is under /dev/null), so the drain takes the
// packets without writing files: disk speed is not what is measured here.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "ForwardingSetup.hpp"
#include "core/Log.hpp"
#include "record/TrackRecorder.hpp"
#include "record/TrackRecording.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/PacketTap.hpp"
#include "sfu/Publication.hpp"
#include "sfu/Subscription.hpp"

namespace {

using namespace ct;

constexpr size_t kBatch = 256;

class EmptyTap final : public sfu::PacketTap {
 public:
  void on_packet(const rtp::RtpPacket& packet) override { benchmark::DoNotOptimize(&packet); }
};

std::vector<uint8_t> packet_bytes(size_t size) {
  std::vector<uint8_t> bytes(size, 0x5A);
  bytes[0] = 0x80;
  bytes[1] = 96;
  return bytes;
}

std::shared_ptr<record::TrackRecording> nowhere_recording(size_t ring_slots) {
  spdlog::set_level(spdlog::level::off);  // the folder's error, once per run, is expected
  record::TrackRecordingConfig config;
  config.directory = "/dev/null/recordings";
  config.name = "bench";
  config.codec = record::TrackCodec::Vp8;
  config.ring_slots = ring_slots;
  return std::make_shared<record::TrackRecording>(config);
}

// The tap the SFU would call, through the base class as the SFU does.
void run(benchmark::State& state, sfu::PacketTap& tap, record::TrackRecording* drain) {
  std::vector<uint8_t> bytes = packet_bytes(size_t(state.range(0)));
  const auto packet = rtp::RtpPacket::parse(bytes);
  size_t in_batch = 0;
  for (auto _ : state) {
    tap.on_packet(*packet);
    if (++in_batch == kBatch) {
      in_batch = 0;
      state.PauseTiming();
      if (drain) drain->drain();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}

void BM_EmptyTap(benchmark::State& state) {
  EmptyTap tap;
  sfu::PacketTap& base = tap;
  // The same pauses as the recorder's, so both carry their overhead.
  record::TrackRecording* none = nullptr;
  run(state, base, none);
}
BENCHMARK(BM_EmptyTap)->Arg(100)->Arg(1200);

void BM_TrackRecorderOnPacket(benchmark::State& state) {
  auto recording = nowhere_recording(0);
  record::TrackRecorder recorder(recording);
  run(state, recorder, recording.get());
  if (recording->packets_dropped() != 0) state.SkipWithError("the ring overflowed: not the steady state");
}
BENCHMARK(BM_TrackRecorderOnPacket)->Arg(100)->Arg(1200);

// A ring that is full: the drop path (one look at the consumer's counter).
void BM_TrackRecorderOnPacketRingFull(benchmark::State& state) {
  auto recording = nowhere_recording(2);
  record::TrackRecorder recorder(recording);
  record::TrackRecording* never_drained = nullptr;
  run(state, recorder, never_drained);
  if (recording->packets_queued() + recording->packets_dropped() != uint64_t(state.iterations()) ||
      recording->packets_queued() != std::min<uint64_t>(2, uint64_t(state.iterations()))) {
    state.SkipWithError(("expected drops, got " + std::to_string(recording->packets_queued()) + " queued, " +
                         std::to_string(recording->packets_dropped()) + " dropped of " +
                         std::to_string(state.iterations()))
                            .c_str());
  }
}
BENCHMARK(BM_TrackRecorderOnPacketRingFull)->Arg(1200);

// Ten video tracks (as in a room of ten cameras), each forwarded to
// `subscribers` subscriptions, packets taken in turn; recorded or not. The
// publications' ticks (every 20 ms in the server: about every 60 packets at
// 3000 packets/s) run in the loop, as they ask the taps for keyframe requests.
void BM_ForwardTenTracks(benchmark::State& state) {
  constexpr int kTracks = 10;
  const bool recorded = state.range(0) != 0;
  const int subscribers = int(state.range(1));
  bench::ConnectedTransport connected;
  if (!bench::handshake_done(state, connected)) return;
  std::vector<std::unique_ptr<sfu::Publication>> publications;
  std::vector<std::unique_ptr<sfu::Subscription>> subscriptions;
  std::vector<std::shared_ptr<record::TrackRecording>> recordings;
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<rtp::RtpPacket> packets;
  const std::vector<uint8_t> payload(1100, 0x42);  // ~1100 bytes of video, as Chromium sends
  buffers.reserve(kTracks);
  for (int t = 0; t < kTracks; ++t) {
    const sfu::PublicationParams params = bench::vp8_publication_params(0x01020304u + uint32_t(t));
    sfu::TrackInfo info;
    info.sid = "TR_bench" + std::to_string(t);
    info.mid = std::to_string(t);
    publications.push_back(
        std::make_unique<sfu::Publication>(info, params, *connected.transport, 1, milliseconds(500)));
    for (int i = 0; i < subscribers; ++i) {
      sfu::SubscriptionParams sp;
      sp.mid = std::to_string(i);
      sp.ssrc = 0x10000000u + uint32_t(t * 100 + i);
      sp.payload_type = 96;
      subscriptions.push_back(
          std::make_unique<sfu::Subscription>(*publications.back(), *connected.transport, sp));
      subscriptions.back()->activate({true, 1, 0, 3}, connected.now);
    }
    if (recorded) {
      recordings.push_back(nowhere_recording(0));
      publications.back()->add_tap(std::make_unique<record::TrackRecorder>(recordings.back()));
    }
    buffers.push_back(bench::video_packet_bytes(params.ssrc, payload));
    packets.push_back(*rtp::RtpPacket::parse(buffers.back()));
  }
  uint16_t sequence = 1;
  TimePoint now = connected.now;
  size_t in_batch = 0;
  connected.sender.sent = 0;
  for (auto _ : state) {
    const auto track = size_t(in_batch % kTracks);
    if (track == 0) {
      ++sequence;
      now += microseconds(3300);  // each track at 300 packets/s
    }
    packets[track].set_sequence_number(sequence);
    publications[track]->on_rtp(packets[track], now);
    if (in_batch % 60 == 59)
      for (auto& publication : publications) publication->on_tick(now);
    if (++in_batch == kBatch * kTracks) {
      in_batch = 0;
      state.PauseTiming();
      for (auto& recording : recordings) recording->drain();
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.counters["per_packet_ns"] = benchmark::Counter(
      double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  for (const auto& recording : recordings)
    if (recording->packets_dropped() != 0) state.SkipWithError("a ring overflowed: not the steady state");
  if (connected.sender.sent < uint64_t(state.iterations()) * uint64_t(subscribers))
    state.SkipWithError("packets were not sent");
}
BENCHMARK(BM_ForwardTenTracks)->ArgNames({"recorded", "subscribers"})->ArgsProduct({{0, 1}, {1, 3}});

}  // namespace
