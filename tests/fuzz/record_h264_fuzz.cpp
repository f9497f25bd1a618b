// libFuzzer target: H264FrameAssembler over a stream of packets taken from
// the input (laid out as for record_assembler_fuzz: a 2-byte sequence
// number, a timestamp step, a flags byte, a length, the payload), and the
// SPS parser over the first byte-aligned piece. Every frame handed out is
// Annex B, within the window's bytes, a keyframe with its parameter sets
// after a drop or at the start, and the counters add up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "record/H264FrameAssembler.hpp"
#include "record/H264SequenceParameterSet.hpp"

namespace {

class Checker : public ct::record::H264FrameAssembler::Listener {
 public:
  void on_h264_frame(const ct::record::H264Frame& frame) override {
    if (frame.data.size() < 5 || frame.data[0] != 0 || frame.data[1] != 0 || frame.data[2] != 0 ||
        frame.data[3] != 1)
      std::abort();
    // Each packet adds at most its payload and a start code per NAL unit it holds.
    if (frame.data.size() > max_packets * (max_packet_bytes * 3)) std::abort();
    const auto& stats = assembler->stats();
    const uint64_t dropped = stats.incomplete_frames + stats.malformed_frames;
    if ((!started || dropped != dropped_before) && (!frame.keyframe || frame.parameter_sets.empty()))
      std::abort();
    started = true;
    dropped_before = dropped;
    ++frames;
  }
  const ct::record::H264FrameAssembler* assembler = nullptr;
  uint64_t dropped_before = 0;
  size_t max_packets = 0;
  size_t max_packet_bytes = 0;
  bool started = false;
  uint64_t frames = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  if (const auto sps = ct::record::H264SequenceParameterSet::parse(std::span(data + 1, size - 1))) {
    if (sps->width == 0 || sps->height == 0 || sps->width > 16384 || sps->height > 32768) std::abort();
  }
  Checker checker;
  const ct::record::H264FrameAssembler::Limits limits{size_t(data[0] % 32) + 1, 64, uint32_t(data[1] % 8)};
  checker.max_packets = limits.max_packets;
  checker.max_packet_bytes = limits.max_packet_bytes;
  ct::record::H264FrameAssembler assembler(checker, limits);
  checker.assembler = &assembler;
  size_t at = 2;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint64_t pushed = 0;
  while (at + 5 <= size) {
    const uint16_t raw = uint16_t(data[at] << 8 | data[at + 1]);
    const uint8_t step = data[at + 2];
    const uint8_t flags = data[at + 3];
    const size_t length = data[at + 4];
    at += 5;
    if (length > size - at) break;
    sequence = (flags & 0x02) ? uint16_t(sequence + (raw & 0x0F) - 4) : raw;
    timestamp += step & 0x03;
    assembler.push(sequence, timestamp, flags & 0x01, std::span(data + at, length));
    at += length;
    ++pushed;
  }
  assembler.finish();
  const auto& stats = assembler.stats();
  if (stats.frames != checker.frames) std::abort();
  if (stats.packets + stats.duplicate_packets + stats.late_packets + stats.invalid_packets != pushed)
    std::abort();
  return 0;
}
