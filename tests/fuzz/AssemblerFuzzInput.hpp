#pragma once
// What the frame assemblers' libFuzzer targets share: the packet stream
// they read from the input, the rule every frame handed out obeys, and the
// counters that must add up. Each packet is a 2-byte sequence number, a
// 1-byte timestamp step (small, so frames share timestamps), a flags byte
// (marker, and whether the sequence number is an offset from the last
// one), a 1-byte length, and that many payload bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

namespace ct::fuzz {

// Pushes every whole packet of `input` into `assembler`, then finishes the
// stream; returns how many packets were pushed.
template <class Assembler>
uint64_t push_assembler_packets(Assembler& assembler, std::span<const uint8_t> input) {
  size_t at = 0;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint64_t pushed = 0;
  while (at + 5 <= input.size()) {
    const uint16_t raw = uint16_t(input[at] << 8 | input[at + 1]);
    const uint8_t step = input[at + 2];
    const uint8_t flags = input[at + 3];
    const size_t length = input[at + 4];
    at += 5;
    if (length > input.size() - at) break;
    sequence = (flags & 0x02) ? uint16_t(sequence + (raw & 0x0F) - 4) : raw;
    timestamp += step & 0x03;
    assembler.push(sequence, timestamp, flags & 0x01, input.subspan(at, length));
    at += length;
    ++pushed;
  }
  assembler.finish();
  return pushed;
}

// The first frame, and the first after a dropped one, must be one a
// decoder can start at.
class FrameOrderCheck {
 public:
  // A frame went out; `dropped` is the assembler's count of dropped frames.
  void on_frame(uint64_t dropped, bool decoder_can_start) {
    if ((!started_ || dropped != dropped_before_) && !decoder_can_start) std::abort();
    started_ = true;
    dropped_before_ = dropped;
    ++frames_;
  }
  uint64_t frames() const { return frames_; }

 private:
  uint64_t dropped_before_ = 0;
  bool started_ = false;
  uint64_t frames_ = 0;
};

// Every frame handed out was counted, and every packet pushed was stored or
// counted as refused.
template <class Stats>
void check_assembler_counts(const Stats& stats, const FrameOrderCheck& order, uint64_t pushed) {
  if (stats.frames != order.frames()) std::abort();
  if (stats.packets + stats.duplicate_packets + stats.late_packets + stats.invalid_packets != pushed)
    std::abort();
}

// Runs an `Assembler` with `limits` over the packets in `input`, handing its
// frames to `checker` (a listener with `assembler` and `order` members), and
// checks the counters at the end.
template <class Assembler, class Checker>
void fuzz_assembler(Checker& checker, const typename Assembler::Limits& limits,
                    std::span<const uint8_t> input) {
  Assembler assembler(checker, limits);
  checker.assembler = &assembler;
  const uint64_t pushed = push_assembler_packets(assembler, input);
  check_assembler_counts(assembler.stats(), checker.order, pushed);
}

}  // namespace ct::fuzz
