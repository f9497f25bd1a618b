#pragma once
// STUN wire constants and small value types shared by the parser, the builder,
// ICE and TURN (RFC 8489, RFC 8656, RFC 8445).
#include <array>
#include <cstdint>
#include <string_view>

namespace ct::stun {

constexpr uint32_t kMagicCookie = 0x2112A442;  // RFC 8489 §5
constexpr size_t kHeaderSize = 20;             // type, length, cookie, transaction id
constexpr size_t kTransactionIdSize = 12;
constexpr uint32_t kFingerprintXor = 0x5354554E;    // RFC 8489 §14.7
constexpr size_t kMessageIntegritySize = 20;        // HMAC-SHA1
constexpr size_t kMessageIntegritySha256Size = 32;  // HMAC-SHA256, may be truncated to >= 16
constexpr size_t kMaxAttributes = 32;               // per parsed message; more is rejected

using TransactionId = std::array<uint8_t, kTransactionIdSize>;

// RFC 8489 §18.2 and RFC 8656 §17 (TURN methods).
enum class Method : uint16_t {
  Binding = 0x001,
  Allocate = 0x003,
  Refresh = 0x004,
  Send = 0x006,
  Data = 0x007,
  CreatePermission = 0x008,
  ChannelBind = 0x009,
};

// RFC 8489 §5: the two class bits C1 C0.
enum class MessageClass : uint8_t {
  Request = 0b00,
  Indication = 0b01,
  SuccessResponse = 0b10,
  ErrorResponse = 0b11,
};

// Attribute types (RFC 8489 §18.3, RFC 8656 §18, RFC 8445 §16.1, RFC 6062).
// Any 16-bit value is representable: unknown types keep their number.
enum class AttributeType : uint16_t {
  MappedAddress = 0x0001,
  Username = 0x0006,
  MessageIntegrity = 0x0008,
  ErrorCode = 0x0009,
  UnknownAttributes = 0x000A,
  ChannelNumber = 0x000C,
  Lifetime = 0x000D,
  XorPeerAddress = 0x0012,
  Data = 0x0013,
  Realm = 0x0014,
  Nonce = 0x0015,
  XorRelayedAddress = 0x0016,
  RequestedAddressFamily = 0x0017,
  EvenPort = 0x0018,
  RequestedTransport = 0x0019,
  DontFragment = 0x001A,
  MessageIntegritySha256 = 0x001C,
  PasswordAlgorithm = 0x001D,
  Userhash = 0x001E,
  XorMappedAddress = 0x0020,
  ReservationToken = 0x0022,
  Priority = 0x0024,
  UseCandidate = 0x0025,
  ConnectionId = 0x002A,
  AdditionalAddressFamily = 0x8000,
  AddressErrorCode = 0x8001,
  PasswordAlgorithms = 0x8002,
  AlternateDomain = 0x8003,
  Icmp = 0x8004,
  Software = 0x8022,
  AlternateServer = 0x8023,
  Fingerprint = 0x8028,
  IceControlled = 0x8029,
  IceControlling = 0x802A,
  GoogNetworkInfo = 0xC057,  // Chromium's network id and cost, comprehension-optional
};

// RFC 8489 §14: 0x0000-0x7FFF are comprehension-required.
constexpr bool is_comprehension_required(uint16_t type) { return type < 0x8000; }
// True for the attribute types this codec understands (RFC 8489 §6.3.1.1:
// unknown comprehension-required attributes draw a 420 response).
bool is_known_attribute(uint16_t type);

// Error codes (RFC 8489 §14.8, RFC 8656 §18, RFC 8445 §16.1).
namespace error {
constexpr uint16_t TryAlternate = 300;
constexpr uint16_t BadRequest = 400;
constexpr uint16_t Unauthenticated = 401;
constexpr uint16_t Forbidden = 403;
constexpr uint16_t UnknownAttribute = 420;
constexpr uint16_t AllocationMismatch = 437;
constexpr uint16_t StaleNonce = 438;
constexpr uint16_t AddressFamilyNotSupported = 440;
constexpr uint16_t WrongCredentials = 441;
constexpr uint16_t UnsupportedTransportProtocol = 442;
constexpr uint16_t PeerAddressFamilyMismatch = 443;
constexpr uint16_t AllocationQuotaReached = 486;
constexpr uint16_t RoleConflict = 487;
constexpr uint16_t ServerError = 500;
constexpr uint16_t InsufficientCapacity = 508;
}  // namespace error

// The RFC's suggested reason phrase for a code, or "" when none is defined.
std::string_view default_reason_phrase(uint16_t code);

// A decoded ERROR-CODE attribute; `reason` views the message buffer.
struct ErrorCode {
  uint16_t code = 0;  // 300..699
  std::string_view reason;
};

// RFC 8489 §5: the 14-bit message type interleaves the class bits C1 (bit 8)
// and C0 (bit 4) with the 12 method bits.
constexpr uint16_t encode_message_type(Method method, MessageClass cls) {
  auto m = uint16_t(method);
  auto c = uint16_t(cls);
  return uint16_t((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 0b01) << 4) |
                  ((c & 0b10) << 7));
}
constexpr Method message_method(uint16_t type) {
  return Method((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}
constexpr MessageClass message_class(uint16_t type) {
  return MessageClass(((type >> 4) & 0b01) | ((type >> 7) & 0b10));
}

}  // namespace ct::stun
