// TrackRecorder as the SFU uses it: real VP8 and Opus as RTP packets,
// handed to the tap one by one on this (the "media") thread, written by a
// RecordingWriterThread. What a user checks: ffprobe finds the right codec,
// stream and duration; ffmpeg decodes every frame without a complaint; VP8
// frames decode to the source's pixels, also after reordering and loss; the
// raw dump holds every packet as it came; a full ring drops and counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "H264TestSupport.hpp"
#include "MediaTestSupport.hpp"
#include "RecordTestSupport.hpp"
#include "record/RecordingWriterThread.hpp"
#include "record/Recovery.hpp"
#include "record/RtpDumpReader.hpp"
#include "record/TrackRecorder.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {
namespace {

using namespace std::chrono_literals;
using test::TempDir;

using test::send;

// Up to `distance` places out of order, every `duplicate_every`th sent twice.
std::vector<std::vector<uint8_t>> reordered(const std::vector<std::vector<uint8_t>>& packets, unsigned seed,
                                            size_t distance, size_t duplicate_every) {
  std::mt19937 random(seed);
  std::vector<std::pair<size_t, size_t>> keys;
  for (size_t i = 0; i < packets.size(); ++i) keys.emplace_back(i + random() % (distance + 1), i);
  std::sort(keys.begin(), keys.end());
  std::vector<std::vector<uint8_t>> out;
  for (const auto& key : keys) {
    out.push_back(packets[key.second]);
    if (duplicate_every && key.second % duplicate_every == 0) out.push_back(packets[key.second]);
  }
  return out;
}

std::vector<std::vector<uint8_t>> without_some(const std::vector<std::vector<uint8_t>>& packets,
                                               unsigned seed, double loss) {
  std::mt19937 random(seed);
  std::bernoulli_distribution lost(loss);
  std::vector<std::vector<uint8_t>> out;
  for (const auto& packet : packets) {
    if (!lost(random)) out.push_back(packet);
  }
  return out;
}

// `part` appears in `whole` in order (not necessarily next to each other).
bool is_subsequence(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  auto at = whole.begin();
  for (const auto& item : part) {
    at = std::find(at, whole.end(), item);
    if (at == whole.end()) return false;
    ++at;
  }
  return true;
}

class TrackRecorderTest : public ::testing::Test {
 protected:
  void SetUp() override { CT_REQUIRE_FFMPEG(); }

  TrackRecordingConfig config(TrackCodec codec, uint8_t payload_type) const {
    TrackRecordingConfig c;
    c.directory = dir_.path() / "room" / "rec1";
    c.name = track_codec_is_video(codec) ? "alice-TR_video" : "alice-TR_audio";
    c.codec = codec;
    c.payload_type = payload_type;
    return c;
  }

