#include "rtp/Rtx.hpp"

#include <cstring>

#include "core/Endian.hpp"

namespace ct::rtp {

namespace {
constexpr size_t kOsnSize = 2;
}

std::optional<uint16_t> rtx_original_sequence_number(const RtpPacket& rtx) {
  const std::span<uint8_t> payload = rtx.payload();
  if (payload.size() < kOsnSize) return std::nullopt;
  return load_u16(payload.data());
}

size_t unwrap_rtx(const RtpPacket& rtx, uint32_t media_ssrc, uint8_t media_payload_type,
                  std::span<uint8_t> out) {
  const std::optional<uint16_t> osn = rtx_original_sequence_number(rtx);
  if (!osn) return 0;
  const size_t header = rtx.header_size();
  const size_t payload = rtx.payload().size() - kOsnSize;
  if (out.size() < header + payload) return 0;
  std::memcpy(out.data(), rtx.bytes().data(), header);
  std::memcpy(out.data() + header, rtx.payload().data() + kOsnSize, payload);
  out[0] &= 0xDF;  // RTX padding is not part of the original
  std::optional<RtpPacket> original = RtpPacket::parse(out.first(header + payload));
  if (!original) return 0;
  original->set_ssrc(media_ssrc);
  original->set_payload_type(media_payload_type);
  original->set_sequence_number(*osn);
  return header + payload;
}

std::optional<RtpPacket> unwrap_rtx_in_place(const RtpPacket& rtx, uint32_t media_ssrc,
                                             uint8_t media_payload_type) {
  const std::optional<uint16_t> osn = rtx_original_sequence_number(rtx);
  if (!osn) return std::nullopt;
  const std::span<uint8_t> bytes = rtx.bytes();
  const size_t header = rtx.header_size();
  const size_t payload = rtx.payload().size() - kOsnSize;
  std::memmove(bytes.data() + kOsnSize, bytes.data(), header);
  std::span<uint8_t> original = bytes.subspan(kOsnSize, header + payload);
  original[0] &= 0xDF;  // RTX padding stays behind
  std::optional<RtpPacket> packet = RtpPacket::parse(original);
  if (!packet) return std::nullopt;
  packet->set_ssrc(media_ssrc);
  packet->set_payload_type(media_payload_type);
  packet->set_sequence_number(*osn);
  return packet;
}

size_t wrap_rtx(const RtpPacket& media, uint32_t rtx_ssrc, uint8_t rtx_payload_type,
                uint16_t rtx_sequence_number, std::span<uint8_t> out) {
  const size_t header = media.header_size();
  const std::span<uint8_t> payload = media.payload();
  const size_t total = header + kOsnSize + payload.size();
  if (out.size() < total) return 0;
  std::memcpy(out.data(), media.bytes().data(), header);
  out[0] &= 0xDF;  // no padding
  store_u16(out.data() + header, media.sequence_number());
  if (!payload.empty()) std::memcpy(out.data() + header + kOsnSize, payload.data(), payload.size());
  std::optional<RtpPacket> rtx = RtpPacket::parse(out.first(total));
  if (!rtx) return 0;
  rtx->set_ssrc(rtx_ssrc);
  rtx->set_payload_type(rtx_payload_type);
  rtx->set_sequence_number(rtx_sequence_number);
  return total;
}

}  // namespace ct::rtp
