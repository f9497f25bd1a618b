#pragma once
// Test support: splits VP8 frames into RTP payloads (RFC 7741 §4) the way
// Chromium does: a 4-byte descriptor with X, I and a 15-bit PictureID, S=1
// and PID=0 on the first packet of a frame, the marker on the last, packets
// of nearly equal size up to a maximum.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ct::record::test {

struct RtpVp8Packet {
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  bool marker = false;
  std::vector<uint8_t> payload;  // descriptor + VP8 data
};

class Vp8Packetizer {
 public:
  Vp8Packetizer(uint16_t first_sequence_number, size_t max_payload_size)
      : sequence_number_(first_sequence_number), max_data_(max_payload_size - kDescriptorSize) {}

  std::vector<RtpVp8Packet> packetize(uint32_t timestamp, std::span<const uint8_t> frame) {
    const size_t count = std::max<size_t>(1, (frame.size() + max_data_ - 1) / max_data_);
    std::vector<RtpVp8Packet> packets;
    size_t offset = 0;
    for (size_t i = 0; i < count; ++i) {
      const size_t size = (frame.size() - offset) / (count - i);  // spread evenly
      RtpVp8Packet packet{sequence_number_++, timestamp, i + 1 == count, {}};
      packet.payload = {uint8_t(0x80 | (i == 0 ? 0x10 : 0x00)), 0x80, uint8_t(0x80 | (picture_id_ >> 8)),
                        uint8_t(picture_id_)};
      packet.payload.insert(packet.payload.end(), frame.begin() + offset, frame.begin() + offset + size);
      offset += size;
      packets.push_back(std::move(packet));
    }
    picture_id_ = (picture_id_ + 1) & 0x7FFF;
    return packets;
  }

  uint16_t next_sequence_number() const { return sequence_number_; }

 private:
  static constexpr size_t kDescriptorSize = 4;
  uint16_t sequence_number_;
  size_t max_data_;
  uint16_t picture_id_ = 0x7FF0;  // wraps within a few frames
};

}  // namespace ct::record::test