  // Records `packets` through a tap, pausing now and then so the writer
  // thread drains while packets still come; returns the finished recording.
  std::shared_ptr<TrackRecording> record(const TrackRecordingConfig& config,
                                         const std::vector<std::vector<uint8_t>>& packets) {
    RecordingWriterThread writer(2ms);
    auto recording = std::make_shared<TrackRecording>(config);
    writer.add(recording);
    {
      TrackRecorder recorder(recording);
      for (size_t i = 0; i < packets.size(); ++i) {
        send(recorder, packets[i]);
        if (i % 50 == 49) std::this_thread::sleep_for(3ms);
      }
    }
    // The tap is gone: the writer thread finishes the recording by itself.
    for (int i = 0; i < 500 && !recording->finished(); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(recording->finished());
    EXPECT_EQ(writer.active(), 0u);
    return recording;
  }

  TempDir dir_;
};

TEST_F(TrackRecorderTest, Vp8ReorderedAndDuplicatedDecodesToTheSourcePixels) {
  const test::Vp8Source source = test::encode_vp8(dir_, 30, "", 0xFFFF0000u);
  ASSERT_EQ(source.frames.size(), 30u);
  const auto sent = reordered(test::vp8_rtp_packets(source.frames), 7, 4, 7);
  const auto recording = record(config(TrackCodec::Vp8, 96), sent);

  EXPECT_EQ(recording->packets_queued(), sent.size());
  EXPECT_EQ(recording->packets_dropped(), 0u);
  const auto stats = recording->writer_stats();
  EXPECT_EQ(stats.packets_dumped, sent.size());
  EXPECT_EQ(stats.frames_written, 30u);
  EXPECT_EQ(stats.frames_incomplete, 0u);
  EXPECT_EQ(stats.webm_error, "");

  const std::string webm = recording->webm_path().string();
  EXPECT_EQ(webm, (dir_.path() / "room/rec1/alice-TR_video.webm").string());
  const test::Probe probe = test::probe(dir_, webm);
  EXPECT_EQ(probe.streams, "vp8,video,320,240,30\n");
  EXPECT_NEAR(probe.duration, 1.0, 0.1);
  EXPECT_EQ(test::decode_errors(dir_, webm), "");
  std::string errors;
  EXPECT_EQ(test::frame_md5(dir_, webm, &errors), source.md5);

  // The raw dump: every packet, in the order it came, arrival times rising.
  const auto dump = test::read_file(recording->dump_path().string());
  auto reader = RtpDumpReader::open(dump);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->header().codec, "VP8");
  EXPECT_EQ(reader->header().clock_rate, 90000u);
  EXPECT_EQ(reader->header().payload_type, 96);
  uint64_t last_arrival = 0;
  for (const auto& packet : sent) {
    const auto record = reader->next();
    ASSERT_TRUE(record);
    EXPECT_TRUE(std::equal(record->packet.begin(), record->packet.end(), packet.begin(), packet.end()));
    EXPECT_GE(record->arrival_us, last_arrival);
    last_arrival = record->arrival_us;
  }
  EXPECT_TRUE(reader->at_end());
  EXPECT_GT(last_arrival, 0u);  // the pauses show
}

TEST_F(TrackRecorderTest, Vp8WithLostAndReorderedPacketsStillDecodesCleanly) {
  const test::Vp8Source source = test::encode_vp8(dir_, 60, "-g 10 -keyint_min 10", 1234);
  ASSERT_EQ(source.frames.size(), 60u);
  const auto sent = reordered(without_some(test::vp8_rtp_packets(source.frames), 5, 0.05), 11, 3, 0);
  const auto recording = record(config(TrackCodec::Vp8, 96), sent);
  const auto stats = recording->writer_stats();
  EXPECT_GT(stats.frames_incomplete, 0u);
  EXPECT_GT(stats.frames_written, 10u);
  EXPECT_LT(stats.frames_written, 60u);

  const std::string webm = recording->webm_path().string();
  EXPECT_EQ(test::decode_errors(dir_, webm), "");
  std::string errors;
  const auto md5 = test::frame_md5(dir_, webm, &errors);
  EXPECT_EQ(errors, "");
  // Every decoded frame is a source frame, in order: nothing broken shows.
  EXPECT_EQ(md5.size(), stats.frames_written);
  EXPECT_TRUE(is_subsequence(md5, source.md5));
}

TEST_F(TrackRecorderTest, OpusReorderedAndLostKeepsItsDurationAndDecodesCleanly) {
  const std::vector<test::MediaFrame> frames = test::encode_opus(dir_, 2.0, 0xFFFFF000u);
  ASSERT_GT(frames.size(), 95u);
  auto packets = test::opus_rtp_packets(frames);
  packets.erase(packets.begin() + 40);  // lost: a 20 ms gap in the timestamps
  const auto sent = reordered(packets, 3, 3, 5);
  const auto recording = record(config(TrackCodec::Opus, 111), sent);
  const auto stats = recording->writer_stats();
  EXPECT_EQ(stats.frames_written, frames.size() - 1);
  EXPECT_EQ(stats.frames_incomplete, 1u);

  const std::string webm = recording->webm_path().string();
  const test::Probe probe = test::probe(dir_, webm);
  EXPECT_EQ(probe.streams, "opus,audio,2," + std::to_string(frames.size() - 1) + "\n");
  EXPECT_NEAR(probe.duration, 2.0, 0.1);
  EXPECT_EQ(probe.errors, "");
  EXPECT_EQ(test::decode_errors(dir_, webm), "");
}

TEST_F(TrackRecorderTest, PacketsOfAnotherPayloadTypeAreDumpedButNotMuxed) {
  const std::vector<test::MediaFrame> frames = test::encode_opus(dir_, 0.5, 0);
  auto packets = test::opus_rtp_packets(frames);
  // Comfort noise (RFC 3389, payload type 13) in between.
  packets.insert(packets.begin() + 5, test::rtp_packet(13, 1, 0, false, std::vector<uint8_t>{0x40}));
  const auto recording = record(config(TrackCodec::Opus, 111), packets);
  EXPECT_EQ(recording->writer_stats().packets_dumped, packets.size());
  EXPECT_EQ(recording->writer_stats().frames_written, frames.size());
  EXPECT_EQ(test::decode_errors(dir_, recording->webm_path().string()), "");
}

TEST_F(TrackRecorderTest, AFullRingDropsAndCountsWithoutWaiting) {
  RecordingWriterThread writer(1h);  // never polls during the test
  TrackRecordingConfig c = config(TrackCodec::Opus, 111);
  c.ring_slots = 8;
  auto recording = std::make_shared<TrackRecording>(c);
  EXPECT_EQ(recording->ring_memory_bytes(), 8u * (1500 + 16));
  writer.add(recording);
  const auto packets = test::opus_rtp_packets(test::encode_opus(dir_, 0.5, 0));
  ASSERT_GE(packets.size(), 20u);
  {
    TrackRecorder recorder(recording);
    for (size_t i = 0; i < 20; ++i) send(recorder, packets[i]);
    EXPECT_EQ(recording->packets_queued(), 8u);
    EXPECT_EQ(recording->packets_dropped(), 12u);
  }
  writer.stop();  // drains and closes what is left
  EXPECT_TRUE(recording->finished());
  EXPECT_EQ(recording->writer_stats().packets_dumped, 8u);
  EXPECT_EQ(recording->writer_stats().frames_written, 8u);
}

TEST_F(TrackRecorderTest, APacketLargerThanASlotIsDroppedAndCounted) {
  RecordingWriterThread writer(1h);
  TrackRecordingConfig c = config(TrackCodec::Opus, 111);
  c.max_packet_bytes = 100;
  auto recording = std::make_shared<TrackRecording>(c);
  writer.add(recording);
  TrackRecorder recorder(recording);
  send(recorder, test::rtp_packet(111, 1, 0, false, std::vector<uint8_t>(100, 0x08)));
  send(recorder, test::rtp_packet(111, 2, 960, false, std::vector<uint8_t>(50, 0x08)));
  EXPECT_EQ(recording->packets_dropped(), 1u);
  EXPECT_EQ(recording->packets_queued(), 1u);
}

TEST_F(TrackRecorderTest, StoppingTheWriterClosesRecordingsWhoseTapsStillExist) {
  RecordingWriterThread writer(1h);
  const test::Vp8Source source = test::encode_vp8(dir_, 10, "", 0);
  auto recorder = TrackRecorder::start(writer, config(TrackCodec::Vp8, 96));
  for (const auto& packet : test::vp8_rtp_packets(source.frames)) send(*recorder, packet);
  writer.stop();
  EXPECT_TRUE(recorder->recording().finished());
  EXPECT_EQ(writer.active(), 0u);
  const std::string webm = recorder->recording().webm_path().string();
  EXPECT_EQ(test::probe(dir_, webm).streams, "vp8,video,320,240,10\n");
  std::string errors;
  EXPECT_EQ(test::frame_md5(dir_, webm, &errors), source.md5);
  // A recording added after the stop is closed at once, with nothing in it.
  auto late = TrackRecorder::start(writer, config(TrackCodec::Opus, 111));
  EXPECT_TRUE(late->recording().finished());
}

TEST_F(TrackRecorderTest, AFolderThatCannotBeMadeIsReportedNotThrown) {
  const std::string blocker = dir_.file("blocker");
  test::write_file(blocker, std::vector<uint8_t>{1});
  TrackRecordingConfig c = config(TrackCodec::Opus, 111);
  c.directory = std::filesystem::path(blocker) / "rec";  // a file is in the way
  const auto packets = test::opus_rtp_packets(test::encode_opus(dir_, 0.2, 0));
  const auto recording = record(c, packets);
  const auto stats = recording->writer_stats();
  EXPECT_NE(stats.dump_error, "");
  EXPECT_NE(stats.webm_error, "");
  EXPECT_EQ(stats.frames_written, 0u);
}

// The writer thread's way back: a file still without a keyframe a second
// after its packets began asks for one (once per interval, taken once by the
// media thread), not at once (the room asks at the start itself); and the
// publisher's sender report places the file's time zero at its capture time
// on the wall clock. The report goes into the dump, not into the WebM.
TEST_F(TrackRecorderTest, AsksForAKeyframeUntilTheFileStartsAndTakesTimeZeroFromSenderReports) {
  RecordingWriterThread writer(2ms);
  auto recording = std::make_shared<TrackRecording>(config(TrackCodec::Vp8, 96));
  writer.add(recording);
  TrackRecorder recorder(recording);
  const test::Vp8Source source = test::encode_vp8(dir_, 10, "-g 5 -keyint_min 5", 5000);
  ASSERT_TRUE(source.frames[5].keyframe);
  const auto packets = test::vp8_rtp_packets(source.frames);
  auto first_packet_of = [&](size_t frame) {
    size_t i = 0;
    while (uint32_t(packets[i][4] << 24 | packets[i][5] << 16 | packets[i][6] << 8 | packets[i][7]) !=
           source.frames[frame].rtp_timestamp)
      ++i;
    return i;
  };
  const size_t at = first_packet_of(1), keyframe_at = first_packet_of(5);  // frames 1-4 first: no keyframe
  const auto started = std::chrono::steady_clock::now();
  for (size_t i = at; i < keyframe_at; ++i) send(recorder, packets[i]);
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(recorder.take_keyframe_request()) << "asked at once, beside the room's own request";
  bool asked = false;
  for (int i = 0; i < 400 && !asked; ++i) {
    asked = recorder.take_keyframe_request();
    if (!asked) std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(asked) << "no keyframe request while the file waits for one";
  EXPECT_GE(std::chrono::steady_clock::now() - started, 900ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(recorder.take_keyframe_request()) << "asked again within the interval";

  for (size_t i = keyframe_at; i < packets.size(); ++i) send(recorder, packets[i]);
  // The report's instant is 1 s of RTP time after frame 5, and now on the
  // sender's clock (which is the server's here): time zero is 1 s ago.
  const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const uint64_t ntp =
      (uint64_t(now_us / 1'000'000 + 2208988800) << 32) | ((uint64_t(now_us % 1'000'000) << 32) / 1'000'000);
  recorder.on_sender_report(ntp, source.frames[5].rtp_timestamp + 90000, Clock::now());
  for (int i = 0; i < 200 && !recording->media_start_unix_us(); ++i) std::this_thread::sleep_for(5ms);
  std::this_thread::sleep_for(20ms);  // a drain after the report
  ASSERT_TRUE(recording->media_start_unix_us());
  EXPECT_NEAR(double(*recording->media_start_unix_us()), double(now_us - 1'000'000), 50'000.0);
  std::this_thread::sleep_for(1100ms);
  EXPECT_FALSE(recorder.take_keyframe_request()) << "asked while the file runs";

  writer.stop();
  EXPECT_EQ(recording->writer_stats().frames_written, 5u);
  EXPECT_EQ(test::decode_errors(dir_, recording->webm_path().string()), "");
  const auto dump = test::read_file(recording->dump_path().string());
  auto reader = RtpDumpReader::open(dump);
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->header().version, 2);
  size_t reports = 0;
  while (const auto record = reader->next()) reports += RtpDumpHeader::is_rtcp(record->packet) ? 1 : 0;
  EXPECT_EQ(reports, 1u);
}

// H.264 as Chromium sends it (RFC 6184 mode 1), reordered and with losses,
// into Matroska: ffprobe finds an h264 stream of the right size, ffmpeg
// decodes every frame without a word, and each decoded frame is one of the
// source's, in order; without losses, all of them.
std::vector<std::vector<uint8_t>> h264_rtp_packets(const test::H264Source& source) {
  std::vector<std::vector<uint8_t>> out;
  for (const auto& p : test::packetize_h264(source.access_units, 65000))
    out.push_back(test::rtp_packet(102, p.sequence_number, p.timestamp, p.marker, p.payload));
  return out;
}

TEST_F(TrackRecorderTest, H264IsWrittenToMatroskaAndDecodesToTheSourcePixels) {
  const test::H264Source source = test::encode_h264(dir_, 45, 15, 123456);
  ASSERT_EQ(source.md5.size(), 45u);
  const auto sent = reordered(h264_rtp_packets(source), 5, 4, 9);
  const auto recording = record(config(TrackCodec::H264, 102), sent);
  const std::string file = recording->webm_path().string();
  EXPECT_EQ(file, (dir_.path() / "room/rec1/alice-TR_video.mkv").string());
  EXPECT_EQ(recording->writer_stats().frames_written, 45u);
  EXPECT_EQ(recording->writer_stats().webm_error, "");
  const test::Probe probe = test::probe(dir_, file);
  EXPECT_EQ(probe.streams, "h264,video,320,240,45\n");
  EXPECT_NEAR(probe.duration, 1.5, 0.1);
  EXPECT_EQ(test::decode_errors(dir_, file), "");
  std::string errors;
  EXPECT_EQ(test::frame_md5(dir_, file, &errors), source.md5);
  EXPECT_EQ(errors, "");

  // After a crash: recover() rebuilds the same .mkv from the dump.
  std::filesystem::remove(file);
  const auto recovered = recover(recording->config().directory);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0].error, "");
  EXPECT_EQ(recovered[0].webm.string(), file);
  EXPECT_EQ(test::frame_md5(dir_, file, &errors), source.md5);
}

TEST_F(TrackRecorderTest, H264WithLostPacketsStillDecodesCleanly) {
  const test::H264Source source = test::encode_h264(dir_, 90, 15, 0xFFFF0000u);
  const auto sent = reordered(without_some(h264_rtp_packets(source), 8, 0.03), 2, 3, 0);
  const auto recording = record(config(TrackCodec::H264, 102), sent);
  const auto stats = recording->writer_stats();
  EXPECT_GT(stats.frames_incomplete, 0u);
  EXPECT_GT(stats.frames_written, 15u);
  EXPECT_LT(stats.frames_written, 90u);
  const std::string file = recording->webm_path().string();
  EXPECT_EQ(test::decode_errors(dir_, file), "");
  std::string errors;
  const auto md5 = test::frame_md5(dir_, file, &errors);
  EXPECT_EQ(errors, "");
  EXPECT_EQ(md5.size(), stats.frames_written);
  EXPECT_TRUE(is_subsequence(md5, source.md5));
}

}  // namespace
}  // namespace ct::record
