// VP8 payload descriptor parsing (RFC 7741 §4.2) and keyframe detection
// (§4.3): hand-built descriptors with every optional field, truncated and
// random input, and every VP8 packet Chromium sent in the fixtures.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "RtpFixtures.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/Rtx.hpp"
#include "rtp/Vp8Payload.hpp"

namespace ct::rtp {
namespace {

// A keyframe's VP8 header: frame tag with P=0, start code, 320x240 (RFC 6386 §9.1).
const std::vector<uint8_t> kKeyframeData = {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00};
const std::vector<uint8_t> kDeltaData = {0x31, 0x0a, 0x00, 0x11, 0x22};

std::vector<uint8_t> packet(std::vector<uint8_t> descriptor, const std::vector<uint8_t>& data) {
  descriptor.insert(descriptor.end(), data.begin(), data.end());
  return descriptor;
}

TEST(Vp8Payload, MinimalDescriptorStartingAKeyframe) {
  const auto bytes = packet({0x10}, kKeyframeData);  // S=1, PID=0
  const auto vp8 = Vp8Payload::parse(bytes);
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->descriptor_size, 1u);
  EXPECT_TRUE(vp8->start_of_partition);
  EXPECT_EQ(vp8->partition_id, 0);
  EXPECT_FALSE(vp8->non_reference);
  EXPECT_FALSE(vp8->picture_id);
  EXPECT_EQ(vp8->picture_id_bits, 0);
  EXPECT_FALSE(vp8->tl0_pic_idx);
  EXPECT_FALSE(vp8->temporal_id);
  EXPECT_FALSE(vp8->key_index);
  EXPECT_TRUE(vp8->starts_frame());
  EXPECT_TRUE(vp8->keyframe);
  EXPECT_EQ(std::vector<uint8_t>(vp8->data.begin(), vp8->data.end()), kKeyframeData);
}

TEST(Vp8Payload, PBitOneIsADeltaFrame) {
  const auto bytes = packet({0x10}, kDeltaData);
  const auto vp8 = Vp8Payload::parse(bytes);
  ASSERT_TRUE(vp8);
  EXPECT_TRUE(vp8->starts_frame());
  EXPECT_FALSE(vp8->keyframe);
}

TEST(Vp8Payload, OnlyTheFirstPacketOfAFrameCanBeAKeyframe) {
  // The first data byte of a continuation packet is not a payload header,
  // whatever its low bit is.
  for (const uint8_t first : {uint8_t(0x00), uint8_t(0x01), uint8_t(0x11), uint8_t(0x12), uint8_t(0x17)}) {
    const auto bytes = packet({first}, {0x00, 0x00});
    const auto vp8 = Vp8Payload::parse(bytes);
    ASSERT_TRUE(vp8);
    EXPECT_FALSE(vp8->keyframe) << int(first);
    EXPECT_FALSE(vp8->starts_frame()) << int(first);
  }
  const auto later_partition_bytes = packet({0x13}, kKeyframeData);
  const auto later_partition = Vp8Payload::parse(later_partition_bytes);  // S=1, PID=3
  ASSERT_TRUE(later_partition);
  EXPECT_TRUE(later_partition->start_of_partition);
  EXPECT_EQ(later_partition->partition_id, 3);
  EXPECT_FALSE(later_partition->starts_frame());
  EXPECT_FALSE(later_partition->keyframe);
}

TEST(Vp8Payload, NonReferenceAndReservedBits) {
  // N set; both R bits set, which a receiver must ignore (§4.2).
  const auto bytes = packet({0x20 | 0x40 | 0x08 | 0x10}, kKeyframeData);
  const auto vp8 = Vp8Payload::parse(bytes);
  ASSERT_TRUE(vp8);
  EXPECT_TRUE(vp8->non_reference);
  EXPECT_TRUE(vp8->keyframe);
  EXPECT_EQ(vp8->descriptor_size, 1u);
}

TEST(Vp8Payload, SevenBitPictureId) {
  const auto bytes = packet({0x90, 0x80, 0x5A}, kDeltaData);
  const auto vp8 = Vp8Payload::parse(bytes);  // X S; I; M=0
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->descriptor_size, 3u);
  ASSERT_TRUE(vp8->picture_id);
  EXPECT_EQ(*vp8->picture_id, 0x5A);
  EXPECT_EQ(vp8->picture_id_bits, 7);
  EXPECT_EQ(vp8->data.size(), kDeltaData.size());
}

