#pragma once
// A view over one RTP packet (RFC 3550 §5.1) in a receive buffer. Parsing
// validates the layout once; getters and setters then read and write the
// header fields in place. No copy, no allocation.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>

#include "core/Endian.hpp"
#include "rtp/RtpExtensionIdMap.hpp"

namespace ct::rtp {

// The two header extension forms of RFC 8285 §4.
enum class ExtensionForm : uint8_t {
  None,     // no extension block, or a profile other than RFC 8285's
  OneByte,  // profile 0xBEDE, ids 1..14, 1..16 data bytes
  TwoByte,  // profile 0x100X, ids 1..255, 0..255 data bytes
};

// One header extension element: its local id and its data bytes (in place).
struct RtpExtension {
  uint8_t id = 0;
  std::span<uint8_t> data;
};

// Walks the elements of an RFC 8285 extension block. Stops at the end of the
// block, at a one-byte id 15 (§4.2: stop processing), or at an element that
// does not fit in the block.
class RtpExtensionIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = RtpExtension;
  using difference_type = std::ptrdiff_t;
  using pointer = const RtpExtension*;
  using reference = const RtpExtension&;

  RtpExtensionIterator() = default;  // the end
  RtpExtensionIterator(std::span<uint8_t> block, ExtensionForm form);

  const RtpExtension& operator*() const { return current_; }
  const RtpExtension* operator->() const { return &current_; }
  RtpExtensionIterator& operator++() {
    advance();
    return *this;
  }
  void operator++(int) { advance(); }
  bool operator==(const RtpExtensionIterator& other) const { return at_end_ == other.at_end_; }
  // Offset of the current element's first byte (its id byte) within the block.
  size_t element_offset() const { return element_offset_; }

 private:
  void advance();

  std::span<uint8_t> block_;
  ExtensionForm form_ = ExtensionForm::None;
  size_t next_ = 0;
  size_t element_offset_ = 0;
  RtpExtension current_;
  bool at_end_ = true;
};

struct RtpExtensionRange {
  RtpExtensionIterator first;
  RtpExtensionIterator begin() const { return first; }
  RtpExtensionIterator end() const { return {}; }
};

class RtpPacket {
 public:
  static constexpr size_t kFixedHeaderSize = 12;
  static constexpr uint16_t kOneByteProfile = 0xBEDE;
  static constexpr uint16_t kTwoByteProfile = 0x1000;  // upper 12 bits; low 4 are appbits

  // Validates version 2, CSRC count, extension length and padding
  // (RFC 3550 §5.1, §5.3.1). The view aliases `buffer`.
  static std::optional<RtpPacket> parse(std::span<uint8_t> buffer);

  // RFC 7983 §7: first byte 128..191 is RTP or RTCP.
  static bool is_rtp_or_rtcp(uint8_t first_byte) { return first_byte >= 128 && first_byte <= 191; }
  // RFC 5761 §4: with rtcp-mux, a second byte of 192..223 means RTCP
  // (payload types 64..95 with the marker bit are never used by RTP).
  static bool is_rtcp(std::span<const uint8_t> packet) {
    return packet.size() >= 2 && is_rtp_or_rtcp(packet[0]) && packet[1] >= 192 && packet[1] <= 223;
  }

  bool marker() const { return (bytes_[1] & 0x80) != 0; }
  uint8_t payload_type() const { return bytes_[1] & 0x7F; }
  uint16_t sequence_number() const { return load_u16(&bytes_[2]); }
  uint32_t timestamp() const { return load_u32(&bytes_[4]); }
  uint32_t ssrc() const { return load_u32(&bytes_[8]); }
  size_t csrc_count() const { return bytes_[0] & 0x0F; }
  uint32_t csrc(size_t index) const {
    return load_u32(&bytes_[kFixedHeaderSize + 4 * index]);
  }  // index < csrc_count()

  void set_marker(bool marker) { bytes_[1] = uint8_t((bytes_[1] & 0x7F) | (marker ? 0x80 : 0)); }
  void set_payload_type(uint8_t payload_type) {
    bytes_[1] = uint8_t((bytes_[1] & 0x80) | (payload_type & 0x7F));
  }
  void set_sequence_number(uint16_t sequence_number) { store_u16(&bytes_[2], sequence_number); }
  void set_timestamp(uint32_t timestamp) { store_u32(&bytes_[4], timestamp); }
  void set_ssrc(uint32_t ssrc) { store_u32(&bytes_[8], ssrc); }
  void set_csrc(size_t index, uint32_t csrc) { store_u32(&bytes_[kFixedHeaderSize + 4 * index], csrc); }

  // Fixed header + CSRCs + extension block (with its 4-byte header).
  size_t header_size() const { return header_size_; }
  bool has_padding() const { return (bytes_[0] & 0x20) != 0; }
  size_t padding_size() const { return padding_size_; }
  // The payload, excluding padding.
  std::span<uint8_t> payload() const {
    return bytes_.subspan(header_size_, bytes_.size() - header_size_ - padding_size_);
  }
  std::span<uint8_t> bytes() const { return bytes_; }
  size_t size() const { return bytes_.size(); }

  bool has_extension() const { return (bytes_[0] & 0x10) != 0; }
  ExtensionForm extension_form() const { return extension_form_; }
  uint16_t extension_profile() const;  // 0 without an extension block
  // The extension elements' bytes, after the 4-byte profile/length word.
  std::span<uint8_t> extension_block() const { return bytes_.subspan(extension_offset_, extension_size_); }

  RtpExtensionRange extensions() const { return {RtpExtensionIterator(extension_block(), extension_form_)}; }
  // The data of extension `id`, empty if absent (a two-byte element may also
  // be present with zero data bytes; use extensions() to tell them apart).
  std::span<uint8_t> find_extension(uint8_t id) const;

  // Replaces each element's id by mapping[id] in place; an id mapped to 0 is
  // removed (its bytes become padding, RFC 8285 §4.2). If any new id does not
  // fit the packet's form (one-byte ids are 1..14), nothing is changed and
  // false is returned: changing the form would need the packet to grow.
  bool rewrite_extension_ids(const RtpExtensionIdMap& mapping);

 private:
  explicit RtpPacket(std::span<uint8_t> bytes) : bytes_(bytes) {}

  std::span<uint8_t> bytes_;
  size_t header_size_ = 0;
  size_t padding_size_ = 0;
  size_t extension_offset_ = 0;
  size_t extension_size_ = 0;
  ExtensionForm extension_form_ = ExtensionForm::None;
};

}  // namespace ct::rtp
