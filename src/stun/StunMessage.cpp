#include "stun/StunMessage.hpp"

#include <openssl/crypto.h>

#include <cstring>

#include "core/Endian.hpp"

namespace ct::stun {
namespace {

// RFC 8489 §14.3: USERNAME is fewer than 509 bytes (RFC 5389 allowed 513).
constexpr size_t kMaxUsernameBytes = 513;
// RFC 8489 §14.9, §14.10, §14.14, §14.8: fewer than 128 characters, at most 763 bytes.
constexpr size_t kMaxTextBytes = 763;

constexpr uint8_t kFamilyV4 = 0x01;
constexpr uint8_t kFamilyV6 = 0x02;

std::optional<net::SocketAddress> decode_address(std::span<const uint8_t> v, const uint8_t* xor_pad,
                                                 uint16_t port_xor) {
  if (v.size() < 4) return std::nullopt;
  uint16_t port = uint16_t(load_u16(&v[2]) ^ port_xor);
  if (v[1] == kFamilyV4 && v.size() == 8) {
    std::array<uint8_t, 4> a;
    for (size_t i = 0; i < 4; ++i) a[i] = uint8_t(v[4 + i] ^ (xor_pad ? xor_pad[i] : 0));
    return net::SocketAddress::v4(a, port);
  }
  if (v[1] == kFamilyV6 && v.size() == 20) {
    std::array<uint8_t, 16> a;
    for (size_t i = 0; i < 16; ++i) a[i] = uint8_t(v[4 + i] ^ (xor_pad ? xor_pad[i] : 0));
    return net::SocketAddress::v6(a, port);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(StunParseError error) {
  switch (error) {
    case StunParseError::TooShort:
      return "too short";
    case StunParseError::NotStun:
      return "not STUN";
    case StunParseError::BadMagicCookie:
      return "bad magic cookie";
    case StunParseError::BadLength:
      return "bad length";
    case StunParseError::AttributeOverrun:
      return "attribute overruns message";
    case StunParseError::TooManyAttributes:
      return "too many attributes";
    case StunParseError::FingerprintNotLast:
      return "FINGERPRINT not last";
  }
  return "unknown";
}

bool StunMessage::looks_like_stun(std::span<const uint8_t> d) {
  if (d.size() < kHeaderSize) return false;
  if ((d[0] & 0xC0) != 0) return false;
  if (load_u32(&d[4]) != kMagicCookie) return false;
  size_t length = load_u16(&d[2]);
  return length % 4 == 0 && kHeaderSize + length == d.size();
}

std::optional<StunMessage> StunMessage::parse(std::span<const uint8_t> d, StunParseError* error) {
  auto fail = [error](StunParseError e) -> std::optional<StunMessage> {
    if (error) *error = e;
    return std::nullopt;
  };
  // RFC 8489 §5: header checks.
  if (d.size() < kHeaderSize) return fail(StunParseError::TooShort);
  if ((d[0] & 0xC0) != 0) return fail(StunParseError::NotStun);
  if (load_u32(&d[4]) != kMagicCookie) return fail(StunParseError::BadMagicCookie);
  const size_t length = load_u16(&d[2]);
  if (length % 4 != 0 || kHeaderSize + length != d.size()) return fail(StunParseError::BadLength);

  StunMessage m;
  m.bytes_ = d;
  m.type_ = load_u16(&d[0]);
  std::memcpy(m.transaction_id_.data(), &d[8], kTransactionIdSize);

  const size_t end = d.size();
  size_t pos = kHeaderSize;
  bool after_integrity = false;
  bool after_integrity_sha256 = false;
  while (pos < end) {
    // RFC 8489 §14: type, length, value padded to 4 bytes.
    if (end - pos < 4) return fail(StunParseError::AttributeOverrun);
    const uint16_t type = load_u16(&d[pos]);
    const uint16_t attr_length = load_u16(&d[pos + 2]);
    const size_t value_pos = pos + 4;
    if (attr_length > end - value_pos) return fail(StunParseError::AttributeOverrun);
    // `end` and `value_pos` are multiples of 4, so the padded value ends within the message.
    const size_t next = value_pos + ((size_t(attr_length) + 3) & ~size_t(3));

    // §14.7: nothing may follow FINGERPRINT.
    if (m.fingerprint_index_ >= 0) return fail(StunParseError::FingerprintNotLast);

    // §14.5, §14.6: after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and
    // FINGERPRINT count; after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT.
    bool keep = true;
    int8_t* marker = nullptr;
    const auto attr_type = AttributeType(type);
    if (attr_type == AttributeType::Fingerprint) {
      marker = &m.fingerprint_index_;
    } else if (after_integrity_sha256) {
      keep = false;
    } else if (attr_type == AttributeType::MessageIntegritySha256) {
      marker = &m.integrity_sha256_index_;
      after_integrity_sha256 = true;
    } else if (after_integrity) {
      keep = false;
    } else if (attr_type == AttributeType::MessageIntegrity) {
      marker = &m.integrity_index_;
      after_integrity = true;
    }
    if (keep) {
      if (m.attribute_count_ == kMaxAttributes) return fail(StunParseError::TooManyAttributes);
      if (marker) *marker = int8_t(m.attribute_count_);
      m.attributes_[m.attribute_count_++] = StunAttribute{attr_type, attr_length, uint32_t(value_pos)};
    }
    pos = next;
  }
  return m;
}

const StunAttribute* StunMessage::find(AttributeType type) const {
  for (size_t i = 0; i < attribute_count_; ++i) {
    if (attributes_[i].type == type) return &attributes_[i];
  }
  return nullptr;
}

std::optional<std::span<const uint8_t>> StunMessage::value_of(AttributeType type) const {
  const StunAttribute* a = find(type);
  if (!a) return std::nullopt;
  return value(*a);
}

std::optional<std::string_view> StunMessage::text(AttributeType type, size_t max_bytes) const {
  auto v = value_of(type);
  if (!v || v->size() > max_bytes) return std::nullopt;
  return std::string_view(reinterpret_cast<const char*>(v->data()), v->size());
}

std::optional<uint32_t> StunMessage::u32(AttributeType type) const {
  auto v = value_of(type);
  if (!v || v->size() != 4) return std::nullopt;
  return load_u32(v->data());
}

std::optional<uint64_t> StunMessage::u64(AttributeType type) const {
  auto v = value_of(type);
  if (!v || v->size() != 8) return std::nullopt;
  return load_u64(v->data());
}

std::optional<std::string_view> StunMessage::username() const {
  return text(AttributeType::Username, kMaxUsernameBytes);
}
std::optional<std::string_view> StunMessage::realm() const {
  return text(AttributeType::Realm, kMaxTextBytes);
}
std::optional<std::string_view> StunMessage::nonce() const {
  return text(AttributeType::Nonce, kMaxTextBytes);
}
std::optional<std::string_view> StunMessage::software() const {
  return text(AttributeType::Software, kMaxTextBytes);
}
std::optional<uint32_t> StunMessage::priority() const { return u32(AttributeType::Priority); }
std::optional<uint64_t> StunMessage::ice_controlling() const { return u64(AttributeType::IceControlling); }
std::optional<uint64_t> StunMessage::ice_controlled() const { return u64(AttributeType::IceControlled); }
std::optional<uint32_t> StunMessage::lifetime() const { return u32(AttributeType::Lifetime); }
std::optional<uint64_t> StunMessage::reservation_token() const {
  return u64(AttributeType::ReservationToken);
}
std::optional<std::span<const uint8_t>> StunMessage::data() const { return value_of(AttributeType::Data); }

std::optional<net::SocketAddress> StunMessage::decode_xor_address(const StunAttribute& attribute) const {
  // RFC 8489 §14.2: X-Port is the port XOR the cookie's top 16 bits; X-Address
  // is the address XOR the cookie (IPv4) or the cookie then the transaction id (IPv6).
  std::array<uint8_t, 16> pad;
  store_u32(pad.data(), kMagicCookie);
  std::memcpy(pad.data() + 4, transaction_id_.data(), kTransactionIdSize);
  return decode_address(value(attribute), pad.data(), uint16_t(kMagicCookie >> 16));
}

std::optional<net::SocketAddress> StunMessage::xor_address(AttributeType type) const {
  const StunAttribute* a = find(type);
  if (!a) return std::nullopt;
  return decode_xor_address(*a);
}

std::optional<net::SocketAddress> StunMessage::xor_mapped_address() const {
  return xor_address(AttributeType::XorMappedAddress);
}
std::optional<net::SocketAddress> StunMessage::xor_peer_address() const {
  return xor_address(AttributeType::XorPeerAddress);
}
std::optional<net::SocketAddress> StunMessage::xor_relayed_address() const {
  return xor_address(AttributeType::XorRelayedAddress);
}
std::optional<net::SocketAddress> StunMessage::mapped_address() const {
  auto v = value_of(AttributeType::MappedAddress);
  if (!v) return std::nullopt;
  return decode_address(*v, nullptr, 0);
}

std::optional<ErrorCode> StunMessage::error_code() const {
  // RFC 8489 §14.8: 21 reserved bits, Class (3 bits, 3..6), Number (0..99), reason phrase.
  auto v = value_of(AttributeType::ErrorCode);
  if (!v || v->size() < 4 || v->size() - 4 > kMaxTextBytes) return std::nullopt;
  const unsigned cls = (*v)[2] & 0x07;
  const unsigned number = (*v)[3];
  if (cls < 3 || cls > 6 || number > 99) return std::nullopt;
  return ErrorCode{uint16_t(cls * 100 + number),
                   std::string_view(reinterpret_cast<const char*>(v->data() + 4), v->size() - 4)};
}

std::optional<uint16_t> StunMessage::channel_number() const {
  // RFC 8656 §18.1: channel number, then 16 RFFU bits.
  auto v = value_of(AttributeType::ChannelNumber);
  if (!v || v->size() != 4) return std::nullopt;
  return load_u16(v->data());
}

std::optional<uint8_t> StunMessage::requested_transport() const {
  // RFC 8656 §18.11: protocol number, then 24 RFFU bits.
  auto v = value_of(AttributeType::RequestedTransport);
  if (!v || v->size() != 4) return std::nullopt;
  return (*v)[0];
}

std::optional<bool> StunMessage::even_port() const {
  // RFC 8656 §18.7: one byte, R in the top bit.
  auto v = value_of(AttributeType::EvenPort);
  if (!v || v->size() != 1) return std::nullopt;
  return ((*v)[0] & 0x80) != 0;
}

std::optional<std::vector<uint16_t>> StunMessage::unknown_attributes() const {
  auto v = value_of(AttributeType::UnknownAttributes);
  if (!v || v->size() % 2 != 0) return std::nullopt;
  std::vector<uint16_t> types;
  types.reserve(v->size() / 2);
  for (size_t i = 0; i < v->size(); i += 2) types.push_back(load_u16(v->data() + i));
  return types;
}

std::vector<uint16_t> StunMessage::unknown_comprehension_required() const {
  std::vector<uint16_t> unknown;
  for (const StunAttribute& a : attributes()) {
    auto t = uint16_t(a.type);
    if (is_comprehension_required(t) && !is_known_attribute(t)) unknown.push_back(t);
  }
  return unknown;
}

bool StunMessage::verify_integrity(int index, HmacDigest digest, std::span<const uint8_t> key) const {
  if (index < 0) return false;
  const StunAttribute& a = attributes_[size_t(index)];
  if (digest == HmacDigest::Sha1) {
    if (a.length != kMessageIntegritySize) return false;
  } else if (a.length < 16 || a.length > kMessageIntegritySha256Size || a.length % 4 != 0) {
    // RFC 8489 §14.6: at least 16 bytes, a multiple of 4, at most 32.
    return false;
  }
  // The HMAC covers the header and every attribute before this one, with the
  // length field set as if this attribute were the last one.
  const size_t attribute_start = a.offset - 4;
  std::array<uint8_t, kHeaderSize> header;
  std::memcpy(header.data(), bytes_.data(), kHeaderSize);
  store_u16(&header[2], uint16_t(a.offset + a.length - kHeaderSize));
  std::array<uint8_t, 32> mac;
  if (!hmac(digest, key, header, bytes_.subspan(kHeaderSize, attribute_start - kHeaderSize), mac.data())) {
    return false;
  }
  return CRYPTO_memcmp(mac.data(), bytes_.data() + a.offset, a.length) == 0;
}

bool StunMessage::verify_message_integrity(std::span<const uint8_t> key) const {
  return verify_integrity(integrity_index_, HmacDigest::Sha1, key);
}

bool StunMessage::verify_message_integrity_sha256(std::span<const uint8_t> key) const {
  return verify_integrity(integrity_sha256_index_, HmacDigest::Sha256, key);
}

bool StunMessage::verify_fingerprint() const {
  if (fingerprint_index_ < 0) return false;
  const StunAttribute& a = attributes_[size_t(fingerprint_index_)];
  if (a.length != 4) return false;
  // FINGERPRINT is last (enforced by parse), so the length field already covers it.
  const uint32_t expected = crc32(bytes_.first(a.offset - 4)) ^ kFingerprintXor;
  return load_u32(bytes_.data() + a.offset) == expected;
}

}  // namespace ct::stun
