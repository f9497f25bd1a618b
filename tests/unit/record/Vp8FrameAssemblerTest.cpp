// Vp8FrameAssembler: frames come out whole and in order whatever the packet
// order; losses drop frames until the next keyframe; the window bounds what
// is buffered; sequence numbers wrap. Then Chromium's own packets.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "../rtp/RtpFixtures.hpp"
#include "Vp8Packetizer.hpp"
#include "record/Vp8FrameAssembler.hpp"
#include "record/Vp8FrameHeader.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {
namespace {

using test::RtpVp8Packet;

struct ReceivedFrame {
  uint32_t timestamp;
  bool keyframe;
  uint16_t first_sequence_number;
  uint16_t last_sequence_number;
  std::vector<uint8_t> data;
};

class FrameLog : public Vp8FrameAssembler::Listener {
 public:
  void on_vp8_frame(const Vp8Frame& frame) override {
    frames.push_back({frame.rtp_timestamp,
                      frame.keyframe,
                      frame.first_sequence_number,
                      frame.last_sequence_number,
                      {frame.data.begin(), frame.data.end()}});
  }
  std::vector<uint32_t> timestamps() const {
    std::vector<uint32_t> out;
    for (const ReceivedFrame& f : frames) out.push_back(f.timestamp);
    return out;
  }
  std::vector<ReceivedFrame> frames;
};

// A VP8 frame as the encoder would make it: a keyframe's tag, start code
// and 320x240, or a delta frame's tag (RFC 6386 §9.1); then bytes that
// differ per frame.
std::vector<uint8_t> vp8_frame(bool keyframe, size_t size, uint8_t seed) {
  std::vector<uint8_t> data =
      keyframe ? std::vector<uint8_t>{0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}
               : std::vector<uint8_t>{0x31, 0x0a, 0x00};
  while (data.size() < size) data.push_back(uint8_t(seed + data.size() * 7));
  return data;
}

struct Stream {
  std::vector<std::vector<uint8_t>> frames;
  std::vector<uint32_t> timestamps;
  std::vector<std::vector<RtpVp8Packet>> packets;  // per frame
  std::vector<RtpVp8Packet> all() const {
    std::vector<RtpVp8Packet> out;
    for (const auto& frame : packets) out.insert(out.end(), frame.begin(), frame.end());
    return out;
  }
};

// `kinds`: 'K' for a keyframe, 'D' for a delta frame; each frame is split
// into `packets_per_frame` packets of up to 100 bytes.
Stream make_stream(const std::string& kinds, size_t packets_per_frame, uint16_t first_sequence_number = 1000,
                   uint32_t first_timestamp = 90000) {
  Stream stream;
  test::Vp8Packetizer packetizer(first_sequence_number, 104);
  for (size_t i = 0; i < kinds.size(); ++i) {
    const bool keyframe = kinds[i] == 'K';
    stream.frames.push_back(vp8_frame(keyframe, packets_per_frame * 100 - 5, uint8_t(i)));
    stream.timestamps.push_back(first_timestamp + uint32_t(i) * 3000);
    stream.packets.push_back(packetizer.packetize(stream.timestamps.back(), stream.frames.back()));
    EXPECT_EQ(stream.packets.back().size(), packets_per_frame);
  }
  return stream;
}

// Each packet ends up at most `distance` places from where it was.
std::vector<RtpVp8Packet> shuffle_nearby(std::vector<RtpVp8Packet> packets, size_t distance,
                                         std::mt19937& random) {
  std::vector<std::pair<size_t, size_t>> keys;  // (position + jitter, position)
  for (size_t i = 0; i < packets.size(); ++i) keys.emplace_back(i + random() % (distance + 1), i);
  std::sort(keys.begin(), keys.end());
  std::vector<RtpVp8Packet> out;
  for (const auto& key : keys) out.push_back(packets[key.second]);
  return out;
}

void push(Vp8FrameAssembler& assembler, const RtpVp8Packet& packet) {
  assembler.push(packet.sequence_number, packet.timestamp, packet.marker, packet.payload);
}

void push_all(Vp8FrameAssembler& assembler, const std::vector<RtpVp8Packet>& packets) {
  for (const RtpVp8Packet& packet : packets) push(assembler, packet);
}

// Every frame of `stream` whose index is listed came out, in that order, whole.
void expect_frames(const FrameLog& log, const Stream& stream, const std::vector<size_t>& indexes) {
  ASSERT_EQ(log.frames.size(), indexes.size());
  for (size_t i = 0; i < indexes.size(); ++i) {
    SCOPED_TRACE("frame " + std::to_string(indexes[i]));
    const ReceivedFrame& got = log.frames[i];
    EXPECT_EQ(got.timestamp, stream.timestamps[indexes[i]]);
    EXPECT_EQ(got.data, stream.frames[indexes[i]]);
    EXPECT_EQ(got.keyframe, (stream.frames[indexes[i]][0] & 1) == 0);
    EXPECT_EQ(got.first_sequence_number, stream.packets[indexes[i]].front().sequence_number);
    EXPECT_EQ(got.last_sequence_number, stream.packets[indexes[i]].back().sequence_number);
  }
}

TEST(Vp8FrameAssembler, InOrder) {
  const Stream stream = make_stream("KDDDDKDDDD", 3);
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, stream.all());
  expect_frames(log, stream, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  EXPECT_EQ(assembler.stats().packets, 30u);
  EXPECT_EQ(assembler.stats().frames, 10u);
  EXPECT_EQ(assembler.stats().incomplete_frames + assembler.stats().undecodable_frames, 0u);
}

TEST(Vp8FrameAssembler, OnePacketFrames) {
  const Stream stream = make_stream("KDDKD", 1);
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, stream.all());
  expect_frames(log, stream, {0, 1, 2, 3, 4});
}

