#include "dtls/DtlsRecord.hpp"

#include "core/Endian.hpp"

namespace ct::dtls {

std::optional<DtlsRecordHeader> parse_dtls_record_header(std::span<const uint8_t> bytes) {
  if (bytes.size() < kDtlsRecordHeaderSize) return std::nullopt;
  DtlsRecordHeader header;
  header.content_type = bytes[0];
  header.version = load_u16(bytes.data() + 1);
  header.epoch = load_u16(bytes.data() + 3);
  header.sequence_number = uint64_t(load_u16(bytes.data() + 5)) << 32 | load_u32(bytes.data() + 7);
  header.length = load_u16(bytes.data() + 11);
  return header;
}

std::optional<size_t> count_dtls_records(std::span<const uint8_t> datagram) {
  if (datagram.empty()) return std::nullopt;
  size_t records = 0;
  while (!datagram.empty()) {
    auto header = parse_dtls_record_header(datagram);
    if (!header) return std::nullopt;
    if (header->content_type < uint8_t(ContentType::ChangeCipherSpec) ||
        header->content_type > uint8_t(ContentType::ApplicationData)) {
      return std::nullopt;
    }
    // RFC 6347 §4.1: DTLS versions are 0xFEFF (1.0) and 0xFEFD (1.2); a
    // ClientHello may use either on its record.
    if ((header->version >> 8) != 0xFE) return std::nullopt;
    size_t record_size = kDtlsRecordHeaderSize + header->length;
    if (record_size > datagram.size()) return std::nullopt;
    datagram = datagram.subspan(record_size);
    ++records;
  }
  return records;
}

}  // namespace ct::dtls