TEST(Vp8Payload, FifteenBitPictureId) {
  const auto bytes = packet({0x90, 0x80, 0xFF, 0xFE}, kDeltaData);
  const auto vp8 = Vp8Payload::parse(bytes);  // M=1
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->descriptor_size, 4u);
  EXPECT_EQ(*vp8->picture_id, 0x7FFE);
  EXPECT_EQ(vp8->picture_id_bits, 15);
}

TEST(Vp8Payload, EveryExtensionField) {
  // X; I L T K; M=1 PictureID 0x1234; TL0PICIDX 0xAB; TID=2 Y=1 KEYIDX=0x15.
  const auto bytes = packet({0x90, 0xF0, 0x92, 0x34, 0xAB, 0xB5}, kKeyframeData);
  const auto vp8 = Vp8Payload::parse(bytes);
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->descriptor_size, 6u);
  EXPECT_EQ(*vp8->picture_id, 0x1234);
  EXPECT_EQ(*vp8->tl0_pic_idx, 0xAB);
  EXPECT_EQ(*vp8->temporal_id, 2);
  EXPECT_TRUE(vp8->layer_sync);
  EXPECT_EQ(*vp8->key_index, 0x15);
  EXPECT_TRUE(vp8->keyframe);
  EXPECT_EQ(vp8->data[0], kKeyframeData[0]);
}

TEST(Vp8Payload, TidAndKeyIdxShareOneByteEachMeaningfulWithItsOwnBit) {
  const auto only_t_bytes = packet({0x80, 0x20, 0x5F}, kDeltaData);
  const auto only_t = Vp8Payload::parse(only_t_bytes);  // TID=1 Y=0 KEYIDX bits set
  ASSERT_TRUE(only_t);
  EXPECT_EQ(only_t->descriptor_size, 3u);
  EXPECT_EQ(*only_t->temporal_id, 1);
  EXPECT_FALSE(only_t->layer_sync);
  EXPECT_FALSE(only_t->key_index);

  const auto only_k_bytes = packet({0x80, 0x10, 0xE7}, kDeltaData);
  const auto only_k = Vp8Payload::parse(only_k_bytes);  // TID bits set, KEYIDX=7
  ASSERT_TRUE(only_k);
  EXPECT_EQ(only_k->descriptor_size, 3u);
  EXPECT_FALSE(only_k->temporal_id);
  EXPECT_EQ(*only_k->key_index, 7);

  const auto only_l_bytes = packet({0x80, 0x40, 0x09}, kDeltaData);
  const auto only_l = Vp8Payload::parse(only_l_bytes);
  ASSERT_TRUE(only_l);
  EXPECT_EQ(only_l->descriptor_size, 3u);
  EXPECT_EQ(*only_l->tl0_pic_idx, 9);
  EXPECT_FALSE(only_l->picture_id);
}

TEST(Vp8Payload, ExtensionByteWithNoFieldsIsTwoBytes) {
  const auto bytes = packet({0x90, 0x00}, kKeyframeData);
  const auto vp8 = Vp8Payload::parse(bytes);
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->descriptor_size, 2u);
  EXPECT_TRUE(vp8->keyframe);
}

TEST(Vp8Payload, TruncatedDescriptorsFail) {
  const std::vector<uint8_t> full = {0x90, 0xF0, 0x92, 0x34, 0xAB, 0xB5, 0x50};
  // Every cut before the first VP8 byte: the descriptor does not fit or
  // nothing follows it.
  for (size_t length = 0; length < full.size(); ++length) {
    EXPECT_FALSE(Vp8Payload::parse(std::span(full).first(length))) << length;
  }
  EXPECT_TRUE(Vp8Payload::parse(full));
  EXPECT_FALSE(Vp8Payload::parse(std::vector<uint8_t>{0x10}));              // descriptor only
  EXPECT_FALSE(Vp8Payload::parse(std::vector<uint8_t>{0x90, 0x80}));        // I without PictureID
  EXPECT_FALSE(Vp8Payload::parse(std::vector<uint8_t>{0x90, 0x80, 0x80}));  // M without its 2nd byte
}

