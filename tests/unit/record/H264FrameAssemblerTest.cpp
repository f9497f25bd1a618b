// H264FrameAssembler: libx264's access units, sent as Chromium packetizes
// them (STAP-A, single NAL units, FU-A), come out whole and in order
// whatever the packet order; a loss drops frames until the next keyframe;
// the time bound ends the wait; a stream joined mid-frame starts at a
// keyframe with its SPS and PPS; broken fragments are malformed, not
// written. Then Chromium's own keyframes from the captured call.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "../rtp/RtpFixtures.hpp"
#include "H264TestSupport.hpp"
#include "record/H264FrameAssembler.hpp"
#include "record/H264SequenceParameterSet.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {
namespace {

using test::H264RtpPacket;

struct Received {
  uint32_t timestamp;
  bool keyframe;
  std::vector<uint8_t> data, parameter_sets;
};

class FrameLog : public H264FrameAssembler::Listener {
 public:
  void on_h264_frame(const H264Frame& frame) override {
    frames.push_back({frame.rtp_timestamp,
                      frame.keyframe,
                      {frame.data.begin(), frame.data.end()},
                      {frame.parameter_sets.begin(), frame.parameter_sets.end()}});
  }
  std::vector<Received> frames;
};

class H264FrameAssemblerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    source = test::encode_h264(dir, 40, 10, 0xFFFF0000u);  // keyframes at 0, 10, 20, 30; timestamps wrap
    packets = test::packetize_h264(source.access_units, 65500, 160);  // P-frames: 150-330 bytes
  }
  void push(const H264RtpPacket& p) { assembler.push(p.sequence_number, p.timestamp, p.marker, p.payload); }
  // The frames of these indexes came out, whole and in order.
  void expect_frames(const std::vector<size_t>& indexes) {
    ASSERT_EQ(log.frames.size(), indexes.size());
    for (size_t i = 0; i < indexes.size(); ++i) {
      SCOPED_TRACE("frame " + std::to_string(indexes[i]));
      const auto& unit = source.access_units[indexes[i]];
      EXPECT_EQ(log.frames[i].timestamp, unit.rtp_timestamp);
      EXPECT_EQ(log.frames[i].keyframe, unit.keyframe);
      EXPECT_EQ(log.frames[i].data, unit.annex_b());
    }
  }
  size_t first_packet_of(size_t frame) const {
    size_t i = 0;
    while (packets[i].timestamp != source.access_units[frame].rtp_timestamp) ++i;
    return i;
  }
  size_t packets_of(size_t frame) const {
    size_t n = 0;
    for (const auto& p : packets) n += p.timestamp == source.access_units[frame].rtp_timestamp;
    return n;
  }
  // The first frame in [from, to) of at least `count` packets, or `to`.
  size_t first_frame_of_packets(size_t from, size_t to, size_t count) const {
    while (from < to && packets_of(from) < count) ++from;
    return from;
  }
  std::vector<size_t> range(size_t from, size_t to) {
    std::vector<size_t> out;
    for (size_t i = from; i < to; ++i) out.push_back(i);
    return out;
  }

  test::TempDir dir;
  test::H264Source source;
  std::vector<H264RtpPacket> packets;
  FrameLog log;
  H264FrameAssembler assembler{log, H264FrameAssembler::Limits{512, 1500, 45000}};
};

