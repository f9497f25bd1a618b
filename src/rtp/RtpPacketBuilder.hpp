#pragma once
// Writes an RTP packet (RFC 3550 §5.1) with RFC 8285 header extensions, a
// payload and optional padding into a caller-owned buffer. Used for tests,
// RTX and padding probes. The builder keeps views of the extension data and
// payload until build() copies them.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "rtp/RtpPacket.hpp"

namespace ct::rtp {

class RtpPacketBuilder {
 public:
  static constexpr size_t kMaxExtensions = 16;
  static constexpr size_t kMaxCsrcs = 15;

  RtpPacketBuilder& marker(bool value) {
    marker_ = value;
    return *this;
  }
  RtpPacketBuilder& payload_type(uint8_t value) {
    payload_type_ = value;
    return *this;
  }
  RtpPacketBuilder& sequence_number(uint16_t value) {
    sequence_number_ = value;
    return *this;
  }
  RtpPacketBuilder& timestamp(uint32_t value) {
    timestamp_ = value;
    return *this;
  }
  RtpPacketBuilder& ssrc(uint32_t value) {
    ssrc_ = value;
    return *this;
  }
  RtpPacketBuilder& csrcs(std::span<const uint32_t> values) {
    csrcs_ = values;
    return *this;
  }
  // Without a call, the one-byte form is used unless an extension needs the
  // two-byte form (RFC 8285 §4.1: id > 14, or 0 or more than 16 data bytes).
  RtpPacketBuilder& extension_form(ExtensionForm form) {
    form_ = form;
    return *this;
  }
  RtpPacketBuilder& add_extension(uint8_t id, std::span<const uint8_t> data);
  RtpPacketBuilder& payload(std::span<const uint8_t> value) {
    payload_ = value;
    return *this;
  }
  // Padding octets (RFC 3550 §5.1), 0 for none; the last one holds the count.
  RtpPacketBuilder& padding(uint8_t count) {
    padding_ = count;
    return *this;
  }

  // Size of the packet build() would write, 0 if the settings are invalid.
  size_t size() const;
  // Writes the packet to the front of `out`; returns its length, or 0 if it
  // does not fit or the settings are invalid.
  size_t build(std::span<uint8_t> out) const;

 private:
  struct Extension {
    uint8_t id;
    std::span<const uint8_t> data;
  };
  ExtensionForm effective_form() const;

  bool marker_ = false;
  uint8_t payload_type_ = 0;
  uint16_t sequence_number_ = 0;
  uint32_t timestamp_ = 0;
  uint32_t ssrc_ = 0;
  std::span<const uint32_t> csrcs_;
  ExtensionForm form_ = ExtensionForm::None;
  std::array<Extension, kMaxExtensions> extensions_{};
  size_t extension_count_ = 0;
  bool too_many_extensions_ = false;
  std::span<const uint8_t> payload_;
  uint8_t padding_ = 0;
};

}  // namespace ct::rtp
