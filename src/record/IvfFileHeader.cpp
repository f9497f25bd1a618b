#include "record/IvfFileHeader.hpp"

#include <algorithm>

#include "record/LittleEndian.hpp"

namespace ct::record {

namespace {
constexpr std::array<uint8_t, 4> kSignature = {'D', 'K', 'I', 'F'};

}  // namespace

std::array<uint8_t, IvfFileHeader::kSize> IvfFileHeader::serialize() const {
  std::array<uint8_t, kSize> out{};
  std::copy(kSignature.begin(), kSignature.end(), out.begin());
  store_le16(&out[4], version);
  store_le16(&out[6], header_size);
  std::copy(fourcc.begin(), fourcc.end(), out.begin() + 8);
  store_le16(&out[kSizeOffset], width);
  store_le16(&out[kSizeOffset + 2], height);
  store_le32(&out[16], timebase_denominator);
  store_le32(&out[20], timebase_numerator);
  store_le32(&out[kFrameCountOffset], frame_count);
  return out;
}

std::optional<IvfFileHeader> IvfFileHeader::parse(std::span<const uint8_t> file) {
  if (file.size() < kSize || !std::equal(kSignature.begin(), kSignature.end(), file.begin())) {
    return std::nullopt;
  }
  IvfFileHeader header;
  header.version = load_le16(&file[4]);
  header.header_size = load_le16(&file[6]);
  if (header.header_size < kSize || header.header_size > file.size()) return std::nullopt;
  std::copy(file.begin() + 8, file.begin() + 12, header.fourcc.begin());
  header.width = load_le16(&file[kSizeOffset]);
  header.height = load_le16(&file[kSizeOffset + 2]);
  header.timebase_denominator = load_le32(&file[16]);
  header.timebase_numerator = load_le32(&file[20]);
  header.frame_count = load_le32(&file[kFrameCountOffset]);
  return header;
}

}  // namespace ct::record