TEST_F(H264FrameAssemblerTest, InOrderEveryFrameComesOutWhole) {
  ASSERT_TRUE(source.access_units[0].keyframe);
  // The packetizer used all three forms.
  size_t stap = 0, fu = 0, single = 0;
  for (const auto& p : packets) {
    const uint8_t type = p.payload[0] & 0x1F;
    stap += type == 24, fu += type == 28, single += type < 24;
  }
  EXPECT_EQ(stap, 4u);
  EXPECT_GT(fu, 40u);
  EXPECT_GT(single, 0u);

  for (const auto& p : packets) push(p);
  assembler.finish();
  expect_frames(range(0, 40));
  EXPECT_EQ(assembler.stats().incomplete_frames, 0u);
  EXPECT_FALSE(assembler.waiting_for_keyframe());
  // A keyframe carries its SPS and PPS apart, for the muxer.
  const auto sets = test::split_annex_b(log.frames[0].parameter_sets);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(test::nal_type(sets[0]), 7);
  EXPECT_EQ(test::nal_type(sets[1]), 8);
  const auto sps = H264SequenceParameterSet::parse(sets[0]);
  ASSERT_TRUE(sps);
  EXPECT_EQ(sps->width, 320u);
  EXPECT_EQ(sps->height, 240u);
  EXPECT_TRUE(log.frames[1].parameter_sets.empty());
}

TEST_F(H264FrameAssemblerTest, ReorderedAndDuplicatedPacketsMakeTheSameFrames) {
  std::mt19937 random(3);
  std::vector<std::pair<size_t, size_t>> keys;
  for (size_t i = 0; i < packets.size(); ++i) keys.emplace_back(i + random() % 6, i);
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    push(packets[key.second]);
    if (key.second % 7 == 0) push(packets[key.second]);
  }
  assembler.finish();
  expect_frames(range(0, 40));
  EXPECT_GT(assembler.stats().duplicate_packets, 0u);
}

TEST_F(H264FrameAssemblerTest, ALostPacketCostsTheFramesUntilTheNextKeyframe) {
  // The second packet of a frame k in 11..18 never comes: 0..k-1 go out; k
  // is waited for until a packet 45000 ticks (15 frames) later, then
  // k+1..19 go unwritten, and 20 on again.
  const size_t k = first_frame_of_packets(11, 19, 2);
  ASSERT_LT(k, 19u) << "no frame of two packets";
  const size_t lost = first_packet_of(k) + 1;
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i == lost) continue;
    push(packets[i]);
    if (packets[i].timestamp == source.access_units[k + 15].rtp_timestamp && packets[i].marker) {
      EXPECT_EQ(log.frames.size(), k) << "still waiting for a retransmission";
      EXPECT_FALSE(assembler.waiting_for_keyframe());
    }
    if (packets[i].timestamp == source.access_units[k + 16].rtp_timestamp && packets[i].marker) {
      EXPECT_EQ(assembler.stats().incomplete_frames, 1u) << "past the time bound, frame k is given up";
    }
  }
  assembler.finish();
  std::vector<size_t> expected = range(0, k);
  for (size_t i = 20; i < 40; ++i) expected.push_back(i);
  expect_frames(expected);
  EXPECT_EQ(assembler.stats().incomplete_frames, 1u);
  EXPECT_EQ(assembler.stats().undecodable_frames, 19 - k);
  EXPECT_FALSE(assembler.waiting_for_keyframe());
}

TEST_F(H264FrameAssemblerTest, AFrameGivenUpWantsAKeyframeUntilOneComes) {
  // Frame 23 loses a packet and no keyframe follows in what is sent.
  const uint32_t lost_timestamp = source.access_units[23].rtp_timestamp;
  bool skipped = false;
  for (const auto& p : packets) {
    if (!skipped && p.timestamp == lost_timestamp) {
      skipped = true;
      continue;
    }
    if (p.timestamp == source.access_units[30].rtp_timestamp) break;
    push(p);
  }
  EXPECT_FALSE(assembler.waiting_for_keyframe()) << "within the time bound";
  assembler.finish();
  EXPECT_TRUE(assembler.waiting_for_keyframe());
  expect_frames(range(0, 23));
}

TEST_F(H264FrameAssemblerTest, ARetransmissionInsideTheTimeBoundLandsInItsFrame) {
  // A packet of frame 13 comes 10 frames (30000 ticks) late: within 45000.
  size_t late = 0;
  for (size_t i = 0; i < packets.size(); ++i)
    if (packets[i].timestamp == source.access_units[13].rtp_timestamp) {
      late = i;
      break;
    }
  for (size_t i = 0; i < packets.size(); ++i) {
    if (i == late) continue;
    push(packets[i]);
    if (packets[i].timestamp == source.access_units[23].rtp_timestamp && packets[i].marker)
      push(packets[late]);
  }
  assembler.finish();
  expect_frames(range(0, 40));
}

