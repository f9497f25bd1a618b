#include "cascade/CascadeLink.hpp"

namespace ct::cascade {

using srtp::SrtpSession;

CascadeLink::CascadeLink(uint32_t peer_link_id, const CascadeKeys& send_keys, const CascadeKeys& receive_keys)
    : peer_link_id_(peer_link_id),
      outbound_(send_keys.profile, send_keys.master_key, send_keys.master_salt,
                SrtpSession::Direction::Outbound),
      inbound_(receive_keys.profile, receive_keys.master_key, receive_keys.master_salt,
               SrtpSession::Direction::Inbound) {}

size_t CascadeLink::seal_rtp(std::span<uint8_t> buffer, size_t length) {
  return seal(buffer, length, CascadeKind::rtp);
}

size_t CascadeLink::seal_rtcp(std::span<uint8_t> buffer, size_t length) {
  return seal(buffer, length, CascadeKind::rtcp);
}

size_t CascadeLink::seal(std::span<uint8_t> buffer, size_t length, CascadeKind kind) {
  if (buffer.size() < CascadeFrame::kHeaderSize) return 0;
  std::span<uint8_t> packet = buffer.subspan(CascadeFrame::kHeaderSize);
  auto result = kind == CascadeKind::rtp ? outbound_.protect_rtp(packet, length)
                                         : outbound_.protect_rtcp(packet, length);
  if (!result) return 0;
  write_cascade_header(buffer, kind, peer_link_id_);
  ++(kind == CascadeKind::rtp ? counters_.rtp_sent : counters_.rtcp_sent);
  return CascadeFrame::kHeaderSize + result.length;
}

std::optional<std::span<uint8_t>> CascadeLink::open(const CascadeFrame& frame) {
  bool rtp = frame.kind == CascadeKind::rtp;
  auto result = rtp ? inbound_.unprotect_rtp(frame.packet, frame.packet.size())
                    : inbound_.unprotect_rtcp(frame.packet, frame.packet.size());
  if (!result) {
    ++counters_.rejected;
    return std::nullopt;
  }
  ++(rtp ? counters_.rtp_received : counters_.rtcp_received);
  return frame.packet.first(result.length);
}

}  // namespace ct::cascade
