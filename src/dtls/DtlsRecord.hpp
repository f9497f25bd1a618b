#pragma once
// The DTLS record header (RFC 6347 §4.1) and a cheap check that a datagram
// holds whole records, run before a datagram reaches OpenSSL so garbage and
// truncated datagrams are counted and dropped early.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace ct::dtls {

inline constexpr size_t kDtlsRecordHeaderSize = 13;

// RFC 5246 §6.2.1 content types (DTLS uses the same registry).
enum class ContentType : uint8_t {
  ChangeCipherSpec = 20,
  Alert = 21,
  Handshake = 22,
  ApplicationData = 23,
};

struct DtlsRecordHeader {
  uint8_t content_type = 0;
  uint16_t version = 0;           // 0xFEFF DTLS 1.0, 0xFEFD DTLS 1.2 (one's complement style)
  uint16_t epoch = 0;
  uint64_t sequence_number = 0;   // 48 bits on the wire
  uint16_t length = 0;            // of the fragment that follows the header
};

// Parses the 13-byte header at the start of `bytes`; nullopt if fewer bytes.
std::optional<DtlsRecordHeader> parse_dtls_record_header(std::span<const uint8_t> bytes);

// Number of records if `datagram` is one or more complete DTLS 1.0/1.2 records
// (known content type, version major 0xFE, fragment inside the datagram, no
// trailing bytes); nullopt otherwise.
std::optional<size_t> count_dtls_records(std::span<const uint8_t> datagram);

}  // namespace ct::dtls
