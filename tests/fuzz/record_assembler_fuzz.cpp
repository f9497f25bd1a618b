// libFuzzer target: Vp8FrameAssembler over a stream of packets taken from
// the input. Each packet is a 2-byte sequence number, a 1-byte timestamp
// step (small, so frames share timestamps), a flags byte (marker, and
// whether the sequence number is an offset from the last one), a 1-byte
// length, and that many payload bytes. Every frame handed out must start
// with a keyframe after a drop, lie within the window, and the counters
// must add up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "record/Vp8FrameAssembler.hpp"

namespace {

class Checker : public ct::record::Vp8FrameAssembler::Listener {
 public:
  void on_vp8_frame(const ct::record::Vp8Frame& frame) override {
    if (frame.data.empty()) std::abort();
    const uint16_t packets = uint16_t(frame.last_sequence_number - frame.first_sequence_number + 1);
    if (packets > max_packets) std::abort();
    if (frame.data.size() > size_t(packets) * max_packet_bytes) std::abort();
    // The first frame, and the first after a dropped one, is a keyframe.
    const uint64_t dropped = assembler->stats().incomplete_frames + assembler->stats().oversized_frames;
    if ((!started || dropped != dropped_before) && !frame.keyframe) std::abort();
    started = true;
    dropped_before = dropped;
    ++frames;
  }
  const ct::record::Vp8FrameAssembler* assembler = nullptr;
  uint64_t dropped_before = 0;
  size_t max_packets = 0;
  size_t max_packet_bytes = 0;
  bool started = false;
  uint64_t frames = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Checker checker;
  const ct::record::Vp8FrameAssembler::Limits limits{size_t(data[0] % 32) + 1, 64};
  checker.max_packets = limits.max_packets;
  checker.max_packet_bytes = limits.max_packet_bytes;
  ct::record::Vp8FrameAssembler assembler(checker, limits);
  checker.assembler = &assembler;
  size_t at = 1;
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
