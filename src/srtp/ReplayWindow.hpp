#pragma once
// Sliding replay window over packet indices (RFC 3711 §3.3.2): the highest
// index accepted so far and a bitmap of which of the kSize indices up to it have
// been accepted. Check before authenticating, commit only after, so forged
// packets never move the window.
#include <cstdint>

namespace ct::srtp {

class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 128;

  bool empty() const { return !started_; }
  uint64_t highest() const { return highest_; }

  // True if `index` is new: ahead of the window, or inside it and not yet seen.
  bool is_fresh(uint64_t index) const {
    if (!started_ || index > highest_) return true;
    const uint64_t behind = highest_ - index;
    return behind < kSize && !bit(behind);
  }

  // Records `index` as accepted; call only after is_fresh() and authentication.
  void accept(uint64_t index) {
    if (!started_) {
      started_ = true;
      highest_ = index;
      bits_[0] = 1;
      bits_[1] = 0;
      return;
    }
    if (index > highest_) {
      shift(index - highest_);
      highest_ = index;
      bits_[0] |= 1;
    } else if (highest_ - index < kSize) {
      set(highest_ - index);
    }
  }

 private:
  // Bit n is set when index highest_ - n was accepted.
  bool bit(uint64_t n) const { return (bits_[n >> 6] >> (n & 63)) & 1; }
  void set(uint64_t n) { bits_[n >> 6] |= uint64_t{1} << (n & 63); }
  void shift(uint64_t by) {
    if (by >= kSize) {
      bits_[0] = bits_[1] = 0;
    } else if (by >= 64) {
      bits_[1] = bits_[0] << (by - 64);
      bits_[0] = 0;
    } else {
      bits_[1] = (bits_[1] << by) | (bits_[0] >> (64 - by));
      bits_[0] <<= by;
    }
  }

  uint64_t highest_ = 0;
  uint64_t bits_[2] = {0, 0};
  bool started_ = false;
};

}  // namespace ct::srtp
