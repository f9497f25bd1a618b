// The spliced outbound stream of a simulcast subscription: switches only at
// keyframes of the target layer, continuous sequence numbers, timestamps,
// VP8 PictureID and TL0PICIDX across switches, gaps kept within a layer,
// wrap-around, dropped temporal layers, pause and resume, and the history
// that answers NACKs.
#include <gtest/gtest.h>

#include <vector>

#include "sfu/LayerPacket.hpp"
#include "sfu/SimulcastRewriter.hpp"

namespace ct::sfu {
namespace {

constexpr uint16_t kFirstSeq = 1000;
constexpr uint32_t kTsOffset = 50000;
constexpr uint16_t kFirstPictureId = 300;
constexpr uint32_t kClock = 90000;

// A VP8 packet: descriptor with a 15-bit PictureID, TL0PICIDX and TID, then
// a keyframe or delta frame header.
struct Vp8Packet {
  int layer = 0;
  uint16_t seq = 0;
  uint32_t ts = 0;
  uint16_t picture_id = 0;
  uint8_t tl0 = 0;
  uint8_t tid = 0;
  bool keyframe = false;
  bool starts_frame = true;
};

class Packets {
 public:
  LayerPacket make(const Vp8Packet& p) {
    auto& bytes = storage_.emplace_back();
    bytes = {uint8_t(p.starts_frame ? 0x90 : 0x80),
             0xE0,
             uint8_t(0x80 | (p.picture_id >> 8)),
             uint8_t(p.picture_id),
             p.tl0,
             uint8_t(p.tid << 6)};
    if (p.keyframe) {
      bytes.insert(bytes.end(), {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00});
    } else {
      bytes.insert(bytes.end(), {0x31, 0x0a, 0x00});
    }
    return LayerPacket::describe("VP8", p.layer, p.seq, p.ts, bytes);
  }

 private:
  std::vector<std::vector<uint8_t>> storage_;  // the descriptions point into these
};

class SimulcastRewriterTest : public ::testing::Test {
 protected:
  std::optional<SimulcastRewriter::Output> send(const Vp8Packet& p, Duration after = milliseconds(0)) {
    now += after;
    return rewriter.rewrite(packets.make(p), now);
  }
  SimulcastRewriter rewriter{kFirstSeq, kTsOffset, kFirstPictureId, kClock};
  Packets packets;
  TimePoint now = TimePoint{} + seconds(100);
};

TEST_F(SimulcastRewriterTest, StartsAtTheFirstKeyframeOfTheTargetLayer) {
  rewriter.set_target_layer(1);
  EXPECT_FALSE(send({.layer = 1, .seq = 10, .ts = 900, .picture_id = 5, .tl0 = 1}));  // delta
  EXPECT_FALSE(send({.layer = 0, .seq = 70, .ts = 900, .picture_id = 9, .tl0 = 1, .keyframe = true}));
  auto out = send({.layer = 1, .seq = 11, .ts = 3900, .picture_id = 6, .tl0 = 2, .keyframe = true});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->sequence_number, kFirstSeq);
  EXPECT_EQ(out->timestamp, 3900 + kTsOffset);
  EXPECT_EQ(out->picture_id, kFirstPictureId);
  EXPECT_EQ(rewriter.current_layer(), 1);
  EXPECT_FALSE(rewriter.switch_pending());
  out = send({.layer = 1, .seq = 12, .ts = 6900, .picture_id = 7, .tl0 = 3});
  ASSERT_TRUE(out);
  EXPECT_EQ(out->sequence_number, kFirstSeq + 1);
  EXPECT_EQ(out->timestamp, 6900 + kTsOffset);
  EXPECT_EQ(out->picture_id, kFirstPictureId + 1);
  EXPECT_EQ(out->tl0_pic_idx,
            uint8_t(*send({.layer = 1, .seq = 13, .ts = 9900, .picture_id = 8, .tl0 = 4})->tl0_pic_idx - 1));
  EXPECT_EQ(rewriter.stats().switches, 0u);
}

TEST_F(SimulcastRewriterTest, SwitchUpWaitsForTheKeyframeAndContinuesEveryNumber) {
  rewriter.set_target_layer(0);
  ASSERT_TRUE(send({.layer = 0, .seq = 100, .ts = 1000, .picture_id = 40, .tl0 = 10, .keyframe = true}));
  ASSERT_TRUE(send({.layer = 0, .seq = 101, .ts = 4000, .picture_id = 41, .tl0 = 11}, milliseconds(33)));
  rewriter.set_target_layer(2);
  EXPECT_TRUE(rewriter.switch_pending());
  // Until layer 2 has a keyframe, layer 0 goes on and layer 2's deltas are not sent.
  auto last = send({.layer = 0, .seq = 102, .ts = 7000, .picture_id = 42, .tl0 = 12}, milliseconds(33));
  ASSERT_TRUE(last);
  EXPECT_FALSE(send({.layer = 2, .seq = 7000, .ts = 555000, .picture_id = 900, .tl0 = 200}));
  // The keyframe, 40 ms after the last packet sent.
  auto key = send({.layer = 2, .seq = 7001, .ts = 558000, .picture_id = 901, .tl0 = 201, .keyframe = true},
                  milliseconds(40));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->sequence_number, uint16_t(last->sequence_number + 1));
  EXPECT_EQ(key->timestamp, last->timestamp + 40 * 90);
  EXPECT_EQ(key->picture_id, uint16_t(*last->picture_id + 1));
  EXPECT_EQ(key->tl0_pic_idx, uint8_t(*last->tl0_pic_idx + 1));
  EXPECT_EQ(rewriter.current_layer(), 2);
  EXPECT_EQ(rewriter.stats().switches, 1u);
  // The old layer is no longer sent; the new one follows on by its own offsets.
  EXPECT_FALSE(send({.layer = 0, .seq = 103, .ts = 10000, .picture_id = 43, .tl0 = 13}));
  auto next = send({.layer = 2, .seq = 7002, .ts = 561000, .picture_id = 902, .tl0 = 202}, milliseconds(33));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->sequence_number, uint16_t(key->sequence_number + 1));
  EXPECT_EQ(next->timestamp, key->timestamp + 3000);
  EXPECT_EQ(next->picture_id, uint16_t(*key->picture_id + 1));
}