TEST(Vp8FrameAssembler, ReorderedWithinFramesAndAcrossThem) {
  const Stream stream = make_stream("KDDDDDDDKDDD", 4);
  std::vector<RtpVp8Packet> packets = stream.all();
  // Reverse every run of 5: the very first packets arrive last, frames
  // finish out of order.
  for (size_t at = 0; at < packets.size(); at += 5) {
    std::reverse(packets.begin() + at, packets.begin() + std::min(at + 5, packets.size()));
  }
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  EXPECT_EQ(assembler.stats().late_packets, 0u);
}

TEST(Vp8FrameAssembler, RandomReorderingOfUpToTenPlaces) {
  const Stream stream = make_stream("K" + std::string(39, 'D'), 3);
  std::mt19937 random(99);
  for (int round = 0; round < 20; ++round) {
    std::vector<RtpVp8Packet> packets = shuffle_nearby(stream.all(), 10, random);
    FrameLog log;
    Vp8FrameAssembler assembler(log);
    push_all(assembler, packets);
    std::vector<size_t> all(stream.frames.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    expect_frames(log, stream, all);
  }
}

// As in a browser's jitter buffer: a complete keyframe ends the wait for
// anything before it, even a packet that was only late.
TEST(Vp8FrameAssembler, AKeyframeOvertakingAnEarlierFrameEndsItsWait) {
  const Stream stream = make_stream("KDKD", 2);
  std::vector<RtpVp8Packet> packets = stream.all();
  const RtpVp8Packet late = packets[3];
  packets.erase(packets.begin() + 3);
  packets.insert(packets.begin() + 5, late);  // after the keyframe's last packet
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {0, 2, 3});
  EXPECT_EQ(assembler.stats().incomplete_frames, 1u);
  EXPECT_EQ(assembler.stats().late_packets, 1u);
}

