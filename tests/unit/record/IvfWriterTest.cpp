// IvfWriter: the header byte for byte, a frame count that is right on disk
// after every frame, timestamps from the 90 kHz RTP clock across its wrap,
// a file that starts at a keyframe, and errors returned, not thrown.
#include <gtest/gtest.h>

#include <vector>

#include "RecordTestSupport.hpp"
#include "record/IvfReader.hpp"
#include "record/IvfWriter.hpp"

namespace ct::record {
namespace {

using test::read_file;
using test::TempDir;

// A keyframe's first bytes for 320x240 (RFC 6386 §9.1), then a few more.
const std::vector<uint8_t> kKeyframe = {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a,
                                        0x40, 0x01, 0xf0, 0x00, 0xAA, 0xBB};
const std::vector<uint8_t> kDelta = {0x31, 0x0a, 0x00, 0xCC};

TEST(IvfWriter, HeaderAndFirstFrameByteForByte) {
  TempDir dir;
  const std::string path = dir.file("a.ivf");
  {
    IvfWriter writer(path);
    ASSERT_TRUE(writer.is_open()) << writer.error();
    EXPECT_TRUE(writer.write(0x12345678, kKeyframe));
  }
  const std::vector<uint8_t> expected_header = {
      'D',  'K',  'I',  'F',                           // signature
      0x00, 0x00,                                      // version 0
      0x20, 0x00,                                      // header size 32
      'V',  'P',  '8',  '0',                           // fourcc
      0x40, 0x01, 0xf0, 0x00,                          // 320 x 240
      0x90, 0x5f, 0x01, 0x00,                          // timebase denominator 90000
      0x01, 0x00, 0x00, 0x00,                          // timebase numerator 1
      0x01, 0x00, 0x00, 0x00,                          // 1 frame
      0x00, 0x00, 0x00, 0x00,                          // unused
      0x0c, 0x00, 0x00, 0x00,                          // frame size 12
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // timestamp 0
  };
  std::vector<uint8_t> expected = expected_header;
  expected.insert(expected.end(), kKeyframe.begin(), kKeyframe.end());
  EXPECT_EQ(read_file(path), expected);
}

TEST(IvfWriter, NoFramesStillLeavesAValidHeader) {
  TempDir dir;
  const std::string path = dir.file("empty.ivf");
  { IvfWriter writer(path); }
  const std::vector<uint8_t> bytes = read_file(path);
  ASSERT_EQ(bytes.size(), 32u);
  const auto header = IvfFileHeader::parse(bytes);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->frame_count, 0u);
  EXPECT_EQ(header->width, 0);
  EXPECT_EQ(header->timebase_denominator, 90000u);
}

TEST(IvfWriter, TheFileIsCompleteAfterEveryFrameWithoutClose) {
  TempDir dir;
  const std::string path = dir.file("live.ivf");
  IvfWriter writer(path);
  for (uint32_t n = 1; n <= 5; ++n) {
    ASSERT_TRUE(writer.write(n * 3000, n == 1 ? kKeyframe : kDelta));
    // What a reader sees while the writer is still open, as after a crash.
    const std::vector<uint8_t> bytes = read_file(path);
    auto reader = IvfReader::open(bytes);
    ASSERT_TRUE(reader);
    EXPECT_EQ(reader->header().frame_count, n);
    EXPECT_EQ(reader->header().width, 320);
    EXPECT_EQ(reader->header().height, 240);
    uint32_t frames = 0;
    while (reader->next()) ++frames;
    EXPECT_EQ(frames, n);
    EXPECT_TRUE(reader->at_end());
  }
  EXPECT_EQ(writer.frames_written(), 5u);
}

TEST(IvfWriter, TimestampsCountFromTheFirstFrameAcrossTheWrap) {
  TempDir dir;
  const std::string path = dir.file("wrap.ivf");
  {
    IvfWriter writer(path);
    ASSERT_TRUE(writer.write(0xFFFFF000u, kKeyframe));
    ASSERT_TRUE(writer.write(0xFFFFF000u + 3000, kDelta));  // wrapped: 0x00000BB8 - 0x1000
    ASSERT_TRUE(writer.write(0xFFFFF000u + 6000, kDelta));
    ASSERT_TRUE(writer.write(0xFFFFF000u + 6000, kDelta));  // the same instant again
  }
  const std::vector<uint8_t> bytes = read_file(path);
  auto reader = IvfReader::open(bytes);
  ASSERT_TRUE(reader);
  std::vector<uint64_t> timestamps;
  while (auto frame = reader->next()) timestamps.push_back(frame->timestamp);
  EXPECT_EQ(timestamps, (std::vector<uint64_t>{0, 3000, 6000, 6000}));
}

TEST(IvfWriter, StartsAtTheFirstKeyframe) {
  TempDir dir;
  const std::string path = dir.file("start.ivf");
  IvfWriter writer(path);
  EXPECT_FALSE(writer.write(1000, kDelta));
  EXPECT_FALSE(writer.write(2000, std::vector<uint8_t>{0x50}));  // too short to be any frame
  EXPECT_EQ(writer.frames_skipped(), 2u);
  EXPECT_EQ(writer.frames_written(), 0u);
  EXPECT_TRUE(writer.error().empty());
  ASSERT_TRUE(writer.write(3000, kKeyframe));
  ASSERT_TRUE(writer.write(6000, kDelta));
  const std::vector<uint8_t> bytes = read_file(path);
  auto reader = IvfReader::open(bytes);
  ASSERT_TRUE(reader);
  const auto first = reader->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->timestamp, 0u);
  EXPECT_EQ(std::vector<uint8_t>(first->data.begin(), first->data.end()), kKeyframe);
  EXPECT_EQ(reader->header().frame_count, 2u);
}

