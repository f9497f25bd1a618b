#include "cascade/CascadeFrame.hpp"

#include "core/Endian.hpp"

namespace ct::cascade {

std::optional<CascadeFrame> parse_cascade_frame(std::span<uint8_t> datagram) {
  if (datagram.size() < CascadeFrame::kHeaderSize || datagram[0] != CascadeFrame::kMarker)
    return std::nullopt;
  CascadeFrame frame;
  size_t min_packet = 0;
  switch (datagram[1]) {
    case static_cast<uint8_t>(CascadeKind::rtp):
      frame.kind = CascadeKind::rtp;
      min_packet = CascadeFrame::kMinRtp;
      break;
    case static_cast<uint8_t>(CascadeKind::rtcp):
      frame.kind = CascadeKind::rtcp;
      min_packet = CascadeFrame::kMinRtcp;
      break;
    default:
      return std::nullopt;
  }
  frame.link_id = load_u32(datagram.data() + 2);
  frame.packet = datagram.subspan(CascadeFrame::kHeaderSize);
  if (frame.packet.size() < min_packet) return std::nullopt;
  return frame;
}

void write_cascade_header(std::span<uint8_t> out, CascadeKind kind, uint32_t link_id) {
  out[0] = CascadeFrame::kMarker;
  out[1] = static_cast<uint8_t>(kind);
  store_u32(out.data() + 2, link_id);
}

}  // namespace ct::cascade
