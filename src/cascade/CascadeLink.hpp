#pragma once
// One room's media between this node and one other node: what this node
// sends (its publishers' RTP, and its subscribers' keyframe requests and
// NACKs as RTCP back to the origin) protected with this node's keys, and
// what arrives from the peer unprotected with the peer's keys. One
// SrtpSession per direction, so the SRTP replay windows and rollover
// counters work exactly as on a browser's connection. Lives on one media
// worker's thread; nothing is allocated per packet.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "cascade/CascadeFrame.hpp"
#include "cascade/CascadeKeys.hpp"
#include "srtp/SrtpSession.hpp"

namespace ct::cascade {

class CascadeLink {
 public:
  struct Counters {
    uint64_t rtp_sent = 0, rtcp_sent = 0;
    uint64_t rtp_received = 0, rtcp_received = 0;
    uint64_t rejected = 0;  // frames that failed to unprotect (forged, replayed, keyed differently)
  };
  // Room a send buffer needs beyond the packet: the frame header before it,
  // the SRTCP index and the longest tag after it.
  static constexpr size_t kMaxOverhead = CascadeFrame::kHeaderSize + 4 + 16;

  // `peer_link_id` is the id the peer gave this link (it heads every frame
  // sent); `send_keys` protect what this node sends, and the peer holds them
  // as its receive keys; `receive_keys` are the peer's send keys.
  CascadeLink(uint32_t peer_link_id, const CascadeKeys& send_keys, const CascadeKeys& receive_keys);

  // `buffer` holds a plain RTP (or RTCP) packet of `length` bytes starting at
  // CascadeFrame::kHeaderSize, with room for the overhead after it. Writes
  // the frame header and protects the packet in place; returns the
  // datagram's length, 0 when it cannot be sent (malformed, no room).
  size_t seal_rtp(std::span<uint8_t> buffer, size_t length);
  size_t seal_rtcp(std::span<uint8_t> buffer, size_t length);
  // A frame that named this link: its plain packet (in place, within the
  // frame's bytes), or nothing when it does not authenticate or is a replay.
  std::optional<std::span<uint8_t>> open(const CascadeFrame& frame);

  uint32_t peer_link_id() const { return peer_link_id_; }
  const Counters& counters() const { return counters_; }

 private:
  size_t seal(std::span<uint8_t> buffer, size_t length, CascadeKind kind);

  uint32_t peer_link_id_;
  srtp::SrtpSession outbound_;
  srtp::SrtpSession inbound_;
  Counters counters_;
};

}  // namespace ct::cascade
