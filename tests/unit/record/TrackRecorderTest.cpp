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

#include "MediaTestSupport.hpp"
#include "RecordTestSupport.hpp"
#include "record/RecordingWriterThread.hpp"
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
    c.name = codec == TrackCodec::Vp8 ? "alice-TR_video" : "alice-TR_audio";
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

}  // namespace
}  // namespace ct::record
