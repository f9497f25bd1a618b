#include "stun/StunMessageBuilder.hpp"

#include <cstring>

#include "core/Endian.hpp"
#include "stun/StunCrypto.hpp"

namespace ct::stun {

StunMessageBuilder::StunMessageBuilder(std::vector<uint8_t>& out, Method method, MessageClass cls,
                                       const TransactionId& id)
    : vector_(&out) {
  start(method, cls, id);
}

StunMessageBuilder::StunMessageBuilder(std::span<uint8_t> out, Method method, MessageClass cls,
                                       const TransactionId& id)
    : fixed_(out) {
  start(method, cls, id);
}

void StunMessageBuilder::start(Method method, MessageClass cls, const TransactionId& id) {
  if (vector_) {
    vector_->resize(kHeaderSize);
  } else if (fixed_.size() < kHeaderSize) {
    ok_ = false;
    return;
  }
  uint8_t* p = storage();
  store_u16(p, encode_message_type(method, cls));
  store_u16(p + 2, 0);
  store_u32(p + 4, kMagicCookie);
  std::memcpy(p + 8, id.data(), kTransactionIdSize);
  size_ = kHeaderSize;
}

uint8_t* StunMessageBuilder::append(AttributeType type, size_t length) {
  if (!ok_) return nullptr;
  const size_t padded = (length + 3) & ~size_t(3);
  const size_t new_size = size_ + 4 + padded;
  // Both the attribute and the message carry 16-bit lengths.
  if (length > 0xFFFF || new_size - kHeaderSize > 0xFFFF) {
    ok_ = false;
    return nullptr;
  }
  if (vector_) {
    vector_->resize(new_size);
  } else if (new_size > fixed_.size()) {
    ok_ = false;
    return nullptr;
  }
  uint8_t* p = storage() + size_;
  store_u16(p, uint16_t(type));
  store_u16(p + 2, uint16_t(length));
  std::memset(p + 4 + length, 0, padded - length);
  size_ = new_size;
  store_u16(storage() + 2, uint16_t(size_ - kHeaderSize));
  return p + 4;
}

StunMessageBuilder& StunMessageBuilder::add_attribute(AttributeType type, std::span<const uint8_t> value) {
  if (uint8_t* p = append(type, value.size()); p && !value.empty())
    std::memcpy(p, value.data(), value.size());
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_text(AttributeType type, std::string_view text) {
  return add_attribute(type, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
}

StunMessageBuilder& StunMessageBuilder::add_u32(AttributeType type, uint32_t value) {
  if (uint8_t* p = append(type, 4)) store_u32(p, value);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_u64(AttributeType type, uint64_t value) {
  if (uint8_t* p = append(type, 8)) store_u64(p, value);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_xor_address(AttributeType type,
                                                        const net::SocketAddress& address) {
  // RFC 8489 §14.2: reserved byte, family, X-Port, X-Address.
  const size_t addr_size = address.size();
  uint8_t* p = append(type, 4 + addr_size);
  if (!p) return *this;
  std::array<uint8_t, 16> pad;
  store_u32(pad.data(), kMagicCookie);
  std::memcpy(pad.data() + 4, storage() + 8, kTransactionIdSize);
  p[0] = 0;
  p[1] = address.is_v4() ? 0x01 : 0x02;
  store_u16(p + 2, uint16_t(address.port() ^ (kMagicCookie >> 16)));
  for (size_t i = 0; i < addr_size; ++i) p[4 + i] = uint8_t(address.bytes()[i] ^ pad[i]);
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_error_code(uint16_t code, std::string_view reason) {
  if (reason.empty()) reason = default_reason_phrase(code);
  // RFC 8489 §14.8: Class = hundreds (3..6), Number = code mod 100.
  uint8_t* p = append(AttributeType::ErrorCode, 4 + reason.size());
  if (!p) return *this;
  p[0] = 0;
  p[1] = 0;
  p[2] = uint8_t((code / 100) & 0x07);
  p[3] = uint8_t(code % 100);
  if (!reason.empty()) std::memcpy(p + 4, reason.data(), reason.size());
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_channel_number(uint16_t channel) {
  // RFC 8656 §18.1: the number, then 16 RFFU bits.
  if (uint8_t* p = append(AttributeType::ChannelNumber, 4)) {
    store_u16(p, channel);
    store_u16(p + 2, 0);
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_requested_transport(uint8_t protocol) {
  // RFC 8656 §18.11: protocol, then 24 RFFU bits.
  if (uint8_t* p = append(AttributeType::RequestedTransport, 4)) {
    p[0] = protocol;
    p[1] = p[2] = p[3] = 0;
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_even_port(bool reserve_next_port) {
  // RFC 8656 §18.7: one byte, R in the top bit.
  if (uint8_t* p = append(AttributeType::EvenPort, 1)) p[0] = reserve_next_port ? 0x80 : 0x00;
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_unknown_attributes(std::span<const uint16_t> types) {
  if (uint8_t* p = append(AttributeType::UnknownAttributes, types.size() * 2)) {
    for (size_t i = 0; i < types.size(); ++i) store_u16(p + 2 * i, types[i]);
  }
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_integrity(AttributeType type, bool sha256,
                                                      std::span<const uint8_t> key) {
  const HmacDigest digest = sha256 ? HmacDigest::Sha256 : HmacDigest::Sha1;
  const size_t attribute_start = size_;
  // append() sets the length field to include this attribute, which is the
  // value §14.5/§14.6 says the HMAC input must carry.
  uint8_t* p = append(type, hmac_size(digest));
  if (!p) return *this;
  if (!hmac(digest, key, {storage(), attribute_start}, {}, p)) ok_ = false;
  return *this;
}

StunMessageBuilder& StunMessageBuilder::add_message_integrity(std::span<const uint8_t> key) {
  return add_integrity(AttributeType::MessageIntegrity, false, key);
}

StunMessageBuilder& StunMessageBuilder::add_message_integrity_sha256(std::span<const uint8_t> key) {
  return add_integrity(AttributeType::MessageIntegritySha256, true, key);
}

StunMessageBuilder& StunMessageBuilder::add_fingerprint() {
  const size_t attribute_start = size_;
  if (uint8_t* p = append(AttributeType::Fingerprint, 4)) {
    store_u32(p, crc32({storage(), attribute_start}) ^ kFingerprintXor);
  }
  return *this;
}

}  // namespace ct::stun