TEST_F(SimulcastRewriterTest, SwitchDownAlsoWaitsForAKeyframe) {
  rewriter.set_target_layer(2);
  auto last = send({.layer = 2, .seq = 50, .ts = 10, .picture_id = 7, .tl0 = 1, .keyframe = true});
  ASSERT_TRUE(last);
  rewriter.set_target_layer(0);
  EXPECT_FALSE(send({.layer = 0, .seq = 9, .ts = 20, .picture_id = 3, .tl0 = 1}));
  auto key =
      send({.layer = 0, .seq = 10, .ts = 3020, .picture_id = 4, .tl0 = 2, .keyframe = true}, seconds(0));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->sequence_number, uint16_t(last->sequence_number + 1));
  // No time passed: the timestamp still moves on by one tick, never back.
  EXPECT_EQ(key->timestamp, last->timestamp + 1);
  EXPECT_EQ(rewriter.current_layer(), 0);
}

TEST_F(SimulcastRewriterTest, LossWithinALayerStaysAGapAndALateCopyFillsIt) {
  rewriter.set_target_layer(0);
  auto a = send({.layer = 0, .seq = 10, .ts = 0, .picture_id = 1, .keyframe = true});
  auto b = send({.layer = 0, .seq = 11, .ts = 0, .picture_id = 1, .starts_frame = false});
  auto d = send({.layer = 0, .seq = 13, .ts = 3000, .picture_id = 2});
  ASSERT_TRUE(a && b && d);
  EXPECT_EQ(d->sequence_number, uint16_t(a->sequence_number + 3));
  auto c = send({.layer = 0, .seq = 12, .ts = 0, .picture_id = 1, .starts_frame = false});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->sequence_number, uint16_t(a->sequence_number + 2));
  EXPECT_EQ(c->timestamp, a->timestamp);
  // A second copy, or a number from before the layer started, is not sent.
  EXPECT_FALSE(send({.layer = 0, .seq = 12, .ts = 0, .picture_id = 1, .starts_frame = false}));
  EXPECT_FALSE(send({.layer = 0, .seq = 9, .ts = 0, .picture_id = 0}));
  // Each outbound number maps back to its layer and inbound number for NACKs.
  auto origin = rewriter.origin(c->sequence_number);
  ASSERT_TRUE(origin);
  EXPECT_EQ(origin->layer, 0);
  EXPECT_EQ(origin->inbound_sequence_number, 12);
  EXPECT_EQ(origin->output.timestamp, c->timestamp);
  EXPECT_FALSE(rewriter.origin(uint16_t(a->sequence_number + 100)));
}