TEST(Vp8Payload, RandomBytesNeverReadOutside) {
  std::mt19937 random(4242);
  std::vector<uint8_t> bytes;
  size_t parsed = 0;
  for (int round = 0; round < 50000; ++round) {
    bytes.resize(random() % 12);
    for (uint8_t& b : bytes) b = uint8_t(random());
    const auto vp8 = Vp8Payload::parse(bytes);
    if (!vp8) continue;
    ++parsed;
    ASSERT_GE(vp8->descriptor_size, 1u);
    ASSERT_LE(vp8->descriptor_size, 6u);
    ASSERT_EQ(vp8->descriptor_size + vp8->data.size(), bytes.size());
    ASSERT_FALSE(vp8->data.empty());
    ASSERT_EQ(vp8->data.data(), bytes.data() + vp8->descriptor_size);
    ASSERT_LE(vp8->partition_id, 7);
    if (vp8->keyframe) {
      ASSERT_TRUE(vp8->starts_frame());
    }
  }
  EXPECT_GT(parsed, 1000u);
}

// Chromium 156 sends X=1, I=1, M=1 (15-bit PictureID) and nothing else. The
// description beside each packet comes from an independent decoder.
TEST(Vp8Payload, EveryChromiumVp8Packet) {
  size_t media = 0, retransmitted = 0, keyframe_starts = 0;
  for (test::FixtureLine& line : test::load_fixture("chromium-rtp.hex")) {
    const std::string& d = line.description;
    const auto picid = test::field(d, "picid=");
    if (!picid) continue;
    SCOPED_TRACE("line " + std::to_string(line.line_number) + ": " + d);
    const auto rtp = RtpPacket::parse(line.bytes);
    ASSERT_TRUE(rtp);
    std::span<const uint8_t> payload = rtp->payload();
    if (d.find(" RTX osn=") != std::string::npos) {
      ASSERT_TRUE(rtx_original_sequence_number(*rtp));
      payload = payload.subspan(2);
      ++retransmitted;
    } else {
      ++media;
    }
    const auto vp8 = Vp8Payload::parse(payload);
    ASSERT_TRUE(vp8);
    EXPECT_EQ(vp8->descriptor_size, 4u);
    EXPECT_EQ(vp8->start_of_partition, test::number(d, "S=") == 1);
    EXPECT_EQ(vp8->partition_id, test::number(d, "PID="));
    ASSERT_TRUE(vp8->picture_id);
    EXPECT_EQ(*vp8->picture_id, std::stoul(*picid));
    EXPECT_EQ(vp8->picture_id_bits, 15);
    EXPECT_FALSE(vp8->tl0_pic_idx);
    EXPECT_FALSE(vp8->temporal_id);
    EXPECT_FALSE(vp8->key_index);
    const bool described_keyframe = d.find(" keyframe ") != std::string::npos;
    EXPECT_EQ(vp8->keyframe, described_keyframe);
    if (described_keyframe) {
      ++keyframe_starts;
      // RFC 6386 §9.1: the start code follows the 3-byte frame tag.
      ASSERT_GE(vp8->data.size(), 10u);
      EXPECT_EQ(vp8->data[3], 0x9d);
      EXPECT_EQ(vp8->data[4], 0x01);
      EXPECT_EQ(vp8->data[5], 0x2a);
    }
    if (d.find("delta-frame-start") != std::string::npos) {
      EXPECT_TRUE(vp8->starts_frame());
      EXPECT_FALSE(vp8->keyframe);
    }
  }
  EXPECT_EQ(media, 39u + 9);
  EXPECT_EQ(retransmitted, 20u);
  EXPECT_EQ(keyframe_starts, 4u);  // 3 in run A, 1 in run C
}

TEST(Vp8Payload, EveryPrefixOfChromiumPackets) {
  for (test::FixtureLine& line : test::load_fixture("chromium-rtp.hex")) {
    if (line.description.find("VP8 pt=") == std::string::npos) continue;
    const auto rtp = RtpPacket::parse(line.bytes);
    ASSERT_TRUE(rtp);
    const std::span<const uint8_t> payload = rtp->payload();
    for (size_t length = 0; length <= payload.size(); ++length) {
      const auto vp8 = Vp8Payload::parse(payload.first(length));
      // Chromium's descriptor is 4 bytes; anything shorter holds no VP8 data.
      ASSERT_EQ(bool(vp8), length > 4) << line.line_number << " length " << length;
      if (vp8) {
        ASSERT_EQ(vp8->data.size(), length - 4);
      }
    }
  }
}

