#include "rtp/RtpPacketBuilder.hpp"

#include <cstring>

#include "core/Endian.hpp"

namespace ct::rtp {

RtpPacketBuilder& RtpPacketBuilder::add_extension(uint8_t id, std::span<const uint8_t> data) {
  if (extension_count_ == kMaxExtensions) {
    too_many_extensions_ = true;
  } else {
    extensions_[extension_count_++] = {id, data};
  }
  return *this;
}

ExtensionForm RtpPacketBuilder::effective_form() const {
  if (extension_count_ == 0) return ExtensionForm::None;
  if (form_ != ExtensionForm::None) return form_;
  for (size_t i = 0; i < extension_count_; ++i) {
    const Extension& e = extensions_[i];
    if (e.id > 14 || e.data.empty() || e.data.size() > 16) return ExtensionForm::TwoByte;
  }
  return ExtensionForm::OneByte;
}

size_t RtpPacketBuilder::size() const {
  if (too_many_extensions_ || payload_type_ > 127 || csrcs_.size() > kMaxCsrcs) return 0;
  size_t size = RtpPacket::kFixedHeaderSize + 4 * csrcs_.size();
  const ExtensionForm form = effective_form();
  if (form != ExtensionForm::None) {
    size_t elements = 0;
    for (size_t i = 0; i < extension_count_; ++i) {
      const Extension& e = extensions_[i];
      if (form == ExtensionForm::OneByte) {
        if (e.id == 0 || e.id > 14 || e.data.empty() || e.data.size() > 16) return 0;
        elements += 1 + e.data.size();
      } else {
        if (e.id == 0 || e.data.size() > 255) return 0;
        elements += 2 + e.data.size();
      }
    }
    const size_t words = (elements + 3) / 4;
    if (words > 0xFFFF) return 0;
    size += 4 + 4 * words;
  }
  return size + payload_.size() + padding_;
}

size_t RtpPacketBuilder::build(std::span<uint8_t> out) const {
  const size_t total = size();
  if (total == 0 || total > out.size()) return 0;
  const ExtensionForm form = effective_form();
  uint8_t* p = out.data();
  p[0] = uint8_t(0x80 | (padding_ ? 0x20 : 0) | (form != ExtensionForm::None ? 0x10 : 0) | csrcs_.size());
  p[1] = uint8_t((marker_ ? 0x80 : 0) | payload_type_);
  store_u16(p + 2, sequence_number_);
  store_u32(p + 4, timestamp_);
  store_u32(p + 8, ssrc_);
  size_t at = RtpPacket::kFixedHeaderSize;
  for (uint32_t csrc : csrcs_) {
    store_u32(p + at, csrc);
    at += 4;
  }
  if (form != ExtensionForm::None) {
    const size_t block_header = at;
    at += 4;
    for (size_t i = 0; i < extension_count_; ++i) {
      const Extension& e = extensions_[i];
      if (form == ExtensionForm::OneByte) {
        p[at++] = uint8_t(e.id << 4 | (e.data.size() - 1));
      } else {
        p[at++] = e.id;
        p[at++] = uint8_t(e.data.size());
      }
      if (!e.data.empty()) std::memcpy(p + at, e.data.data(), e.data.size());
      at += e.data.size();
    }
    // Pad the block to a 32-bit boundary with zero (padding) bytes.
    while ((at - block_header) % 4 != 0) p[at++] = 0;
    store_u16(p + block_header,
              form == ExtensionForm::OneByte ? RtpPacket::kOneByteProfile : RtpPacket::kTwoByteProfile);
    store_u16(p + block_header + 2, uint16_t((at - block_header - 4) / 4));
  }
  if (!payload_.empty()) std::memcpy(p + at, payload_.data(), payload_.size());
  at += payload_.size();
  if (padding_) {
    std::memset(p + at, 0, padding_ - 1u);
    at += padding_;
    p[at - 1] = padding_;
  }
  return at;
}

}  // namespace ct::rtp