TEST_F(SimulcastRewriterTest, NackHistoryNamesTheLayerAcrossASwitch) {
  rewriter.set_target_layer(0);
  auto low = send({.layer = 0, .seq = 500, .ts = 0, .picture_id = 1, .keyframe = true});
  rewriter.set_target_layer(1);
  auto high = send({.layer = 1, .seq = 20, .ts = 0, .picture_id = 70, .keyframe = true}, milliseconds(10));
  ASSERT_TRUE(low && high);
  EXPECT_EQ(rewriter.origin(low->sequence_number)->layer, 0);
  EXPECT_EQ(rewriter.origin(low->sequence_number)->inbound_sequence_number, 500);
  EXPECT_EQ(rewriter.origin(high->sequence_number)->layer, 1);
  EXPECT_EQ(rewriter.origin(high->sequence_number)->inbound_sequence_number, 20);
  EXPECT_EQ(rewriter.origin(high->sequence_number)->output.picture_id, high->picture_id);
}

TEST_F(SimulcastRewriterTest, SequenceNumbersPictureIdsAndTimestampsWrapAround) {
  SimulcastRewriter r{65534, 0xFFFFFF00u, 0x7FFE, kClock};
  r.set_target_layer(0);
  std::vector<SimulcastRewriter::Output> outs;
  uint16_t seq = 65533;
  uint16_t pid = 0x7FFD;
  uint32_t ts = 100;
  for (int i = 0; i < 5; ++i) {
    auto out = r.rewrite(packets.make({.layer = 0,
                                       .seq = seq,
                                       .ts = ts,
                                       .picture_id = pid,
                                       .tl0 = uint8_t(254 + i),
                                       .keyframe = i == 0}),
                         now);
    ASSERT_TRUE(out) << i;
    outs.push_back(*out);
    ++seq;
    pid = uint16_t((pid + 1) & 0x7FFF);
    ts += 3000;
  }
  for (size_t i = 1; i < outs.size(); ++i) {
    EXPECT_EQ(outs[i].sequence_number, uint16_t(outs[i - 1].sequence_number + 1));
    EXPECT_EQ(*outs[i].picture_id, uint16_t((*outs[i - 1].picture_id + 1) & 0x7FFF));
    EXPECT_EQ(outs[i].timestamp, outs[i - 1].timestamp + 3000);
    EXPECT_EQ(*outs[i].tl0_pic_idx, uint8_t(*outs[i - 1].tl0_pic_idx + 1));
  }
  EXPECT_EQ(outs[2].sequence_number, 0);            // 65534, 65535, 0, ...
  EXPECT_EQ(*outs[2].picture_id, 0);                // 0x7FFE, 0x7FFF, 0, ...
  EXPECT_LT(outs[4].timestamp, outs[0].timestamp);  // the 32-bit timestamp wrapped
}

TEST_F(SimulcastRewriterTest, DroppedTemporalLayersLeaveNoGapInNumbersOrPictureIds) {
  rewriter.set_target_layer(0);
  rewriter.set_max_temporal_layer(0);
  // TID pattern 0 2 1 2 0: only the TID 0 pictures go out, back to back.
  const uint8_t tids[] = {0, 2, 1, 2, 0};
  std::vector<SimulcastRewriter::Output> sent;
  for (int i = 0; i < 5; ++i) {
    auto out = send({.layer = 0,
                     .seq = uint16_t(200 + i),
                     .ts = uint32_t(3000 * i),
                     .picture_id = uint16_t(60 + i),
                     .tl0 = uint8_t(i == 0 ? 5 : 6),
                     .tid = tids[i],
                     .keyframe = i == 0});
    EXPECT_EQ(bool(out), tids[i] == 0) << i;
    if (out) sent.push_back(*out);
  }
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].sequence_number, uint16_t(sent[0].sequence_number + 1));
  EXPECT_EQ(*sent[1].picture_id, uint16_t(*sent[0].picture_id + 1));
  EXPECT_EQ(*sent[1].tl0_pic_idx, uint8_t(*sent[0].tl0_pic_idx + 1));
  EXPECT_EQ(rewriter.stats().dropped_temporal, 3u);
  // All temporal layers again: the next picture follows on.
  rewriter.set_max_temporal_layer(SimulcastRewriter::kAllTemporalLayers);
  auto more = send({.layer = 0, .seq = 205, .ts = 15000, .picture_id = 65, .tl0 = 6, .tid = 2});
  ASSERT_TRUE(more);
  EXPECT_EQ(more->sequence_number, uint16_t(sent[1].sequence_number + 1));
  EXPECT_EQ(*more->picture_id, uint16_t(*sent[1].picture_id + 1));
}

