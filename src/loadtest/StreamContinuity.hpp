#pragma once
// Checks, on the subscriber's side, that one forwarded simulcast track is
// the seamless stream an SFU promises (docs/protocol.md "Simulcast and
// adaptive stream"): one SSRC throughout, sequence numbers without gaps
// where the layer changes, RTP timestamps that never go back, a VP8
// PictureID that steps by one per frame and a TL0PICIDX by one per TID 0
// frame, and layer changes only at a keyframe of the new layer. The layer
// comes from each packet's PayloadStamp, so switches are counted as the
// receiver sees them. A sequence gap inside one layer is loss, not a
// discontinuity; on a lossy link a packet lost just before a switch looks
// like a seam (nothing tells the two apart), so expect 0 only without loss. Packets are untrusted input:
// anything that does not parse as stamped VP8 is only counted.
#include <array>
#include <cstddef>
#include <cstdint>

namespace ct::rtp {
class RtpPacket;
}

namespace ct::loadtest {

class StreamContinuity {
 public:
  static constexpr size_t kLayers = 3;

  struct Stats {
    uint64_t packets = 0;  // stamped VP8 packets taken in order
    std::array<uint64_t, kLayers> layer_packets{};
    uint64_t layer_switches = 0;
    uint64_t discontinuities = 0;
    uint64_t lost = 0;       // sequence numbers skipped within a layer
    uint64_t late = 0;       // older than the newest: reordered or duplicated
    uint64_t unstamped = 0;  // not stamped VP8 (padding, RTX, audio, garbage)
  };

  // One decrypted RTP packet of this track.
  void on_packet(const rtp::RtpPacket& packet);
  const Stats& stats() const { return stats_; }

 private:
  bool started_ = false;
  uint32_t ssrc_ = 0;
  uint16_t sequence_ = 0;
  uint32_t timestamp_ = 0;
  uint8_t layer_ = 0;
  bool has_picture_id_ = false;
  uint16_t picture_id_ = 0;
  bool has_tl0_ = false;
  uint8_t tl0_pic_idx_ = 0;
  Stats stats_;
};

}  // namespace ct::loadtest
