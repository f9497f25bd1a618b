#pragma once
// The sequence number and timestamp space of one forwarded stream. Each
// subscriber sees a stream of its own (random start, RFC 3550 §5.1) that
// follows the publisher's numbering by a fixed offset, so reordering and real
// loss pass through unchanged and a NACKed number maps straight back to the
// original. When the source jumps on purpose (unmute after packets were held
// back) the offset is moved so the outbound numbering carries on without a
// gap the receiver would take for loss.
#include <cstdint>

namespace ct::sfu {

class RtpStreamRewriter {
 public:
  RtpStreamRewriter(uint16_t first_sequence_number, uint32_t timestamp_offset)
      : next_out_(first_sequence_number), timestamp_offset_(timestamp_offset) {}

  // The outbound sequence number for an inbound one.
  uint16_t rewrite_sequence_number(uint16_t in) {
    if (!started_ || resync_) {
      sequence_offset_ = uint16_t(next_out_ - in);
      highest_in_ = in;
      started_ = true;
      resync_ = false;
    } else if (is_newer(in, highest_in_)) {
      highest_in_ = in;
    }
    uint16_t out = uint16_t(in + sequence_offset_);
    if (is_newer(uint16_t(out + 1), next_out_)) next_out_ = uint16_t(out + 1);
    return out;
  }
  uint32_t rewrite_timestamp(uint32_t in) const { return in + timestamp_offset_; }
  // The inbound sequence number a (NACKed) outbound one was made from.
  uint16_t original_sequence_number(uint16_t out) const { return uint16_t(out - sequence_offset_); }

  // The next packet continues the outbound numbering wherever the inbound
  // numbering has got to (packets were held back on purpose).
  void resync() { resync_ = started_; }
  bool started() const { return started_; }
  // The sequence number the next new outbound packet gets.
  uint16_t next_sequence_number() const { return next_out_; }

  // RFC 3550 Appendix A.1: `a` is newer than `b` within half the space.
  static bool is_newer(uint16_t a, uint16_t b) { return a != b && uint16_t(a - b) < 0x8000; }

 private:
  bool started_ = false;
  bool resync_ = false;
  uint16_t next_out_;
  uint16_t highest_in_ = 0;
  uint16_t sequence_offset_ = 0;
  uint32_t timestamp_offset_;
};

}  // namespace ct::sfu
