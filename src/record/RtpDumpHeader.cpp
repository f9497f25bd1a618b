#include "record/RtpDumpHeader.hpp"

#include <algorithm>
#include <cstring>

#include "record/LittleEndian.hpp"

namespace ct::record {

std::array<uint8_t, RtpDumpHeader::kSize> RtpDumpHeader::serialize() const {
  std::array<uint8_t, kSize> out{};
  std::copy(kMagic.begin(), kMagic.end(), out.begin());
  store_le16(&out[8], version);
  store_le16(&out[10], uint16_t(kSize));
  store_le32(&out[12], clock_rate);
  out[16] = payload_type;
  out[17] = channels;
  std::memcpy(&out[20], codec.data(), std::min(codec.size(), kCodecNameSize));
  store_le64(&out[32], start_time_us);
  return out;
}

std::optional<RtpDumpHeader> RtpDumpHeader::parse(std::span<const uint8_t> file) {
  if (file.size() < kSize || !std::equal(kMagic.begin(), kMagic.end(), file.begin())) return std::nullopt;
  RtpDumpHeader header;
  header.version = load_le16(&file[8]);
  header.header_size = load_le16(&file[10]);
  if (header.version < kOldestVersion || header.version > kVersion || header.header_size < kSize ||
      header.header_size > file.size()) {
    return std::nullopt;
  }
  header.clock_rate = load_le32(&file[12]);
  header.payload_type = file[16];
  header.channels = file[17];
  const auto* name = reinterpret_cast<const char*>(&file[20]);
  header.codec.assign(name, strnlen(name, kCodecNameSize));
  header.start_time_us = load_le64(&file[32]);
  return header;
}

}  // namespace ct::record
