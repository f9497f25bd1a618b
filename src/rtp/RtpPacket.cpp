#include "rtp/RtpPacket.hpp"

#include <cstring>

namespace ct::rtp {

RtpExtensionIterator::RtpExtensionIterator(std::span<uint8_t> block, ExtensionForm form)
    : block_(block), form_(form), at_end_(false) {
  if (form_ == ExtensionForm::None) {
    at_end_ = true;
    return;
  }
  advance();
}

void RtpExtensionIterator::advance() {
  const size_t size = block_.size();
  while (next_ < size) {
    const size_t at = next_;
    const uint8_t first = block_[at];
    if (form_ == ExtensionForm::OneByte) {
      // RFC 8285 §4.2: id 0 is a padding byte, id 15 ends processing.
      const uint8_t id = first >> 4;
      if (id == 0) {
        ++next_;
        continue;
      }
      if (id == 15) break;
      const size_t length = size_t(first & 0x0F) + 1;
      if (at + 1 + length > size) break;
      current_ = {id, block_.subspan(at + 1, length)};
      element_offset_ = at;
      next_ = at + 1 + length;
      return;
    }
    // RFC 8285 §4.3: two-byte form, id 0 is a padding byte.
    if (first == 0) {
      ++next_;
      continue;
    }
    if (at + 2 > size) break;
    const size_t length = block_[at + 1];
    if (at + 2 + length > size) break;
    current_ = {first, block_.subspan(at + 2, length)};
    element_offset_ = at;
    next_ = at + 2 + length;
    return;
  }
  next_ = size;
  at_end_ = true;
}

std::optional<RtpPacket> RtpPacket::parse(std::span<uint8_t> buffer) {
  if (buffer.size() < kFixedHeaderSize) return std::nullopt;
  if ((buffer[0] >> 6) != 2) return std::nullopt;  // RFC 3550 §5.1: version 2
  RtpPacket packet(buffer);
  size_t offset = kFixedHeaderSize + 4 * packet.csrc_count();
  if (offset > buffer.size()) return std::nullopt;
  if (packet.has_extension()) {
    // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words.
    if (offset + 4 > buffer.size()) return std::nullopt;
    const uint16_t profile = load_u16(&buffer[offset]);
    const size_t length = size_t(load_u16(&buffer[offset + 2])) * 4;
    if (offset + 4 + length > buffer.size()) return std::nullopt;
    packet.extension_offset_ = offset + 4;
    packet.extension_size_ = length;
    if (profile == kOneByteProfile) {
      packet.extension_form_ = ExtensionForm::OneByte;
    } else if ((profile & 0xFFF0) == kTwoByteProfile) {
      packet.extension_form_ = ExtensionForm::TwoByte;
    }
    offset += 4 + length;
  } else {
    packet.extension_offset_ = offset;
  }
  packet.header_size_ = offset;
  if (packet.has_padding()) {
    // RFC 3550 §5.1: the last octet counts the padding, itself included.
    if (buffer.size() == offset) return std::nullopt;
    const size_t padding = buffer.back();
    if (padding == 0 || padding > buffer.size() - offset) return std::nullopt;
    packet.padding_size_ = padding;
  }
  return packet;
}

uint16_t RtpPacket::extension_profile() const {
  if (!has_extension()) return 0;
  return load_u16(&bytes_[extension_offset_ - 4]);
}

std::span<uint8_t> RtpPacket::find_extension(uint8_t id) const {
  if (id == 0) return {};
  for (const RtpExtension& extension : extensions()) {
    if (extension.id == id) return extension.data;
  }
  return {};
}

bool RtpPacket::rewrite_extension_ids(const RtpExtensionIdMap& mapping) {
  if (extension_form_ == ExtensionForm::None) return true;
  // First pass: refuse before touching anything if a new id needs the other form.
  if (extension_form_ == ExtensionForm::OneByte) {
    for (const RtpExtension& extension : extensions()) {
      if (mapping[extension.id] > 14) return false;
    }
  }
  std::span<uint8_t> block = extension_block();
  for (RtpExtensionIterator it(block, extension_form_); it != RtpExtensionIterator(); ++it) {
    const uint8_t new_id = mapping[it->id];
    uint8_t* element = &block[it.element_offset()];
    const size_t header = extension_form_ == ExtensionForm::OneByte ? 1 : 2;
    if (new_id == 0) {
      // Zero bytes are padding in both forms (RFC 8285 §4.2, §4.3).
      std::memset(element, 0, header + it->data.size());
    } else if (extension_form_ == ExtensionForm::OneByte) {
      element[0] = uint8_t(new_id << 4 | (element[0] & 0x0F));
    } else {
      element[0] = new_id;
    }
  }
  return true;
}

}  // namespace ct::rtp
