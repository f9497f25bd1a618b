#pragma once
// The raw RTP dump of one recorded track (`<track>.rtpdump`): every RTP
// packet as the server received it, appended as it arrives, so that a crash
// loses nothing already written and `recover` can rebuild the track's WebM.
// Version 2 adds records holding the publisher's RTCP sender reports
// (RFC 3550 §6.4.1), told apart from RTP by their packet type as on a port
// that muxes both (RFC 5761 §4); version 1 files are read as well.
// All fields little-endian, like IVF:
//
//   file header, 48 bytes                      record, before each packet
//    0  "CTRTPDMP"                              0  packet length in bytes (u32)
//    8  version 2 (u16)                         4  arrival time, µs after the
//   10  header size 48 (u16)                       start time (u64)
//   12  RTP clock rate in Hz (u32)             12  the RTP packet, header and all,
//                                                  or an RTCP sender report
//   16  payload type (u8), 255 if not fixed
//   17  audio channels (u8), 0 for video
//   18  reserved (u16)
//   20  codec name, NUL-padded (12 bytes): "VP8", "opus"
//   32  start time, µs since the Unix epoch (u64)
//   40  reserved (u64)
//
// A reader accepts a larger header size (later versions may add fields) and
// skips what it does not know.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace ct::record {

struct RtpDumpHeader {
  static constexpr size_t kSize = 48;
  static constexpr size_t kRecordHeaderSize = 12;
  static constexpr size_t kCodecNameSize = 12;
  static constexpr uint16_t kVersion = 2;
  static constexpr uint16_t kOldestVersion = 1;  // no sender reports
  static constexpr uint8_t kAnyPayloadType = 255;
  static constexpr std::array<uint8_t, 8> kMagic = {'C', 'T', 'R', 'T', 'P', 'D', 'M', 'P'};
  // A record longer than this is garbage: no RTP packet is larger than a
  // UDP datagram can be.
  static constexpr uint32_t kMaxPacketSize = 65535;
  static constexpr uint32_t kMinPacketSize = 12;  // the fixed RTP header (RFC 3550 §5.1)

  uint16_t version = kVersion;
  uint16_t header_size = kSize;
  uint32_t clock_rate = 0;
  uint8_t payload_type = kAnyPayloadType;
  uint8_t channels = 0;
  std::string codec;  // at most kCodecNameSize characters are kept
  uint64_t start_time_us = 0;

  std::array<uint8_t, kSize> serialize() const;
  // nullopt unless the magic, a known version and a header size of at least
  // kSize that fits the bytes.
  static std::optional<RtpDumpHeader> parse(std::span<const uint8_t> file);
  // A record holding RTCP (packet types 200-204 where RTP has its payload
  // type and marker, RFC 5761 §4) rather than RTP.
  static bool is_rtcp(std::span<const uint8_t> packet) {
    return packet.size() >= 2 && packet[1] >= 200 && packet[1] <= 204;
  }
};

}  // namespace ct::record
