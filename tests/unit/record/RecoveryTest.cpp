// recover(): a recording cut off mid-way (the process killed: the raw dump
// as the writer thread last flushed it, the WebM without its end) is
// rebuilt from the dump into files that ffprobe reads and ffmpeg decodes
// without a complaint, VP8 to the source's first frames' pixels.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "MediaTestSupport.hpp"
#include "RecordTestSupport.hpp"
#include "record/RecordingWriterThread.hpp"
#include "record/Recovery.hpp"
#include "record/RtpDumpHeader.hpp"
#include "record/TrackRecorder.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {
namespace {

using namespace std::chrono_literals;
using test::TempDir;

using test::send;

// Waits until `path` has `size` bytes: the writer thread flushed them.
bool wait_for_size(const std::filesystem::path& path, uintmax_t size) {
  std::error_code ec;
  for (int i = 0; i < 500; ++i) {
    if (std::filesystem::file_size(path, ec) == size) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

uintmax_t dump_size(const std::vector<std::vector<uint8_t>>& packets) {
  uintmax_t size = RtpDumpHeader::kSize;
  for (const auto& packet : packets) size += RtpDumpHeader::kRecordHeaderSize + packet.size();
  return size;
}

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override { CT_REQUIRE_FFMPEG(); }

  TrackRecordingConfig config(TrackCodec codec, const std::string& name) const {
    TrackRecordingConfig c;
    c.directory = dir_.path() / "live";
    c.name = name;
    c.codec = codec;
    c.payload_type = codec == TrackCodec::Vp8 ? 96 : 111;
    return c;
  }

  TempDir dir_;
};

TEST_F(RecoveryTest, AKilledRecordingIsRebuiltFromWhatArrived) {
  const test::Vp8Source video = test::encode_vp8(dir_, 60, "-g 15 -keyint_min 15", 0);
  const auto video_packets = test::vp8_rtp_packets(video.frames);
  const auto audio_frames = test::encode_opus(dir_, 2.0, 0);
  const auto audio_packets = test::opus_rtp_packets(audio_frames);
  // Half of each track arrives; then the process dies.
  const std::vector video_half(video_packets.begin(), video_packets.begin() + video_packets.size() / 2);
  const std::vector audio_half(audio_packets.begin(), audio_packets.begin() + audio_packets.size() / 2);

  const std::filesystem::path crashed = dir_.path() / "crashed";
  std::filesystem::create_directories(crashed);
  {
    RecordingWriterThread writer(5ms);
    auto video_recorder = TrackRecorder::start(writer, config(TrackCodec::Vp8, "bob-TR_v"));
    auto audio_recorder = TrackRecorder::start(writer, config(TrackCodec::Opus, "bob-TR_a"));
    for (const auto& packet : video_half) send(*video_recorder, packet);
    for (const auto& packet : audio_half) send(*audio_recorder, packet);
    const auto& video_recording = video_recorder->recording();
    const auto& audio_recording = audio_recorder->recording();
    ASSERT_TRUE(wait_for_size(video_recording.dump_path(), dump_size(video_half)));
    ASSERT_TRUE(wait_for_size(audio_recording.dump_path(), dump_size(audio_half)));
    // What the disk holds at the kill: both files still open, the dumps
    // flushed, the WebMs without their index.
    for (const auto* recording : {&video_recording, &audio_recording}) {
      std::filesystem::copy_file(recording->dump_path(), crashed / recording->dump_path().filename());
      std::filesystem::copy_file(recording->webm_path(), crashed / recording->webm_path().filename());
    }
    // A record cut short, as a kill during a write leaves it.
    const auto dump = test::read_file((crashed / "bob-TR_v.rtpdump").string());
    test::write_file((crashed / "bob-TR_v.rtpdump").string(), std::span(dump).first(dump.size() - 30));
  }

  const std::vector<RecoveredTrack> tracks = recover(crashed);
  ASSERT_EQ(tracks.size(), 2u);
  const RecoveredTrack& audio = tracks[0];  // name order: bob-TR_a, bob-TR_v
  const RecoveredTrack& video_track = tracks[1];
  EXPECT_EQ(audio.webm, crashed / "bob-TR_a.webm");
  EXPECT_EQ(audio.error, "");
  EXPECT_EQ(audio.packets, audio_half.size());
  EXPECT_EQ(audio.frames, audio_half.size());
  EXPECT_FALSE(audio.truncated);
  EXPECT_EQ(video_track.error, "");
  EXPECT_EQ(video_track.packets, video_half.size() - 1);
  EXPECT_TRUE(video_track.truncated);
  EXPECT_FALSE(video_track.corrupt);
  EXPECT_FALSE(std::filesystem::exists(crashed / "bob-TR_v.webm.partial"));
  // What recover's manifest is made of: the codec and the arrival times on
  // the wall clock, the first no later than the last, both around now.
  EXPECT_EQ(audio.codec, "opus");
  EXPECT_EQ(video_track.codec, "VP8");
  EXPECT_TRUE(audio.playable());
  for (const auto* t : {&audio, &video_track}) {
    ASSERT_TRUE(t->first_packet_us && t->last_packet_us);
    EXPECT_LE(*t->first_packet_us, *t->last_packet_us);
    const auto now_us = uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
    EXPECT_LT(now_us - *t->first_packet_us, 60'000'000u) << "arrived within the last minute";
  }

  const test::Probe audio_probe = test::probe(dir_, audio.webm.string());
  EXPECT_EQ(audio_probe.streams, "opus,audio,2," + std::to_string(audio_half.size()) + "\n");
  EXPECT_NEAR(audio_probe.duration, audio_half.size() * 0.02, 0.1);
  EXPECT_EQ(test::decode_errors(dir_, audio.webm.string()), "");

  const test::Probe video_probe = test::probe(dir_, video_track.webm.string());
  EXPECT_EQ(video_probe.streams, "vp8,video,320,240," + std::to_string(video_track.frames) + "\n");
  EXPECT_NEAR(video_probe.duration, video_track.frames / 30.0, 0.1);
  EXPECT_EQ(test::decode_errors(dir_, video_track.webm.string()), "");
  std::string errors;
  const auto md5 = test::frame_md5(dir_, video_track.webm.string(), &errors);
  EXPECT_GE(md5.size(), 25u);
  EXPECT_EQ(md5, std::vector(video.md5.begin(), video.md5.begin() + std::ptrdiff_t(md5.size())));
}

TEST_F(RecoveryTest, GarbageAfterTheRecordsEndsTheDumpButKeepsWhatCameBefore) {
  const test::Vp8Source video = test::encode_vp8(dir_, 10, "", 0);
  const auto packets = test::vp8_rtp_packets(video.frames);
  {
    RecordingWriterThread writer(5ms);
    auto recorder = TrackRecorder::start(writer, config(TrackCodec::Vp8, "v"));
    for (const auto& packet : packets) send(*recorder, packet);
  }
  const std::filesystem::path folder = dir_.path() / "live";
  auto dump = test::read_file((folder / "v.rtpdump").string());
  dump.insert(dump.end(), 100, 0xFF);
  test::write_file((folder / "v.rtpdump").string(), dump);

  const auto tracks = recover(folder);
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_TRUE(tracks[0].corrupt);
  EXPECT_EQ(tracks[0].packets, packets.size());
  EXPECT_EQ(tracks[0].frames, 10u);
  std::string errors;
  EXPECT_EQ(test::frame_md5(dir_, tracks[0].webm.string(), &errors), video.md5);
}

TEST_F(RecoveryTest, WhatCannotBeRecoveredIsReportedAndLeftAsItWas) {
  const std::filesystem::path folder = dir_.path() / "odd";
  std::filesystem::create_directories(folder);
  test::write_file((folder / "a.rtpdump").string(), std::vector<uint8_t>{'n', 'o', 't'});
  RtpDumpHeader h264;
  h264.codec = "H264";
  h264.clock_rate = 90000;
  const auto header = h264.serialize();
  test::write_file((folder / "b.rtpdump").string(), header);
  RtpDumpHeader vp8 = h264;
  vp8.codec = "VP8";
  test::write_file((folder / "c.rtpdump").string(), vp8.serialize());  // no packets
  test::write_file((folder / "c.webm").string(), std::vector<uint8_t>{1, 2, 3});
  test::write_file((folder / "notes.txt").string(), std::vector<uint8_t>{1});

  const auto tracks = recover(folder);
  ASSERT_EQ(tracks.size(), 3u);
  EXPECT_NE(tracks[0].error.find("not a raw RTP dump"), std::string::npos) << tracks[0].error;
  EXPECT_NE(tracks[1].error.find("codec 'H264'"), std::string::npos) << tracks[1].error;
  EXPECT_NE(tracks[2].error.find("no frame"), std::string::npos) << tracks[2].error;
  EXPECT_EQ(test::read_file((folder / "c.webm").string()), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_TRUE(recover(dir_.path() / "missing").empty());
}

}  // namespace
}  // namespace ct::record