TEST_F(H264FrameAssemblerTest, AStreamJoinedMidFrameStartsAtAKeyframe) {
  // The recording starts in the middle of frame 4's packets.
  size_t start = 0;
  while (packets[start].timestamp != source.access_units[4].rtp_timestamp) ++start;
  for (size_t i = start + 1; i < packets.size(); ++i) push(packets[i]);
  assembler.finish();
  expect_frames(range(10, 40));
  EXPECT_EQ(assembler.stats().frames, 30u);
}

TEST_F(H264FrameAssemblerTest, FragmentsThatDoNotJoinUpAreMalformed) {
  // A frame k in 1..9 sent in FU-A fragments loses the S bit of its first:
  // 0..k-1 go out, k is malformed, k+1..9 need the keyframe at 10.
  const size_t k = first_frame_of_packets(1, 10, 2);
  ASSERT_LT(k, 10u) << "no frame in fragments";
  const size_t first = first_packet_of(k);
  for (size_t i = 0; i < packets.size(); ++i) {
    auto packet = packets[i];
    if (i == first) {
      ASSERT_EQ(packet.payload[0] & 0x1F, 28);
      packet.payload[1] &= 0x7F;
    }
    push(packet);
  }
  assembler.finish();
  std::vector<size_t> expected = range(0, k);
  for (size_t i = 10; i < 40; ++i) expected.push_back(i);
  expect_frames(expected);
  EXPECT_EQ(assembler.stats().malformed_frames, 1u);
}

TEST_F(H264FrameAssemblerTest, GarbagePayloadsAreCountedAndChangeNothing) {
  std::mt19937 random(9);
  for (size_t i = 0; i < packets.size(); ++i) {
    push(packets[i]);
    std::vector<uint8_t> garbage(random() % 8);
    for (auto& b : garbage) b = uint8_t(0x80 | random());  // F set: never valid
    assembler.push(uint16_t(random()), uint32_t(random()), false, garbage);
  }
  assembler.finish();
  expect_frames(range(0, 40));
  EXPECT_EQ(assembler.stats().invalid_packets, packets.size());
}

// Chromium's two keyframes (OpenH264: STAP-A with SPS and PPS, then FU-A)
// from the captured call come out as keyframes of 640x480.
TEST(H264FrameAssembler, ChromiumsKeyframesComeOutWhole) {
  FrameLog log;
  H264FrameAssembler assembler(log, {});
  for (const rtp::test::FixtureLine& line : rtp::test::load_fixture("chromium-rtp.hex")) {
    if (line.description.find(" H264 ") == std::string::npos) continue;
    auto bytes = line.bytes;
    const auto packet = rtp::RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    assembler.push(packet->sequence_number(), packet->timestamp(), packet->marker(), packet->payload());
  }
  assembler.finish();
  size_t keyframes = 0;
  for (const Received& frame : log.frames) {
    if (!frame.keyframe) continue;
    ++keyframes;
    const auto sets = test::split_annex_b(frame.parameter_sets);
    ASSERT_EQ(sets.size(), 2u);
    const auto sps = H264SequenceParameterSet::parse(sets[0]);
    ASSERT_TRUE(sps);
    EXPECT_EQ(sps->width, 640u);
    EXPECT_EQ(sps->height, 480u);
    const auto units = test::split_annex_b(frame.data);
    ASSERT_EQ(units.size(), 3u);  // SPS, PPS, the IDR slice joined from its fragments
    EXPECT_EQ(test::nal_type(units[2]), 5);
    EXPECT_GT(units[2].size(), 2500u);
  }
  EXPECT_EQ(keyframes, 2u);
}

}  // namespace
}  // namespace ct::record
