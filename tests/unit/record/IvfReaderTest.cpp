// IvfReader and IvfFileHeader: what FFmpeg's IVF muxer writes reads back,
// and truncated or corrupted files end the reading without reading outside.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "record/IvfReader.hpp"
#include "record/LittleEndian.hpp"

namespace ct::record {
namespace {

// A file in the layout of FFmpeg's IVF muxer: 32-byte header (320x240,
// timebase 1/30, 3 frames), then frames of 5, 0 and 2 bytes.
std::vector<uint8_t> three_frame_file() {
  std::vector<uint8_t> file = {'D', 'K', 'I', 'F', 0, 0, 32, 0, 'V', 'P', '8', '0', 0x40, 0x01, 0xf0, 0x00,
                               30,  0,   0,   0,   1, 0, 0,  0, 3,   0,   0,   0,   0,    0,    0,    0};
  const std::vector<std::vector<uint8_t>> frames = {{1, 2, 3, 4, 5}, {}, {9, 8}};
  for (size_t i = 0; i < frames.size(); ++i) {
    uint8_t header[12];
    store_le32(header, uint32_t(frames[i].size()));
    store_le64(header + 4, i * 7);
    file.insert(file.end(), header, header + 12);
    file.insert(file.end(), frames[i].begin(), frames[i].end());
  }
  return file;
}

TEST(IvfReader, ReadsHeaderAndFrames) {
  const std::vector<uint8_t> file = three_frame_file();
  auto reader = IvfReader::open(file);
  ASSERT_TRUE(reader);
  const IvfFileHeader& header = reader->header();
  EXPECT_EQ(header.version, 0);
  EXPECT_EQ(header.header_size, 32);
  EXPECT_EQ(header.fourcc, IvfFileHeader::kVp8Fourcc);
  EXPECT_EQ(header.width, 320);
  EXPECT_EQ(header.height, 240);
  EXPECT_EQ(header.timebase_denominator, 30u);
  EXPECT_EQ(header.timebase_numerator, 1u);
  EXPECT_EQ(header.frame_count, 3u);

  auto first = reader->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->timestamp, 0u);
  EXPECT_EQ(std::vector<uint8_t>(first->data.begin(), first->data.end()),
            (std::vector<uint8_t>{1, 2, 3, 4, 5}));
  auto second = reader->next();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->timestamp, 7u);
  EXPECT_TRUE(second->data.empty());
  auto third = reader->next();
  ASSERT_TRUE(third);
  EXPECT_EQ(third->timestamp, 14u);
  EXPECT_EQ(third->data.size(), 2u);
  EXPECT_FALSE(reader->next());
  EXPECT_TRUE(reader->at_end());
  EXPECT_FALSE(reader->truncated());
}

TEST(IvfReader, HeaderRoundTrip) {
  IvfFileHeader header;
  header.width = 1280;
  header.height = 720;
  header.frame_count = 0x01020304;
  const auto bytes = header.serialize();
  const auto parsed = IvfFileHeader::parse(bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->width, 1280);
  EXPECT_EQ(parsed->height, 720);
  EXPECT_EQ(parsed->frame_count, 0x01020304u);
  EXPECT_EQ(parsed->timebase_denominator, 90000u);
  EXPECT_EQ(parsed->serialize(), bytes);
}

TEST(IvfReader, ALongerHeaderIsSkipped) {
  std::vector<uint8_t> file = three_frame_file();
  file[6] = 40;
  file.insert(file.begin() + 32, 8, 0xEE);
  auto reader = IvfReader::open(file);
  ASSERT_TRUE(reader);
  const auto first = reader->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->data.size(), 5u);
}

TEST(IvfReader, BadHeadersAreRefused) {
  std::vector<uint8_t> file = three_frame_file();
  for (size_t length = 0; length < 32; ++length) {
    EXPECT_FALSE(IvfReader::open(std::span(file).first(length))) << length;
  }
  std::vector<uint8_t> bad = file;
  bad[0] = 'X';
  EXPECT_FALSE(IvfReader::open(bad));
  bad = file;
  bad[6] = 31;  // a header shorter than its own fields
  EXPECT_FALSE(IvfReader::open(bad));
  bad = file;
  bad[6] = 0xFF;  // longer than the file
  bad[7] = 0xFF;
  EXPECT_FALSE(IvfReader::open(bad));
}

TEST(IvfReader, EveryCutOfAFile) {
  const std::vector<uint8_t> file = three_frame_file();
  const std::vector<size_t> frame_ends = {32 + 12 + 5, 32 + 12 + 5 + 12, file.size()};
  for (size_t length = 32; length <= file.size(); ++length) {
    SCOPED_TRACE(length);
    auto reader = IvfReader::open(std::span(file).first(length));
    ASSERT_TRUE(reader);
    size_t frames = 0;
    while (reader->next()) ++frames;
    size_t whole = 0;
    for (size_t end : frame_ends) whole += end <= length;
    EXPECT_EQ(frames, whole);
    const bool at_boundary =
        length == 32 || std::find(frame_ends.begin(), frame_ends.end(), length) != frame_ends.end();
    EXPECT_EQ(reader->truncated(), !at_boundary);
    EXPECT_EQ(reader->at_end(), at_boundary);
  }
}

TEST(IvfReader, AFrameSizeBeyondTheFileIsTruncation) {
  std::vector<uint8_t> file = three_frame_file();
  store_le32(&file[32], 0xFFFFFFFF);
  auto reader = IvfReader::open(file);
  ASSERT_TRUE(reader);
  EXPECT_FALSE(reader->next());
  EXPECT_TRUE(reader->truncated());
  EXPECT_FALSE(reader->next());  // and stays at the end
}

TEST(IvfReader, RandomBytesAfterTheHeader) {
  std::mt19937 random(31);
  const std::vector<uint8_t> whole = three_frame_file();
  const std::vector<uint8_t> header(whole.begin(), whole.begin() + 32);
  for (int round = 0; round < 5000; ++round) {
    std::vector<uint8_t> file = header;
    const size_t extra = random() % 64;
    for (size_t i = 0; i < extra; ++i) file.push_back(uint8_t(random() % 4 == 0 ? random() : random() % 16));
    auto reader = IvfReader::open(file);
    ASSERT_TRUE(reader);
    size_t consumed = 32;
    while (auto frame = reader->next()) {
      ASSERT_EQ(frame->data.data(), file.data() + consumed + 12);
      consumed += 12 + frame->data.size();
      ASSERT_LE(consumed, file.size());
    }
    ASSERT_EQ(reader->at_end(), consumed == file.size());
    ASSERT_NE(reader->at_end(), reader->truncated());
  }
}

}  // namespace
}  // namespace ct::record