TEST(Vp8Payload, KeyframeSizeFromTheFrameHeader) {
  const auto bytes = packet({0x10}, kKeyframeData);
  const auto vp8 = Vp8Payload::parse(bytes);
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->width, 320);
  EXPECT_EQ(vp8->height, 240);
  // A delta frame, a keyframe cut before its size, or one without the start code has none.
  for (const auto& data :
       {kDeltaData, std::vector<uint8_t>(kKeyframeData.begin(), kKeyframeData.end() - 1),
        std::vector<uint8_t>{0x50, 0x42, 0x00, 0x9d, 0x01, 0x2b, 0x40, 0x01, 0xf0, 0x00}}) {
    const auto other = Vp8Payload::parse(packet({0x10}, data));
    ASSERT_TRUE(other);
    EXPECT_EQ(other->width, 0);
    EXPECT_EQ(other->height, 0);
  }
}

TEST(Vp8Payload, ChromiumKeyframesAre640x480) {
  size_t keyframes = 0;
  for (test::FixtureLine& line : test::load_fixture("chromium-rtp.hex")) {
    if (line.description.find("VP8 pt=") == std::string::npos ||
        line.description.find("keyframe 640x480") == std::string::npos)
      continue;
    const auto rtp = RtpPacket::parse(line.bytes);
    ASSERT_TRUE(rtp);
    const auto vp8 = Vp8Payload::parse(rtp->payload());
    ASSERT_TRUE(vp8);
    EXPECT_EQ(vp8->width, 640) << line.line_number;
    EXPECT_EQ(vp8->height, 480) << line.line_number;
    ++keyframes;
  }
  EXPECT_EQ(keyframes, 4u);
}

TEST(Vp8Payload, RewritesA15BitPictureIdAndTl0PicIdxInPlace) {
  // X, I+L+T, M|0x12 0x34, TL0PICIDX 0xAB, TID 2 Y
  auto bytes = packet({0x90, 0xE0, 0x92, 0x34, 0xAB, 0xA0}, kKeyframeData);
  auto vp8 = Vp8Payload::parse(bytes);
  ASSERT_TRUE(vp8);
  ASSERT_TRUE(Vp8Payload::write_picture_id(bytes, *vp8, 0x7FFE));
  ASSERT_TRUE(Vp8Payload::write_tl0_pic_idx(bytes, *vp8, 0x05));
  const auto again = Vp8Payload::parse(bytes);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->picture_id, 0x7FFE);
  EXPECT_EQ(again->picture_id_bits, 15);
  EXPECT_EQ(again->tl0_pic_idx, 0x05);
  EXPECT_EQ(again->temporal_id, 2);
  EXPECT_TRUE(again->layer_sync);
  EXPECT_TRUE(again->keyframe);
  EXPECT_EQ(again->descriptor_size, vp8->descriptor_size);
  // Only the 15 bits are kept.
  ASSERT_TRUE(Vp8Payload::write_picture_id(bytes, *vp8, 0x8001));
  EXPECT_EQ(Vp8Payload::parse(bytes)->picture_id, 1);
}

TEST(Vp8Payload, RewritesA7BitPictureIdInItsOwnWidth) {
  auto bytes = packet({0x90, 0x80, 0x05}, kDeltaData);
  auto vp8 = Vp8Payload::parse(bytes);
  ASSERT_TRUE(vp8);
  ASSERT_TRUE(Vp8Payload::write_picture_id(bytes, *vp8, 0x1FF));
  const auto again = Vp8Payload::parse(bytes);
  EXPECT_EQ(again->picture_id, 0x7F);
  EXPECT_EQ(again->picture_id_bits, 7);
  EXPECT_EQ(again->data.size(), kDeltaData.size());
}

TEST(Vp8Payload, NothingToRewriteWithoutTheField) {
  auto bytes = packet({0x10}, kDeltaData);
  auto vp8 = Vp8Payload::parse(bytes);
  ASSERT_TRUE(vp8);
  const auto before = bytes;
  EXPECT_FALSE(Vp8Payload::write_picture_id(bytes, *vp8, 3));
  EXPECT_FALSE(Vp8Payload::write_tl0_pic_idx(bytes, *vp8, 3));
  EXPECT_EQ(bytes, before);
  // A buffer shorter than the parsed descriptor is not written past its end.
  auto long_id = packet({0x90, 0x80, 0x81, 0x02}, kDeltaData);
  auto parsed = Vp8Payload::parse(long_id);
  ASSERT_TRUE(parsed);
  EXPECT_FALSE(Vp8Payload::write_picture_id(std::span<uint8_t>(long_id.data(), 3), *parsed, 9));
}

}  // namespace
}  // namespace ct::rtp
