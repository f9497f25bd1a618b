#pragma once
// Writes a STUN message (RFC 8489 §5, §14) attribute by attribute into
// caller-owned storage. The length field is kept current after every add, so
// MESSAGE-INTEGRITY and FINGERPRINT can be appended last as §14.5-14.7 require.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "net/SocketAddress.hpp"
#include "stun/StunTypes.hpp"

namespace ct::stun {

class StunMessageBuilder {
 public:
  // Starts a message in `out`, replacing its contents but keeping its capacity:
  // a vector reused across messages stops allocating once it has grown.
  StunMessageBuilder(std::vector<uint8_t>& out, Method method, MessageClass cls, const TransactionId& id);
  // Builds into fixed storage. If the message outgrows it, ok() turns false
  // and every later add is dropped.
  StunMessageBuilder(std::span<uint8_t> out, Method method, MessageClass cls, const TransactionId& id);

  StunMessageBuilder(const StunMessageBuilder&) = delete;
  StunMessageBuilder& operator=(const StunMessageBuilder&) = delete;

  // Any attribute, value copied as is and zero-padded to 4 bytes.
  StunMessageBuilder& add_attribute(AttributeType type, std::span<const uint8_t> value);
  StunMessageBuilder& add_text(AttributeType type, std::string_view text);

  StunMessageBuilder& add_username(std::string_view username) {
    return add_text(AttributeType::Username, username);
  }
  StunMessageBuilder& add_realm(std::string_view realm) { return add_text(AttributeType::Realm, realm); }
  StunMessageBuilder& add_nonce(std::string_view nonce) { return add_text(AttributeType::Nonce, nonce); }
  StunMessageBuilder& add_software(std::string_view software) {
    return add_text(AttributeType::Software, software);
  }
  StunMessageBuilder& add_priority(uint32_t priority) { return add_u32(AttributeType::Priority, priority); }
  StunMessageBuilder& add_use_candidate() { return add_attribute(AttributeType::UseCandidate, {}); }
  StunMessageBuilder& add_ice_controlling(uint64_t tie_breaker) {
    return add_u64(AttributeType::IceControlling, tie_breaker);
  }
  StunMessageBuilder& add_ice_controlled(uint64_t tie_breaker) {
    return add_u64(AttributeType::IceControlled, tie_breaker);
  }
  // RFC 8489 §14.2 XOR encoding; IPv4 and IPv6.
  StunMessageBuilder& add_xor_address(AttributeType type, const net::SocketAddress& address);
  StunMessageBuilder& add_xor_mapped_address(const net::SocketAddress& a) {
    return add_xor_address(AttributeType::XorMappedAddress, a);
  }
  StunMessageBuilder& add_xor_peer_address(const net::SocketAddress& a) {
    return add_xor_address(AttributeType::XorPeerAddress, a);
  }
  StunMessageBuilder& add_xor_relayed_address(const net::SocketAddress& a) {
    return add_xor_address(AttributeType::XorRelayedAddress, a);
  }
  // RFC 8489 §14.8. An empty reason takes the RFC's suggested phrase.
  StunMessageBuilder& add_error_code(uint16_t code, std::string_view reason = {});
  StunMessageBuilder& add_lifetime(uint32_t seconds) { return add_u32(AttributeType::Lifetime, seconds); }
  StunMessageBuilder& add_data(std::span<const uint8_t> data) {
    return add_attribute(AttributeType::Data, data);
  }
  StunMessageBuilder& add_channel_number(uint16_t channel);
  StunMessageBuilder& add_requested_transport(uint8_t protocol = 17);  // 17 = UDP
  StunMessageBuilder& add_even_port(bool reserve_next_port);
  StunMessageBuilder& add_reservation_token(uint64_t token) {
    return add_u64(AttributeType::ReservationToken, token);
  }
  StunMessageBuilder& add_dont_fragment() { return add_attribute(AttributeType::DontFragment, {}); }
  StunMessageBuilder& add_unknown_attributes(std::span<const uint16_t> types);

  // RFC 8489 §14.5: HMAC-SHA1 over everything so far, the length field
  // already counting this attribute. Add after every other attribute but
  // MESSAGE-INTEGRITY-SHA256 and FINGERPRINT.
  StunMessageBuilder& add_message_integrity(std::span<const uint8_t> key);
  // RFC 8489 §14.6: full 32-byte HMAC-SHA256.
  StunMessageBuilder& add_message_integrity_sha256(std::span<const uint8_t> key);
  // RFC 8489 §14.7: always the last attribute.
  StunMessageBuilder& add_fingerprint();

  bool ok() const { return ok_; }
  size_t size() const { return size_; }
  std::span<const uint8_t> bytes() const { return {storage(), size_}; }

 private:
  void start(Method method, MessageClass cls, const TransactionId& id);
  uint8_t* storage() const { return vector_ ? vector_->data() : fixed_.data(); }
  // Appends an attribute header and room for `length` value bytes (padding
  // zeroed); returns where the value goes, or nullptr when out of room.
  uint8_t* append(AttributeType type, size_t length);
  StunMessageBuilder& add_u32(AttributeType type, uint32_t value);
  StunMessageBuilder& add_u64(AttributeType type, uint64_t value);
  StunMessageBuilder& add_integrity(AttributeType type, bool sha256, std::span<const uint8_t> key);

  std::vector<uint8_t>* vector_ = nullptr;
  std::span<uint8_t> fixed_;
  size_t size_ = 0;
  bool ok_ = true;
};

}  // namespace ct::stun