TEST(Vp8FrameAssembler, DuplicatesAreIgnored) {
  const Stream stream = make_stream("KDDD", 3);
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  for (const RtpVp8Packet& packet : stream.all()) {
    push(assembler, packet);
    push(assembler, packet);
  }
  // Copies of packets whose frames are long written.
  push(assembler, stream.packets[0][1]);
  push(assembler, stream.packets[1][2]);
  expect_frames(log, stream, {0, 1, 2, 3});
  EXPECT_EQ(assembler.stats().packets, 12u);
  // The copy of each frame's last packet comes after the frame was written.
  EXPECT_EQ(assembler.stats().duplicate_packets, 8u);
  EXPECT_EQ(assembler.stats().late_packets, 4u + 2);
}

TEST(Vp8FrameAssembler, LossThenKeyframe) {
  const Stream stream = make_stream("KDDDKDD", 3);
  std::vector<RtpVp8Packet> packets = stream.all();
  packets.erase(packets.begin() + 4);  // the middle packet of frame 1
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  // Frames 2 and 3 are complete but depend on frame 1.
  expect_frames(log, stream, {0, 4, 5, 6});
  EXPECT_EQ(assembler.stats().incomplete_frames, 1u);
  EXPECT_EQ(assembler.stats().undecodable_frames, 2u);
  EXPECT_EQ(assembler.stats().frames, 4u);
}

TEST(Vp8FrameAssembler, LostKeyframeStartDropsUntilTheNextKeyframe) {
  const Stream stream = make_stream("KDDKD", 2);
  std::vector<RtpVp8Packet> packets = stream.all();
  packets.erase(packets.begin());  // the keyframe's first packet
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {3, 4});
  EXPECT_EQ(assembler.stats().incomplete_frames, 1u);
  EXPECT_EQ(assembler.stats().undecodable_frames, 2u);
}

TEST(Vp8FrameAssembler, WholeFrameLostThenKeyframe) {
  const Stream stream = make_stream("KDDDKD", 2);
  std::vector<RtpVp8Packet> packets = stream.all();
  packets.erase(packets.begin() + 2, packets.begin() + 4);  // all of frame 1
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {0, 4, 5});
  EXPECT_EQ(assembler.stats().undecodable_frames, 2u);  // frames 2 and 3
}

TEST(Vp8FrameAssembler, LateRetransmissionCompletesTheWaitingFrames) {
  const Stream stream = make_stream("KDDDD", 3);
  std::vector<RtpVp8Packet> packets = stream.all();
  const RtpVp8Packet missing = packets[4];
  packets.erase(packets.begin() + 4);
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {0});  // 2, 3 and 4 wait behind 1
  push(assembler, missing);
  expect_frames(log, stream, {0, 1, 2, 3, 4});
  EXPECT_EQ(assembler.stats().incomplete_frames + assembler.stats().undecodable_frames, 0u);
}

TEST(Vp8FrameAssembler, WrapAt65535) {
  const Stream stream = make_stream("KDDDDD", 4, 65527);
  ASSERT_EQ(stream.packets[2].front().sequence_number, 65535);
  ASSERT_EQ(stream.packets[2].back().sequence_number, 2);
  std::vector<RtpVp8Packet> packets = stream.all();
  std::swap(packets[10], packets[12]);  // reordered across the wrap
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {0, 1, 2, 3, 4, 5});
}

TEST(Vp8FrameAssembler, LossAcrossTheWrap) {
  const Stream stream = make_stream("KDDKD", 3, 65530);
  std::vector<RtpVp8Packet> packets = stream.all();
  ASSERT_EQ(packets[6].sequence_number, 0);
  packets.erase(packets.begin() + 6);  // frame 2's first packet, sequence number 0
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {0, 1, 3, 4});
  EXPECT_EQ(assembler.stats().incomplete_frames, 1u);
}

