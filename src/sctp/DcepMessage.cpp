#include "sctp/DcepMessage.hpp"

#include <algorithm>

#include "core/Endian.hpp"

namespace ct::sctp {

bool is_known_channel_type(uint8_t value) {
  switch (value) {
    case 0x00:
    case 0x80:
    case 0x01:
    case 0x81:
    case 0x02:
    case 0x82:
      return true;
    default:
      return false;
  }
}

namespace {

std::optional<DcepMessage> fail(DcepError* error, DcepError why) {
  if (error) *error = why;
  return std::nullopt;
}

}  // namespace

std::optional<DcepMessage> DcepMessage::parse(std::span<const uint8_t> bytes, DcepError* error) {
  if (error) *error = DcepError::None;
  if (bytes.empty()) return fail(error, DcepError::Empty);

  DcepMessage message;
  if (bytes[0] == uint8_t(DcepMessageType::Ack)) {
    // RFC 8832 §5.2: the ACK is the type byte alone.
    message.type = DcepMessageType::Ack;
    return message;
  }
  if (bytes[0] != uint8_t(DcepMessageType::Open)) return fail(error, DcepError::UnknownMessageType);

  // RFC 8832 §5.1: type(1) channel type(1) priority(2) reliability(4)
  // label length(2) protocol length(2) label protocol.
  if (bytes.size() < kOpenHeaderSize) return fail(error, DcepError::Truncated);
  const uint8_t channel_type = bytes[1];
  if (!is_known_channel_type(channel_type)) return fail(error, DcepError::UnknownChannelType);
  const size_t label_length = load_u16(&bytes[8]);
  const size_t protocol_length = load_u16(&bytes[10]);
  if (bytes.size() - kOpenHeaderSize < label_length + protocol_length)
    return fail(error, DcepError::Truncated);

  message.type = DcepMessageType::Open;
  ChannelInfo& info = message.open;
  info.type = ChannelType(channel_type);
  info.priority = load_u16(&bytes[2]);
  info.reliability_parameter = is_reliable(info.type) ? 0 : load_u32(&bytes[4]);
  const auto* label = reinterpret_cast<const char*>(bytes.data() + kOpenHeaderSize);
  info.label.assign(label, label_length);
  info.protocol.assign(label + label_length, protocol_length);
  return message;
}

std::optional<std::vector<uint8_t>> DcepMessage::serialize_open(const ChannelInfo& info) {
  if (info.label.size() > 0xFFFF || info.protocol.size() > 0xFFFF) return std::nullopt;
  std::vector<uint8_t> out(kOpenHeaderSize + info.label.size() + info.protocol.size());
  out[0] = uint8_t(DcepMessageType::Open);
  out[1] = uint8_t(info.type);
  store_u16(&out[2], info.priority);
  store_u32(&out[4], is_reliable(info.type) ? 0 : info.reliability_parameter);
  store_u16(&out[8], uint16_t(info.label.size()));
  store_u16(&out[10], uint16_t(info.protocol.size()));
  auto it = out.begin() + kOpenHeaderSize;
  it = std::copy(info.label.begin(), info.label.end(), it);
  std::copy(info.protocol.begin(), info.protocol.end(), it);
  return out;
}

std::vector<uint8_t> DcepMessage::serialize_ack() { return {uint8_t(DcepMessageType::Ack)}; }

}  // namespace ct::sctp
