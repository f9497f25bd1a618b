// The raw RTP dump: what the writer appends, the reader returns, byte for
// byte; a dump cut anywhere (a crash) still gives every whole record before
// the cut; garbage ends the reading without reading outside the bytes.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "MediaTestSupport.hpp"
#include "RecordTestSupport.hpp"
#include "record/LittleEndian.hpp"
#include "record/RtpDumpReader.hpp"
#include "record/RtpDumpWriter.hpp"

namespace ct::record {
namespace {

using test::read_file;
using test::TempDir;

RtpDumpHeader vp8_header() {
  RtpDumpHeader header;
  header.clock_rate = 90000;
  header.payload_type = 96;
  header.codec = "VP8";
  header.start_time_us = 1'780'000'000'123'456;
  return header;
}

std::vector<uint8_t> packet(uint16_t sequence_number, size_t payload_size) {
  std::vector<uint8_t> payload(payload_size);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = uint8_t(i * 7 + sequence_number);
  return test::rtp_packet(96, sequence_number, sequence_number * 3000u, true, payload);
}

TEST(RtpDumpHeader, SerializesEveryFieldAndParsesItBack) {
  RtpDumpHeader header = vp8_header();
  header.channels = 0;
  const auto bytes = header.serialize();
  ASSERT_EQ(bytes.size(), 48u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), "CTRTPDMP");
  EXPECT_EQ(load_le16(&bytes[8]), 2);
  EXPECT_EQ(load_le16(&bytes[10]), 48);
  EXPECT_EQ(load_le32(&bytes[12]), 90000u);
  EXPECT_EQ(bytes[16], 96);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&bytes[20])), "VP8");
  const auto parsed = RtpDumpHeader::parse(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->clock_rate, 90000u);
  EXPECT_EQ(parsed->payload_type, 96);
  EXPECT_EQ(parsed->codec, "VP8");
  EXPECT_EQ(parsed->start_time_us, header.start_time_us);
}

TEST(RtpDumpHeader, RefusesWhatIsNotAKnownHeader) {
  auto bytes = vp8_header().serialize();
  EXPECT_FALSE(RtpDumpHeader::parse(std::span(bytes).first(47)));  // truncated
  auto wrong_magic = bytes;
  wrong_magic[0] = 'X';
  EXPECT_FALSE(RtpDumpHeader::parse(wrong_magic));
  auto wrong_version = bytes;
  store_le16(&wrong_version[8], 3);
  EXPECT_FALSE(RtpDumpHeader::parse(wrong_version));
  store_le16(&wrong_version[8], 0);
  EXPECT_FALSE(RtpDumpHeader::parse(wrong_version));
  auto version_1 = bytes;  // written before sender reports were kept: still read
  store_le16(&version_1[8], 1);
  ASSERT_TRUE(RtpDumpHeader::parse(version_1));
  EXPECT_EQ(RtpDumpHeader::parse(version_1)->version, 1);
  auto small_header = bytes;
  store_le16(&small_header[10], 20);
  EXPECT_FALSE(RtpDumpHeader::parse(small_header));
  auto header_past_end = bytes;
  store_le16(&header_past_end[10], 64);
  EXPECT_FALSE(RtpDumpHeader::parse(header_past_end));
  // A codec name filling all 12 bytes has no NUL and is still read exactly.
  RtpDumpHeader long_name = vp8_header();
  long_name.codec = "ABCDEFGHIJKLMNOP";
  EXPECT_EQ(RtpDumpHeader::parse(long_name.serialize())->codec, "ABCDEFGHIJKL");
}

TEST(RtpDumpHeader, ALargerHeaderFromALaterWriterIsSkipped) {
  auto header = vp8_header().serialize();
  std::vector<uint8_t> file(header.begin(), header.end());
  store_le16(&file[10], 56);
  file.resize(56, 0xEE);  // fields this reader does not know
  const auto record = packet(1, 20);
  uint8_t record_header[12];
  store_le32(record_header, uint32_t(record.size()));
  store_le64(record_header + 4, 77);
  file.insert(file.end(), std::begin(record_header), std::end(record_header));
  file.insert(file.end(), record.begin(), record.end());
  auto reader = RtpDumpReader::open(file);
  ASSERT_TRUE(reader);
  const auto first = reader->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->arrival_us, 77u);
  EXPECT_TRUE(std::equal(first->packet.begin(), first->packet.end(), record.begin(), record.end()));
  EXPECT_FALSE(reader->next());
  EXPECT_TRUE(reader->at_end());
}

