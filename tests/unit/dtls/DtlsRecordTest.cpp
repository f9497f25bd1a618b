#include "dtls/DtlsRecord.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ct::dtls {
namespace {

std::vector<uint8_t> record(uint8_t type, uint16_t version, std::vector<uint8_t> fragment) {
  std::vector<uint8_t> out = {type, uint8_t(version >> 8), uint8_t(version), 0x00, 0x01,  // epoch 1
                              0x00, 0x00, 0x00, 0x00, 0x01, 0x02,                         // seq 0x102
                              uint8_t(fragment.size() >> 8), uint8_t(fragment.size())};
  out.insert(out.end(), fragment.begin(), fragment.end());
  return out;
}

TEST(DtlsRecord, ParsesHeaderFields) {
  auto bytes = record(22, 0xFEFD, {1, 2, 3});
  auto header = parse_dtls_record_header(bytes);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->content_type, 22);
  EXPECT_EQ(header->version, 0xFEFD);
  EXPECT_EQ(header->epoch, 1);
  EXPECT_EQ(header->sequence_number, 0x102u);
  EXPECT_EQ(header->length, 3);
}

TEST(DtlsRecord, CountsWholeRecords) {
  auto datagram = record(22, 0xFEFF, {1, 2, 3});
  auto second = record(20, 0xFEFD, {1});
  auto third = record(23, 0xFEFD, {});
  datagram.insert(datagram.end(), second.begin(), second.end());
  datagram.insert(datagram.end(), third.begin(), third.end());
  EXPECT_EQ(count_dtls_records(datagram), 3u);
}

TEST(DtlsRecord, RejectsMalformedDatagrams) {
  EXPECT_FALSE(count_dtls_records({}));
  auto good = record(22, 0xFEFD, {1, 2, 3, 4});
  // Every truncation.
  for (size_t n = 1; n < good.size(); ++n) {
    EXPECT_FALSE(count_dtls_records(std::span(good).first(n))) << n;
  }
  // Trailing bytes after a record.
  auto trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(count_dtls_records(trailing));
  // Unknown content types, TLS (not DTLS) versions.
  EXPECT_FALSE(count_dtls_records(record(24, 0xFEFD, {1})));
  EXPECT_FALSE(count_dtls_records(record(19, 0xFEFD, {1})));
  EXPECT_FALSE(count_dtls_records(record(22, 0x0303, {1})));
  // A DTLS 1.3 unified header (first byte 001xxxxx) is not a 1.2 record.
  EXPECT_FALSE(count_dtls_records(record(0x2C, 0xFEFD, {1})));
}

}  // namespace
}  // namespace ct::dtls
