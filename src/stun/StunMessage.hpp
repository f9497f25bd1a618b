#pragma once
// A parsed STUN message (RFC 8489 §5, §14): a view over the caller's datagram
// plus a fixed-size index of its attributes, so parsing allocates nothing.
// The datagram must outlive the StunMessage.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "net/SocketAddress.hpp"
#include "stun/StunCrypto.hpp"
#include "stun/StunTypes.hpp"

namespace ct::stun {

enum class StunParseError : uint8_t {
  TooShort,  // fewer than 20 bytes
  NotStun,   // top two bits of the type are not 0
  BadMagicCookie,
  BadLength,           // length field not a multiple of 4 or not matching the datagram
  AttributeOverrun,    // an attribute's length runs past the end of the message
  TooManyAttributes,   // more than kMaxAttributes
  FingerprintNotLast,  // RFC 8489 §14.7: FINGERPRINT must be the last attribute
};

std::string_view to_string(StunParseError error);

// One attribute's place in the message: `offset` is where its value starts,
// counted from the start of the message; `length` excludes padding.
struct StunAttribute {
  AttributeType type{};
  uint16_t length = 0;
  uint32_t offset = 0;
};

class StunMessage {
 public:
  // Parses one whole STUN message. Never throws; on failure returns nullopt
  // and, if `error` is given, why.
  static std::optional<StunMessage> parse(std::span<const uint8_t> datagram, StunParseError* error = nullptr);

  // Cheap demultiplexing test (RFC 8489 §5, RFC 7983): top bits 00, magic
  // cookie, and a length field that is a multiple of 4 and matches the size.
  static bool looks_like_stun(std::span<const uint8_t> datagram);

  Method method() const { return message_method(type_); }
  MessageClass message_class() const { return stun::message_class(type_); }
  uint16_t message_type() const { return type_; }
  bool is(Method m, MessageClass c) const { return type_ == encode_message_type(m, c); }
  const TransactionId& transaction_id() const { return transaction_id_; }
  std::span<const uint8_t> bytes() const { return bytes_; }

  // Attributes in wire order. Per RFC 8489 §14.5-14.6, attributes after
  // MESSAGE-INTEGRITY other than MESSAGE-INTEGRITY-SHA256 and FINGERPRINT
  // (and after MESSAGE-INTEGRITY-SHA256 other than FINGERPRINT) are ignored
  // and not listed.
  std::span<const StunAttribute> attributes() const { return {attributes_.data(), attribute_count_}; }
  // The first attribute of `type` (later duplicates are ignored, RFC 8489 §14).
  const StunAttribute* find(AttributeType type) const;
  bool has(AttributeType type) const { return find(type) != nullptr; }
  std::span<const uint8_t> value(const StunAttribute& attribute) const {
    return bytes_.subspan(attribute.offset, attribute.length);
  }
  std::optional<std::span<const uint8_t>> value_of(AttributeType type) const;

  // Typed getters: nullopt when the attribute is absent or malformed.
  std::optional<std::string_view> username() const;
  std::optional<std::string_view> realm() const;
  std::optional<std::string_view> nonce() const;
  std::optional<std::string_view> software() const;
  std::optional<uint32_t> priority() const;
  bool use_candidate() const { return has(AttributeType::UseCandidate); }
  std::optional<uint64_t> ice_controlling() const;  // the tie-breaker
  std::optional<uint64_t> ice_controlled() const;
  std::optional<net::SocketAddress> xor_mapped_address() const;
  std::optional<net::SocketAddress> xor_peer_address() const;
  std::optional<net::SocketAddress> xor_relayed_address() const;
  std::optional<net::SocketAddress> mapped_address() const;  // the pre-XOR form of old servers
  // Decodes any XOR-*-ADDRESS attribute (e.g. each XOR-PEER-ADDRESS of a CreatePermission).
  std::optional<net::SocketAddress> decode_xor_address(const StunAttribute& attribute) const;
  std::optional<ErrorCode> error_code() const;
  std::optional<uint32_t> lifetime() const;  // seconds
  std::optional<std::span<const uint8_t>> data() const;
  std::optional<uint16_t> channel_number() const;
  std::optional<uint8_t> requested_transport() const;  // IP protocol number, 17 = UDP
  std::optional<bool> even_port() const;               // the R bit: reserve the next port too
  std::optional<uint64_t> reservation_token() const;
  bool dont_fragment() const { return has(AttributeType::DontFragment); }
  std::optional<std::vector<uint16_t>> unknown_attributes() const;

  // Comprehension-required attribute types this codec does not know, for a
  // 420 response (RFC 8489 §6.3.1.1). Empty in the normal case; holds at most
  // kMaxAttributes entries.
  std::vector<uint16_t> unknown_comprehension_required() const;

  // RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with
  // the length field counting up to the end of MESSAGE-INTEGRITY. False if
  // the attribute is absent or malformed. Constant-time compare.
  bool verify_message_integrity(std::span<const uint8_t> key) const;
  // RFC 8489 §14.6: the same with HMAC-SHA256, possibly truncated (16..32 bytes).
  bool verify_message_integrity_sha256(std::span<const uint8_t> key) const;
  // RFC 8489 §14.7: CRC-32 of the message up to FINGERPRINT, XOR 0x5354554e.
  bool verify_fingerprint() const;
  bool has_message_integrity() const { return integrity_index_ >= 0; }
  bool has_message_integrity_sha256() const { return integrity_sha256_index_ >= 0; }
  bool has_fingerprint() const { return fingerprint_index_ >= 0; }

 private:
  StunMessage() = default;
  std::optional<std::string_view> text(AttributeType type, size_t max_bytes) const;
  std::optional<uint32_t> u32(AttributeType type) const;
  std::optional<uint64_t> u64(AttributeType type) const;
  std::optional<net::SocketAddress> xor_address(AttributeType type) const;
  bool verify_integrity(int index, HmacDigest digest, std::span<const uint8_t> key) const;

  std::span<const uint8_t> bytes_;
  uint16_t type_ = 0;
  TransactionId transaction_id_{};
  std::array<StunAttribute, kMaxAttributes> attributes_{};
  uint8_t attribute_count_ = 0;
  int8_t integrity_index_ = -1;
  int8_t integrity_sha256_index_ = -1;
  int8_t fingerprint_index_ = -1;
};

}  // namespace ct::stun
