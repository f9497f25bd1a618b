#pragma once
// A mapping of header extension ids from one peer's negotiation to another's
// (RFC 8285 §5: ids are local to each session). An SFU builds one per
// publisher/subscriber pair and applies it to forwarded packets.
#include <array>
#include <cstdint>

namespace ct::rtp {

class RtpExtensionIdMap {
 public:
  // Every id maps to 0: rewriting with an empty map removes every extension.
  RtpExtensionIdMap() { to_.fill(0); }

  static RtpExtensionIdMap identity() {
    RtpExtensionIdMap map;
    for (unsigned id = 0; id < 256; ++id) map.to_[id] = uint8_t(id);
    return map;
  }

  void set(uint8_t from, uint8_t to) { to_[from] = to; }
  // The new id for `from`; 0 means the extension is dropped.
  uint8_t operator[](uint8_t from) const { return to_[from]; }

 private:
  std::array<uint8_t, 256> to_;
};

}  // namespace ct::rtp