TEST(RtpDump, WhatIsWrittenIsReadBackByteForByte) {
  TempDir dir;
  const std::string path = dir.file("track.rtpdump");
  std::vector<std::vector<uint8_t>> packets;
  {
    RtpDumpWriter writer(path, vp8_header());
    ASSERT_TRUE(writer.is_open()) << writer.error();
    // Enough to fill the buffer several times, one larger than the buffer.
    for (uint16_t i = 0; i < 400; ++i) {
      packets.push_back(packet(i, i == 200 ? RtpDumpHeader::kMaxPacketSize - 12 : 100 + i * 3));
      EXPECT_TRUE(writer.append(i * 20'000u, packets.back()));
    }
    EXPECT_EQ(writer.packets_written(), 400u);
  }
  const auto bytes = read_file(path);
  auto reader = RtpDumpReader::open(bytes);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->header().codec, "VP8");
  EXPECT_EQ(reader->header().clock_rate, 90000u);
  EXPECT_EQ(reader->header().payload_type, 96);
  EXPECT_EQ(reader->header().start_time_us, vp8_header().start_time_us);
  for (size_t i = 0; i < packets.size(); ++i) {
    const auto record = reader->next();
    ASSERT_TRUE(record) << i;
    EXPECT_EQ(record->arrival_us, i * 20'000u);
    ASSERT_TRUE(
        std::equal(record->packet.begin(), record->packet.end(), packets[i].begin(), packets[i].end()))
        << i;
  }
  EXPECT_FALSE(reader->next());
  EXPECT_TRUE(reader->at_end());
  EXPECT_FALSE(reader->truncated());
  EXPECT_FALSE(reader->corrupt());
}

TEST(RtpDump, FlushedRecordsAreInTheFileWhileItIsStillOpen) {
  TempDir dir;
  const std::string path = dir.file("track.rtpdump");
  RtpDumpWriter writer(path, vp8_header());
  ASSERT_TRUE(writer.append(1, packet(1, 50)));
  ASSERT_TRUE(writer.append(2, packet(2, 50)));
  EXPECT_EQ(read_file(path).size(), RtpDumpHeader::kSize);  // still buffered
  ASSERT_TRUE(writer.flush());
  const auto bytes = read_file(path);  // what a process killed now would leave
  auto reader = RtpDumpReader::open(bytes);
  ASSERT_TRUE(reader);
  EXPECT_TRUE(reader->next());
  EXPECT_TRUE(reader->next());
  EXPECT_FALSE(reader->next());
  EXPECT_TRUE(reader->at_end());
}

TEST(RtpDump, ACutAnywhereGivesEveryWholeRecordBeforeIt) {
  TempDir dir;
  const std::string path = dir.file("track.rtpdump");
  std::vector<size_t> record_ends;
  {
    RtpDumpWriter writer(path, vp8_header());
    size_t end = RtpDumpHeader::kSize;
    for (uint16_t i = 0; i < 4; ++i) {
      const auto p = packet(i, 10 + i);
      writer.append(i, p);
      end += RtpDumpHeader::kRecordHeaderSize + p.size();
      record_ends.push_back(end);
    }
  }
  const auto bytes = read_file(path);
  ASSERT_EQ(bytes.size(), record_ends.back());
  for (size_t cut = 0; cut <= bytes.size(); ++cut) {
    SCOPED_TRACE(cut);
    const std::vector<uint8_t> cut_bytes(bytes.begin(), bytes.begin() + cut);
    auto reader = RtpDumpReader::open(cut_bytes);
    if (cut < RtpDumpHeader::kSize) {
      EXPECT_FALSE(reader);
      continue;
    }
    ASSERT_TRUE(reader);
    size_t whole = 0;
    while (reader->next()) ++whole;
    const size_t expected =
        size_t(std::count_if(record_ends.begin(), record_ends.end(), [&](size_t e) { return e <= cut; }));
    EXPECT_EQ(whole, expected);
    const bool on_boundary =
        cut == RtpDumpHeader::kSize || std::count(record_ends.begin(), record_ends.end(), cut) > 0;
    EXPECT_EQ(reader->at_end(), on_boundary);
    EXPECT_EQ(reader->truncated(), !on_boundary);
    EXPECT_FALSE(reader->corrupt());
  }
}

TEST(RtpDump, ALengthNoRtpPacketCanHaveIsGarbage) {
  auto header = vp8_header().serialize();
  for (uint32_t length : {0u, 11u, 65536u, 0xFFFFFFFFu}) {
    SCOPED_TRACE(length);
    std::vector<uint8_t> file(header.begin(), header.end());
    file.resize(file.size() + 12 + 100, 0);
    store_le32(&file[RtpDumpHeader::kSize], length);
    auto reader = RtpDumpReader::open(file);
    ASSERT_TRUE(reader);
    EXPECT_FALSE(reader->next());
    EXPECT_TRUE(reader->corrupt());
    EXPECT_FALSE(reader->at_end());
    EXPECT_EQ(reader->offset(), RtpDumpHeader::kSize);
  }
}

TEST(RtpDumpWriter, RefusesPacketsNoRtpPacketCanBe) {
  TempDir dir;
  RtpDumpWriter writer(dir.file("track.rtpdump"), vp8_header());
  EXPECT_FALSE(writer.append(0, std::vector<uint8_t>(11)));
  EXPECT_FALSE(writer.append(0, std::vector<uint8_t>(65536)));
  EXPECT_TRUE(writer.append(0, std::vector<uint8_t>(12)));
  EXPECT_EQ(writer.packets_written(), 1u);
}

TEST(RtpDumpWriter, AFileThatCannotBeCreatedIsAnErrorNotAnException) {
  TempDir dir;
  RtpDumpWriter writer(dir.file("missing/track.rtpdump"), vp8_header());
  EXPECT_FALSE(writer.is_open());
  EXPECT_NE(writer.error().find("missing/track.rtpdump: open"), std::string::npos) << writer.error();
  EXPECT_FALSE(writer.append(0, packet(1, 10)));
  EXPECT_FALSE(writer.flush());
}

}  // namespace
}  // namespace ct::record