TEST_F(SimulcastRewriterTest, PauseSendsNothingAndResumeStartsAtAKeyframe) {
  rewriter.set_target_layer(0);
  auto last = send({.layer = 0, .seq = 1, .ts = 0, .picture_id = 1, .keyframe = true});
  ASSERT_TRUE(last);
  rewriter.set_target_layer(SimulcastRewriter::kNoLayer);
  EXPECT_FALSE(send({.layer = 0, .seq = 2, .ts = 3000, .picture_id = 2}));
  EXPECT_FALSE(send({.layer = 0, .seq = 3, .ts = 6000, .picture_id = 3, .keyframe = true}));
  EXPECT_FALSE(rewriter.switch_pending());
  rewriter.set_target_layer(0);
  EXPECT_TRUE(rewriter.switch_pending());
  EXPECT_FALSE(send({.layer = 0, .seq = 4, .ts = 9000, .picture_id = 4}));
  auto key = send({.layer = 0, .seq = 5, .ts = 12000, .picture_id = 5, .keyframe = true}, seconds(2));
  ASSERT_TRUE(key);
  EXPECT_EQ(key->sequence_number, uint16_t(last->sequence_number + 1));
  EXPECT_EQ(key->timestamp, last->timestamp + 2 * kClock);
  EXPECT_EQ(*key->picture_id, uint16_t(*last->picture_id + 1));
}

TEST_F(SimulcastRewriterTest, GarbageVp8DescriptorsAreNeitherKeyframesNorRewritten) {
  const std::vector<std::vector<uint8_t>> garbage = {{}, {0x90}, {0x90, 0x80}, {0x90, 0xC0, 0x81}, {0x10}};
  for (const auto& bytes : garbage) {
    auto described = LayerPacket::describe("VP8", 0, 1, 0, bytes);
    EXPECT_FALSE(described.vp8);
    EXPECT_FALSE(described.keyframe_start);
  }
  // A stream whose packets carry no readable descriptor still forwards, with no PictureID to write.
  rewriter.set_target_layer(0);
  auto h264 = LayerPacket::describe("H264", 0, 7, 0, std::vector<uint8_t>{0x65, 0x88, 0x80});
  EXPECT_TRUE(h264.keyframe_start);
  auto out = rewriter.rewrite(h264, now);
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->picture_id);
  EXPECT_FALSE(out->tl0_pic_idx);
}

TEST_F(SimulcastRewriterTest, KeyframeDetectionPerCodec) {
  EXPECT_TRUE(LayerPacket::describe("VP9", 0, 0, 0, std::vector<uint8_t>{0x88, 0x05, 0x00}).keyframe_start);
  EXPECT_FALSE(LayerPacket::describe("VP9", 0, 0, 0, std::vector<uint8_t>{0xC8, 0x05, 0x00}).keyframe_start);
  EXPECT_TRUE(LayerPacket::describe("h264", 0, 0, 0, std::vector<uint8_t>{0x7c, 0x85, 0x00}).keyframe_start);
  EXPECT_FALSE(LayerPacket::describe("H264", 0, 0, 0, std::vector<uint8_t>{0x41, 0x9a}).keyframe_start);
  auto vp8 = packets.make({.keyframe = true});
  EXPECT_TRUE(vp8.keyframe_start);
  EXPECT_EQ(vp8.vp8->width, 320);
  EXPECT_FALSE(LayerPacket::describe("AV1", 0, 0, 0, std::vector<uint8_t>{0x10, 0x00}).keyframe_start);
}

}  // namespace
}  // namespace ct::sfu
