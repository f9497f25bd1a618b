#include "rtp/RtpExtensions.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

std::optional<AudioLevel> read_audio_level(std::span<const uint8_t> data) {
  if (data.empty()) return std::nullopt;
  // RFC 6464 §3: V bit, then the 7-bit level.
  return AudioLevel{(data[0] & 0x80) != 0, uint8_t(data[0] & 0x7F)};
}

bool write_audio_level(std::span<uint8_t> data, AudioLevel value) {
  if (data.empty() || value.level > 127) return false;
  data[0] = uint8_t((value.voice_activity ? 0x80 : 0) | value.level);
  return true;
}

std::optional<std::string_view> read_sdes_string(std::span<const uint8_t> data) {
  if (data.empty()) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(data.data()), data.size());
}

std::optional<uint16_t> read_transport_sequence_number(std::span<const uint8_t> data) {
  if (data.size() < 2) return std::nullopt;
  return load_u16(data.data());
}

bool write_transport_sequence_number(std::span<uint8_t> data, uint16_t value) {
  if (data.size() < 2) return false;
  store_u16(data.data(), value);
  return true;
}

std::optional<uint32_t> read_abs_send_time(std::span<const uint8_t> data) {
  if (data.size() < 3) return std::nullopt;
  return load_u24(data.data());
}

bool write_abs_send_time(std::span<uint8_t> data, uint32_t value) {
  if (data.size() < 3 || value > 0xFFFFFF) return false;
  store_u24(data.data(), value);
  return true;
}

}  // namespace ct::rtp
