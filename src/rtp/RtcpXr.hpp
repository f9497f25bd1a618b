#pragma once
// Extended report, PT 207 (RFC 3611 §2): the sender's SSRC, then report
// blocks, each a block type, a type-specific byte and a length in 32-bit
// words minus one. Two block types are read and written here, the pair that
// lets a receiver that sends no SRs measure its round trip (§4.4, §4.5):
//
//   RRTR, BT=4: the receiver's NTP time when it sent the report.
//   DLRR, BT=5: per receiver that sent an RRTR, its SSRC, the middle 32
//               bits of that RRTR's NTP time (LRR) and the delay since it
//               arrived (DLRR, 1/65536 s).
//
// The receiver computes RTT = A - LRR - DLRR, A being the arrival time of
// the DLRR in the same middle-32-bit NTP units. Blocks of other types are
// skipped (§3).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/Endian.hpp"
#include "rtp/RtcpPacket.hpp"

namespace ct::rtp {

struct RtcpDlrrItem {
  uint32_t ssrc = 0;                 // the receiver whose RRTR this answers
  uint32_t last_rr = 0;              // middle 32 bits of that RRTR's NTP timestamp (0: none yet)
  uint32_t delay_since_last_rr = 0;  // in 1/65536 s
  bool operator==(const RtcpDlrrItem&) const = default;
};

class RtcpXr {
 public:
  static constexpr uint8_t kType = 207;  // XR (RFC 3611 §2)
  static constexpr uint8_t kRrtrBlock = 4;
  static constexpr uint8_t kDlrrBlock = 5;
  static constexpr size_t kDlrrItemSize = 12;

  // Checks the type, the sender SSRC, that every block lies inside the
  // packet, and the length of the RRTR and DLRR blocks (2, and a multiple of 3).
  static std::optional<RtcpXr> parse(const RtcpPacket& packet);

  uint32_t sender_ssrc() const { return load_u32(&body_[0]); }
  // The NTP timestamp of the first RRTR block, if any.
  std::optional<uint64_t> rrtr() const;
  // Calls f(const RtcpDlrrItem&) for every sub-block of every DLRR block.
  template <class F>
  void for_each_dlrr(F&& f) const {
    for (size_t at = 4; at + 4 <= body_.size();) {
      const size_t length = block_size(at);
      if (body_[at] == kDlrrBlock) {
        for (size_t item = at + 4; item + kDlrrItemSize <= at + length; item += kDlrrItemSize)
          f(RtcpDlrrItem{load_u32(&body_[item]), load_u32(&body_[item + 4]), load_u32(&body_[item + 8])});
      }
      at += length;
    }
  }

  static constexpr size_t rrtr_size() { return 8 + 12; }
  static constexpr size_t dlrr_size(size_t items) { return 8 + 4 + kDlrrItemSize * items; }
  // An XR with one RRTR block. Returns the length, 0 if `out` is too small.
  static size_t build_rrtr(std::span<uint8_t> out, uint32_t sender_ssrc, uint64_t ntp_timestamp);
  // An XR with one DLRR block. Returns the length, 0 if it does not fit or `items` is empty.
  static size_t build_dlrr(std::span<uint8_t> out, uint32_t sender_ssrc, std::span<const RtcpDlrrItem> items);

 private:
  explicit RtcpXr(std::span<const uint8_t> body) : body_(body) {}
  // The size of the block at `at` (header included), from its length field.
  size_t block_size(size_t at) const { return (size_t(load_u16(&body_[at + 2])) + 1) * 4; }

  std::span<const uint8_t> body_;  // sender SSRC, then whole blocks
};

}  // namespace ct::rtp
