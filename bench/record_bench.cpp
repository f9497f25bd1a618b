// The media-thread cost of recording a track: TrackRecorder::on_packet (a
// clock read and a copy into the ring) against a tap that does nothing,
// per packet, side by side in one run. The writer side is not timed: every
// 256 packets the timing pauses while the ring is drained. The recording's
// folder cannot be created (it is under /dev/null), so the drain takes the
// packets without writing files: disk speed is not what is measured here.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/Log.hpp"
#include "record/TrackRecorder.hpp"
#include "record/TrackRecording.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/PacketTap.hpp"

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

}  // namespace
