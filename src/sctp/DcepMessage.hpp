#pragma once
// The Data Channel Establishment Protocol messages (RFC 8832 §5) and the SCTP
// payload protocol identifiers of WebRTC data channels (RFC 8831 §8).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ct::sctp {

// RFC 8831 §8 / IANA "SCTP Payload Protocol Identifiers".
inline constexpr uint32_t kPpidDcep = 50;
inline constexpr uint32_t kPpidString = 51;
inline constexpr uint32_t kPpidBinary = 53;
inline constexpr uint32_t kPpidStringEmpty = 56;
inline constexpr uint32_t kPpidBinaryEmpty = 57;

// RFC 8832 §8.2.1 message types.
enum class DcepMessageType : uint8_t { Ack = 0x02, Open = 0x03 };

// RFC 8832 §5.1 channel types; the high bit (0x80) means unordered.
enum class ChannelType : uint8_t {
  Reliable = 0x00,
  ReliableUnordered = 0x80,
  PartialReliableRexmit = 0x01,
  PartialReliableRexmitUnordered = 0x81,
  PartialReliableTimed = 0x02,
  PartialReliableTimedUnordered = 0x82,
};

// False for any byte that is not one of the six types above.
bool is_known_channel_type(uint8_t value);
inline bool is_unordered(ChannelType type) { return (uint8_t(type) & 0x80) != 0; }
inline bool is_reliable(ChannelType type) { return (uint8_t(type) & 0x7F) == 0; }
inline bool is_rexmit_limited(ChannelType type) { return (uint8_t(type) & 0x7F) == 1; }
inline bool is_time_limited(ChannelType type) { return (uint8_t(type) & 0x7F) == 2; }

// RFC 8831 §6.4 priorities (what browsers send in DATA_CHANNEL_OPEN).
inline constexpr uint16_t kPriorityBelowNormal = 128;
inline constexpr uint16_t kPriorityNormal = 256;
inline constexpr uint16_t kPriorityHigh = 512;
inline constexpr uint16_t kPriorityExtraHigh = 1024;

// What a DATA_CHANNEL_OPEN carries.
struct ChannelInfo {
  ChannelType type = ChannelType::Reliable;
  uint16_t priority = kPriorityNormal;
  // Retransmissions (rexmit types) or lifetime in ms (timed types); 0 for
  // the reliable types (RFC 8832 §5.1: sent as 0, ignored on receipt).
  uint32_t reliability_parameter = 0;
  std::string label;     // UTF-8, as received (not validated)
  std::string protocol;  // UTF-8, as received (not validated)

  bool operator==(const ChannelInfo&) const = default;
};

enum class DcepError {
  None,
  Empty,               // no message type byte
  UnknownMessageType,  // RFC 8832 §8.2.1: only 0x02 and 0x03 are assigned
  Truncated,           // shorter than the fixed header or its lengths say
  UnknownChannelType,
};

struct DcepMessage {
  // The fixed part of DATA_CHANNEL_OPEN before label and protocol.
  static constexpr size_t kOpenHeaderSize = 12;

  DcepMessageType type = DcepMessageType::Ack;
  ChannelInfo open;  // meaningful when type == Open

  // Bounds-checked parse of one SCTP user message with PPID 50. Bytes after
  // the protocol field (or after the ACK's type byte) are ignored, as a
  // later extension might add them. `error` (if given) says why on nullopt.
  static std::optional<DcepMessage> parse(std::span<const uint8_t> bytes, DcepError* error = nullptr);

  // nullopt if the label or protocol is longer than the 16-bit length fields
  // allow. The reliability parameter is written as 0 for reliable types.
  static std::optional<std::vector<uint8_t>> serialize_open(const ChannelInfo& info);
  static std::vector<uint8_t> serialize_ack();
};

}  // namespace ct::sctp