TEST(Vp8FrameAssembler, FramesBeyondTheWindowAreDroppedAsOversized) {
  // 20 packets cannot fit in a window of 16; nothing could complete it.
  Stream stream = make_stream("K", 20);
  const Stream rest = make_stream("KDKD", 3, stream.packets[0].back().sequence_number + 1, 93000);
  FrameLog log;
  Vp8FrameAssembler assembler(log, {.max_packets = 16, .max_packet_bytes = 1500});
  push_all(assembler, stream.all());
  push_all(assembler, rest.all());
  expect_frames(log, rest, {0, 1, 2, 3});
  EXPECT_EQ(assembler.stats().oversized_frames, 1u);
  EXPECT_EQ(assembler.stats().incomplete_frames, 0u);
}

TEST(Vp8FrameAssembler, AFrameThatFillsTheWindowExactlyStillFits) {
  const Stream stream = make_stream("KD", 16);
  FrameLog log;
  Vp8FrameAssembler assembler(log, {.max_packets = 16, .max_packet_bytes = 1500});
  push_all(assembler, stream.all());
  expect_frames(log, stream, {0, 1});
}

TEST(Vp8FrameAssembler, PacketsLargerThanASlotAreInvalid) {
  const Stream stream = make_stream("KDKD", 2);
  FrameLog log;
  // The packetizer splits each 195-byte frame into 97 and 98 bytes.
  Vp8FrameAssembler assembler(log, {.max_packets = 64, .max_packet_bytes = 97});
  push_all(assembler, stream.all());
  EXPECT_TRUE(log.frames.empty());
  EXPECT_EQ(assembler.stats().invalid_packets, 4u);
  EXPECT_EQ(assembler.stats().packets, 4u);
}

TEST(Vp8FrameAssembler, AGapWithoutKeyframeEndsWhenTheWindowIsFull) {
  // Frame 1 misses a packet; 40 packets later the window of 32 gives up on
  // it, and the next keyframe is written.
  const Stream stream = make_stream("KDDDDDDDDDDDDDDKD", 3);
  std::vector<RtpVp8Packet> packets = stream.all();
  packets.erase(packets.begin() + 3);  // frame 1's first packet
  FrameLog log;
  Vp8FrameAssembler assembler(log, {.max_packets = 32, .max_packet_bytes = 1500});
  for (size_t i = 0; i < 40; ++i) push(assembler, packets[i]);
  EXPECT_EQ(log.frames.size(), 1u);
  EXPECT_EQ(assembler.stats().incomplete_frames, 1u);  // dropped to make room
  push_all(assembler, std::vector(packets.begin() + 40, packets.end()));
  expect_frames(log, stream, {0, 15, 16});
  EXPECT_EQ(assembler.stats().undecodable_frames, 13u);
}

TEST(Vp8FrameAssembler, StartingInTheMiddleOfAStream) {
  const Stream stream = make_stream("DDDKDD", 3);
  std::vector<RtpVp8Packet> packets = stream.all();
  packets.erase(packets.begin(), packets.begin() + 1);  // join inside frame 0
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {3, 4, 5});
  EXPECT_EQ(assembler.stats().incomplete_frames, 1u);
  EXPECT_EQ(assembler.stats().undecodable_frames, 2u);
}

TEST(Vp8FrameAssembler, AFrameWithoutItsMarkerIsDropped) {
  const Stream stream = make_stream("KDKD", 2);
  std::vector<RtpVp8Packet> packets = stream.all();
  packets[3].marker = false;  // frame 1 runs into frame 2
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {0, 2, 3});
  EXPECT_EQ(assembler.stats().incomplete_frames, 1u);
}

TEST(Vp8FrameAssembler, InvalidDescriptorsAreCounted) {
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  const std::vector<uint8_t> descriptor_only = {0x90, 0x80, 0x81, 0x02};
  assembler.push(1, 0, true, {});
  assembler.push(2, 0, true, descriptor_only);
  EXPECT_EQ(assembler.stats().invalid_packets, 2u);
  EXPECT_EQ(assembler.stats().packets, 0u);
  EXPECT_TRUE(log.frames.empty());
}

