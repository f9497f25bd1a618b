// WebmTrackWriter with real VP8 (libvpx) and Opus (libopus) frames, checked
// by FFmpeg's own tools: the codec, size and duration ffprobe reports, a
// decode without a single complaint, and VP8 frames that decode to the
// source's pixels.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "MediaTestSupport.hpp"
#include "RecordTestSupport.hpp"
#include "record/WebmTrackWriter.hpp"

namespace ct::record {
namespace {

using test::TempDir;

// Near the 32-bit end, so the timestamps wrap within the first second.
constexpr uint32_t kFirstTimestamp = 0xFFFF0000u;

class WebmTrackWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { CT_REQUIRE_FFMPEG(); }
  TempDir dir_;
};

TEST_F(WebmTrackWriterTest, Vp8FramesAreMuxedAsTheyAreAndDecodeToTheSourcePixels) {
  const test::Vp8Source source = test::encode_vp8(dir_, 30, "", kFirstTimestamp);
  ASSERT_EQ(source.frames.size(), 30u);
  const std::string path = dir_.file("video.webm");
  {
    WebmTrackWriter writer(path, {TrackCodec::Vp8});
    for (const auto& frame : source.frames) {
      EXPECT_TRUE(writer.write(frame.rtp_timestamp, frame.keyframe, frame.data)) << writer.error();
    }
    EXPECT_TRUE(writer.close()) << writer.error();
    EXPECT_EQ(writer.stats().frames_written, 30u);
    EXPECT_EQ(writer.width(), 320);
    EXPECT_EQ(writer.height(), 240);
    EXPECT_EQ(writer.duration(), 30 * 3000);
  }
  const test::Probe probe = test::probe(dir_, path);
  EXPECT_EQ(probe.streams, "vp8,video,320,240,30\n");
  EXPECT_NEAR(probe.duration, 1.0, 0.1);
  EXPECT_EQ(probe.errors, "");
  EXPECT_EQ(test::decode_errors(dir_, path), "");
  std::string errors;
  EXPECT_EQ(test::frame_md5(dir_, path, &errors), source.md5);
  EXPECT_EQ(errors, "");
}

TEST_F(WebmTrackWriterTest, TheFileStartsAtTheFirstKeyframe) {
  const test::Vp8Source source = test::encode_vp8(dir_, 30, "-g 10 -keyint_min 10", kFirstTimestamp);
  ASSERT_EQ(source.frames.size(), 30u);
  ASSERT_TRUE(source.frames[10].keyframe);
  const std::string path = dir_.file("video.webm");
  {
    WebmTrackWriter writer(path, {TrackCodec::Vp8});
    for (size_t i = 5; i < source.frames.size(); ++i) {
      writer.write(source.frames[i].rtp_timestamp, source.frames[i].keyframe, source.frames[i].data);
      EXPECT_EQ(writer.started(), i >= 10);
    }
    EXPECT_TRUE(writer.close());
    EXPECT_EQ(writer.stats().frames_skipped, 5u);
    EXPECT_EQ(writer.stats().frames_written, 20u);
  }
  EXPECT_NEAR(test::probe(dir_, path).duration, 20.0 / 30, 0.1);
  EXPECT_EQ(test::decode_errors(dir_, path), "");
  std::string errors;
  EXPECT_EQ(test::frame_md5(dir_, path, &errors), std::vector(source.md5.begin() + 10, source.md5.end()));
}

TEST_F(WebmTrackWriterTest, OpusPacketsAreMuxedWithAnOpusHead) {
  const std::vector<test::MediaFrame> packets = test::encode_opus(dir_, 2.0, kFirstTimestamp);
  ASSERT_GT(packets.size(), 95u);
  const std::string path = dir_.file("audio.webm");
  {
    WebmTrackWriter writer(path, {TrackCodec::Opus, 2});
    for (const auto& packet : packets) {
      EXPECT_TRUE(writer.write(packet.rtp_timestamp, true, packet.data)) << writer.error();
    }
    EXPECT_TRUE(writer.close()) << writer.error();
    EXPECT_EQ(writer.duration(), int64_t(packets.size()) * 960);
  }
  const test::Probe probe = test::probe(dir_, path);
  EXPECT_EQ(probe.streams, "opus,audio,2," + std::to_string(packets.size()) + "\n");
  EXPECT_NEAR(probe.duration, 2.0, 0.1);
  EXPECT_EQ(probe.errors, "");
  EXPECT_EQ(test::decode_errors(dir_, path), "");
}

TEST_F(WebmTrackWriterTest, AFrameNotAfterTheLastOneIsDroppedAndTheFileStaysClean) {
  const std::vector<test::MediaFrame> packets = test::encode_opus(dir_, 0.5, 1000);
  ASSERT_GT(packets.size(), 10u);
  const std::string path = dir_.file("audio.webm");
  WebmTrackWriter writer(path, {TrackCodec::Opus, 2});
  EXPECT_TRUE(writer.write(packets[0].rtp_timestamp, true, packets[0].data));
  EXPECT_TRUE(writer.write(packets[2].rtp_timestamp, true, packets[2].data));
  EXPECT_FALSE(writer.write(packets[1].rtp_timestamp, true, packets[1].data));
  EXPECT_FALSE(writer.write(packets[2].rtp_timestamp, true, packets[2].data));
  for (size_t i = 3; i < packets.size(); ++i) writer.write(packets[i].rtp_timestamp, true, packets[i].data);
  EXPECT_TRUE(writer.close());
  EXPECT_EQ(writer.stats().frames_out_of_order, 2u);
  EXPECT_EQ(writer.stats().frames_written, packets.size() - 1);
  EXPECT_EQ(test::decode_errors(dir_, path), "");
}

TEST_F(WebmTrackWriterTest, InvalidOpusPacketsAreCountedNotWritten) {
  WebmTrackWriter writer(dir_.file("audio.webm"), {TrackCodec::Opus, 2});
  EXPECT_FALSE(writer.write(0, true, std::vector<uint8_t>{}));
  EXPECT_FALSE(writer.write(960, true, std::vector<uint8_t>{0x1B}));  // code 3 without its count
  EXPECT_EQ(writer.stats().frames_invalid, 2u);
  EXPECT_FALSE(writer.started());
}

TEST_F(WebmTrackWriterTest, WithoutAKeyframeNoFileIsMade) {
  const test::Vp8Source source = test::encode_vp8(dir_, 5, "", 0);
  const std::string path = dir_.file("video.webm");
  WebmTrackWriter writer(path, {TrackCodec::Vp8});
  for (size_t i = 1; i < source.frames.size(); ++i) {
    EXPECT_FALSE(writer.write(source.frames[i].rtp_timestamp, false, source.frames[i].data));
  }
  EXPECT_TRUE(writer.close());
  EXPECT_EQ(writer.stats().frames_skipped, 4u);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(WebmTrackWriterTest, AFileThatCannotBeCreatedIsAnErrorNotAnException) {
  const test::Vp8Source source = test::encode_vp8(dir_, 2, "", 0);
  const std::string path = dir_.file("missing/video.webm");
  WebmTrackWriter writer(path, {TrackCodec::Vp8});
  EXPECT_FALSE(writer.write(source.frames[0].rtp_timestamp, true, source.frames[0].data));
  EXPECT_NE(writer.error().find(path + ": open"), std::string::npos) << writer.error();
  EXPECT_FALSE(writer.write(source.frames[1].rtp_timestamp, false, source.frames[1].data));
  EXPECT_FALSE(writer.close());
}

}  // namespace
}  // namespace ct::record