TEST(IvfWriter, AMissingDirectoryIsAnError) {
  TempDir dir;
  IvfWriter writer(dir.file("no/such/dir/a.ivf"));
  EXPECT_FALSE(writer.is_open());
  EXPECT_NE(writer.error().find("no/such/dir/a.ivf"), std::string::npos) << writer.error();
  EXPECT_NE(writer.error().find("No such file or directory"), std::string::npos) << writer.error();
  EXPECT_FALSE(writer.write(0, kKeyframe));
}

TEST(IvfWriter, AFullDiskIsAnError) {
  IvfWriter writer("/dev/full");  // every write fails with ENOSPC
  EXPECT_FALSE(writer.is_open());
  EXPECT_NE(writer.error().find("No space left on device"), std::string::npos) << writer.error();
  EXPECT_FALSE(writer.write(0, kKeyframe));
}

TEST(IvfWriter, MovingKeepsOneOwnerOfTheFile) {
  TempDir dir;
  const std::string path = dir.file("moved.ivf");
  IvfWriter first(path);
  ASSERT_TRUE(first.write(0, kKeyframe));
  IvfWriter second(std::move(first));
  EXPECT_FALSE(first.is_open());  // the moved-from writer gave up the file
  EXPECT_FALSE(first.write(3000, kDelta));
  ASSERT_TRUE(second.write(3000, kDelta));
  IvfWriter third(dir.file("other.ivf"));
  third = std::move(second);
  ASSERT_TRUE(third.write(6000, kDelta));
  third.close();
  EXPECT_FALSE(third.is_open());
  const std::vector<uint8_t> bytes = read_file(path);
  auto reader = IvfReader::open(bytes);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->header().frame_count, 3u);
  std::vector<uint64_t> timestamps;
  while (auto frame = reader->next()) timestamps.push_back(frame->timestamp);
  EXPECT_EQ(timestamps, (std::vector<uint64_t>{0, 3000, 6000}));
}

}  // namespace
}  // namespace ct::record