TEST(Vp8FrameAssembler, FinishDropsWhatStillWaits) {
  const Stream stream = make_stream("KDDDK", 2);
  std::vector<RtpVp8Packet> packets = stream.all();
  packets.erase(packets.begin() + 3);  // frame 1's marker packet
  packets.pop_back();                  // frame 4 unfinished
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  push_all(assembler, packets);
  expect_frames(log, stream, {0});
  assembler.finish();
  expect_frames(log, stream, {0});
  EXPECT_EQ(assembler.stats().incomplete_frames, 2u);   // frames 1 and 4
  EXPECT_EQ(assembler.stats().undecodable_frames, 2u);  // frames 2 and 3
}

TEST(Vp8FrameAssembler, RandomLossReorderingAndDuplicationKeepFramesWhole) {
  const Stream stream = make_stream(std::string("K") + std::string(29, 'D') + "K" + std::string(29, 'D'), 3);
  std::mt19937 random(7);
  for (int round = 0; round < 50; ++round) {
    std::vector<RtpVp8Packet> packets;
    for (const RtpVp8Packet& packet : stream.all()) {
      if (random() % 50 == 0) continue;                   // lost
      if (random() % 20 == 0) packets.push_back(packet);  // duplicated
      packets.push_back(packet);
    }
    packets = shuffle_nearby(std::move(packets), 6, random);
    FrameLog log;
    Vp8FrameAssembler assembler(log, {.max_packets = 64, .max_packet_bytes = 1500});
    push_all(assembler, packets);
    assembler.finish();
    // Whatever came out is a whole frame of the stream, in stream order,
    // starting at a keyframe.
    size_t previous = 0;
    for (size_t i = 0; i < log.frames.size(); ++i) {
      const auto at = std::find(stream.timestamps.begin(), stream.timestamps.end(), log.frames[i].timestamp);
      ASSERT_NE(at, stream.timestamps.end());
      const size_t index = size_t(at - stream.timestamps.begin());
      if (i == 0) {
        EXPECT_TRUE(log.frames[i].keyframe);
      } else {
        EXPECT_GT(index, previous);
      }
      EXPECT_EQ(log.frames[i].data, stream.frames[index]);
      previous = index;
    }
    const auto& stats = assembler.stats();
    EXPECT_LE(stats.frames + stats.incomplete_frames + stats.undecodable_frames, stream.frames.size());
    EXPECT_EQ(stats.frames, log.frames.size());
  }
}

// Run A's VP8 packets as Chromium sent them. The file keeps only a sample
// of them, so the frames between are lost: what comes out is each run of
// whole frames from a keyframe on.
TEST(Vp8FrameAssembler, ChromiumRunA) {
  FrameLog log;
  Vp8FrameAssembler assembler(log);
  for (rtp::test::FixtureLine& line : rtp::test::load_fixture("chromium-rtp.hex")) {
    if (line.description.find("[A ") == std::string::npos ||
        line.description.find(" VP8 pt=") == std::string::npos) {
      continue;
    }
    const auto rtp = rtp::RtpPacket::parse(line.bytes);
    ASSERT_TRUE(rtp);
    assembler.push(rtp->sequence_number(), rtp->timestamp(), rtp->marker(), rtp->payload());
  }
  assembler.finish();
  // The keyframes at 27430, 27654 and 27719, and the two delta frames that
  // follow the first one without a gap (27433, 27434-27435).
  ASSERT_EQ(log.frames.size(), 5u);
  const std::vector<std::pair<uint16_t, uint16_t>> ranges = {
      {27430, 27432}, {27433, 27433}, {27434, 27435}, {27654, 27656}, {27719, 27721}};
  for (size_t i = 0; i < ranges.size(); ++i) {
    EXPECT_EQ(log.frames[i].first_sequence_number, ranges[i].first);
    EXPECT_EQ(log.frames[i].last_sequence_number, ranges[i].second);
    EXPECT_EQ(log.frames[i].keyframe, i == 0 || i >= 3);
    const auto header = Vp8FrameHeader::parse(log.frames[i].data);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->keyframe, log.frames[i].keyframe);
    // §9.1: the first partition fits in the frame.
    EXPECT_LT(header->first_partition_size, log.frames[i].data.size());
    if (header->keyframe) {
      EXPECT_EQ(header->width, 640);
      EXPECT_EQ(header->height, 480);
    }
  }
  // The three payloads without their 4-byte descriptors.
  EXPECT_EQ(log.frames[0].data.size(), 792u + 792 + 772 - 3 * 4);
  EXPECT_EQ(assembler.stats().packets, 39u);
}


// The jitter buffer's time bound: a missing packet is waited for until the
// newest packet is max_wait_rtp later; a retransmission inside it lands in
// its frame, one that never comes costs the frames up to the next keyframe,
// and the assembler says it wants one.
class Vp8FrameAssemblerWait : public ::testing::Test {
 protected:
  static constexpr uint32_t kMaxWait = 15000;  // five frames at 3000 ticks each
  const Stream stream = make_stream("KDDDDDDDKD", 2);
  const RtpVp8Packet lost = stream.packets[1][1];  // the second packet of frame 1
  FrameLog log;
  Vp8FrameAssembler assembler{log, Vp8FrameAssembler::Limits{512, 1500, kMaxWait}};

  void push_frames(size_t from, size_t to) {  // [from, to), without the lost packet
    for (size_t f = from; f < to; ++f)
      for (const RtpVp8Packet& packet : stream.packets[f])
        if (packet.sequence_number != lost.sequence_number) push(assembler, packet);
  }
};

TEST_F(Vp8FrameAssemblerWait, ARetransmissionInsideTheBoundLandsInItsFrame) {
  EXPECT_TRUE(assembler.waiting_for_keyframe());  // nothing written yet
  push_frames(0, 6);                              // frame 5 is 12000 ticks after frame 1: still waiting
  EXPECT_FALSE(assembler.waiting_for_keyframe());
  expect_frames(log, stream, {0});
  push(assembler, lost);
  expect_frames(log, stream, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(assembler.stats().incomplete_frames, 0u);
}

TEST_F(Vp8FrameAssemblerWait, APacketThatNeverComesDropsItsFrameAfterTheBoundAndWantsAKeyframe) {
  push_frames(0, 7);  // frame 6: 15000 ticks, exactly the bound
  EXPECT_EQ(assembler.stats().incomplete_frames, 0u);
  EXPECT_FALSE(assembler.waiting_for_keyframe());
  push_frames(7, 8);  // frame 7: past it
  EXPECT_EQ(assembler.stats().incomplete_frames, 1u);
  EXPECT_EQ(assembler.stats().undecodable_frames, 6u);  // frames 2..7 depend on the lost one
  EXPECT_TRUE(assembler.waiting_for_keyframe());
  push(assembler, lost);  // too late now
  EXPECT_EQ(assembler.stats().late_packets, 1u);
  push_frames(8, 10);
  expect_frames(log, stream, {0, 8, 9});
  EXPECT_FALSE(assembler.waiting_for_keyframe());
}

TEST_F(Vp8FrameAssemblerWait, WithoutATimeBoundOnlyTheWindowEndsTheWait) {
  FrameLog window_log;
  Vp8FrameAssembler window_only(window_log, Vp8FrameAssembler::Limits{512, 1500, 0});
  for (size_t f = 0; f < 8; ++f)
    for (const RtpVp8Packet& packet : stream.packets[f])
      if (packet.sequence_number != lost.sequence_number) push(window_only, packet);
  EXPECT_EQ(window_only.stats().incomplete_frames, 0u);
  expect_frames(window_log, stream, {0});
}

}  // namespace
}  // namespace ct::record
