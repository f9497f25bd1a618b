// RtpPacket parsing rules, in-place setters, extensions and id rewriting,
// with packets written by RtpPacketBuilder.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/RtpExtensions.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketBuilder.hpp"

namespace ct::rtp {
namespace {

const std::array<uint8_t, 1> kLevel = {0x80 | 42};
const std::array<uint8_t, 2> kTwcc = {0x12, 0x34};
const std::array<uint8_t, 3> kAbsSendTime = {0xAB, 0xCD, 0xEF};
const std::array<uint8_t, 1> kMid = {'0'};
const std::array<uint8_t, 5> kPayload = {1, 2, 3, 4, 5};

std::vector<uint8_t> build(const RtpPacketBuilder& builder) {
  std::vector<uint8_t> out(1500);
  const size_t length = builder.build(out);
  EXPECT_EQ(length, builder.size());
  out.resize(length);
  return out;
}

RtpPacketBuilder typical() {
  RtpPacketBuilder builder;
  builder.marker(true)
      .payload_type(96)
      .sequence_number(0xFFFE)
      .timestamp(0x89ABCDEF)
      .ssrc(0x01020304)
      .add_extension(2, kAbsSendTime)
      .add_extension(3, kTwcc)
      .add_extension(4, kMid)
      .payload(kPayload);
  return builder;
}

TEST(RtpPacket, BuildThenParse) {
  std::vector<uint8_t> bytes = build(typical());
  // 12 fixed + 4 block header + (4 + 3 + 2) elements padded to 12 + 5 payload.
  ASSERT_EQ(bytes.size(), 12u + 4 + 12 + 5);
  const auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->marker());
  EXPECT_EQ(packet->payload_type(), 96);
  EXPECT_EQ(packet->sequence_number(), 0xFFFE);
  EXPECT_EQ(packet->timestamp(), 0x89ABCDEFu);
  EXPECT_EQ(packet->ssrc(), 0x01020304u);
  EXPECT_EQ(packet->header_size(), 28u);
  EXPECT_EQ(packet->extension_form(), ExtensionForm::OneByte);
  EXPECT_TRUE(std::ranges::equal(packet->payload(), kPayload));
  EXPECT_EQ(read_abs_send_time(packet->find_extension(2)), 0xABCDEFu);
  EXPECT_EQ(read_transport_sequence_number(packet->find_extension(3)), 0x1234);
  EXPECT_EQ(read_mid(packet->find_extension(4)), "0");
  EXPECT_TRUE(packet->find_extension(5).empty());
  EXPECT_TRUE(packet->find_extension(0).empty());
  std::vector<uint8_t> ids;
  for (const RtpExtension& e : packet->extensions()) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<uint8_t>{2, 3, 4}));
}

TEST(RtpPacket, SettersChangeOnlyTheirBytes) {
  const std::vector<uint8_t> original = build(typical());
  std::vector<uint8_t> bytes = original;
  auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  packet->set_marker(false);
  packet->set_payload_type(111);
  packet->set_sequence_number(0x0102);
  packet->set_timestamp(0x11223344);
  packet->set_ssrc(0xCAFEBABE);
  std::vector<uint8_t> expected = original;
  expected[1] = 111;
  expected[2] = 0x01;
  expected[3] = 0x02;
  expected[4] = 0x11, expected[5] = 0x22, expected[6] = 0x33, expected[7] = 0x44;
  expected[8] = 0xCA, expected[9] = 0xFE, expected[10] = 0xBA, expected[11] = 0xBE;
  EXPECT_EQ(bytes, expected);
  packet->set_marker(true);
  EXPECT_EQ(bytes[1], 0x80 | 111);
  packet->set_payload_type(0);
  EXPECT_EQ(bytes[1], 0x80);
  EXPECT_TRUE(packet->marker());
}

TEST(RtpPacket, CsrcsAndPadding) {
  const std::array<uint32_t, 2> csrcs = {0xAAAAAAAA, 0xBBBBBBBB};
  RtpPacketBuilder builder = typical();
  builder.csrcs(csrcs).padding(7);
  std::vector<uint8_t> bytes = build(builder);
  auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  ASSERT_EQ(packet->csrc_count(), 2u);
  EXPECT_EQ(packet->csrc(0), 0xAAAAAAAAu);
  EXPECT_EQ(packet->csrc(1), 0xBBBBBBBBu);
  EXPECT_EQ(packet->header_size(), 36u);
  EXPECT_TRUE(packet->has_padding());
  EXPECT_EQ(packet->padding_size(), 7u);
  EXPECT_TRUE(std::ranges::equal(packet->payload(), kPayload));
  packet->set_csrc(1, 0x0C0C0C0C);
  EXPECT_EQ(packet->csrc(1), 0x0C0C0C0Cu);
  EXPECT_EQ(read_transport_sequence_number(packet->find_extension(3)), 0x1234);
}

TEST(RtpPacket, PaddingOnlyProbe) {
  RtpPacketBuilder builder;
  builder.payload_type(97).ssrc(5).add_extension(3, kTwcc).padding(255);
  std::vector<uint8_t> bytes = build(builder);
  auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->payload().empty());
  EXPECT_EQ(packet->padding_size(), 255u);
}

TEST(RtpPacket, RejectsInvalidHeaders) {
  std::vector<uint8_t> bytes = build(typical());
  {
    auto copy = bytes;
    copy[0] = (copy[0] & 0x3F) | 0x40;  // version 1
    EXPECT_FALSE(RtpPacket::parse(copy));
  }
  {
    auto copy = bytes;
    copy[0] |= 0x0F;  // 15 CSRCs do not fit
    EXPECT_FALSE(RtpPacket::parse(copy));
  }
  {
    auto copy = bytes;
    copy[15] = 200;  // extension length beyond the packet
    EXPECT_FALSE(RtpPacket::parse(copy));
  }
  {
    auto copy = bytes;
    copy[0] |= 0x20;
    copy.back() = 0;  // padding count 0
    EXPECT_FALSE(RtpPacket::parse(copy));
    copy.back() = 6;  // more than the 5 payload bytes
    EXPECT_FALSE(RtpPacket::parse(copy));
    copy.back() = 5;  // all of the payload
    const auto packet = RtpPacket::parse(copy);
    ASSERT_TRUE(packet);
    EXPECT_TRUE(packet->payload().empty());
  }
  EXPECT_FALSE(RtpPacket::parse(std::span(bytes).first(11)));
  EXPECT_TRUE(RtpPacket::parse(std::span(bytes).first(28)));  // no payload
  EXPECT_FALSE(RtpPacket::parse(std::span(bytes).first(27)));
}

TEST(RtpPacket, UnknownProfileIsSkipped) {
  std::vector<uint8_t> bytes = build(typical());
  bytes[12] = 0x12;
  bytes[13] = 0x34;
  auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->extension_form(), ExtensionForm::None);
  EXPECT_EQ(packet->extension_profile(), 0x1234);
  EXPECT_TRUE(packet->find_extension(2).empty());
  EXPECT_TRUE(packet->extensions().begin() == packet->extensions().end());
  EXPECT_TRUE(std::ranges::equal(packet->payload(), kPayload));
  EXPECT_TRUE(packet->rewrite_extension_ids(RtpExtensionIdMap()));
}

TEST(RtpPacket, TwoByteFormWhenNeeded) {
  const std::array<uint8_t, 20> long_data{};
  RtpPacketBuilder builder = typical();
  builder.add_extension(16, long_data).add_extension(9, {});
  std::vector<uint8_t> bytes = build(builder);
  auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->extension_form(), ExtensionForm::TwoByte);
  EXPECT_EQ(packet->extension_profile(), 0x1000);
  EXPECT_EQ(packet->find_extension(16).size(), 20u);
  EXPECT_EQ(read_abs_send_time(packet->find_extension(2)), 0xABCDEFu);
  std::vector<std::pair<uint8_t, size_t>> seen;
  for (const RtpExtension& e : packet->extensions()) seen.emplace_back(e.id, e.data.size());
  EXPECT_EQ(seen, (std::vector<std::pair<uint8_t, size_t>>{{2, 3}, {3, 2}, {4, 1}, {16, 20}, {9, 0}}));
}

TEST(RtpPacket, OneBytePaddingAndStopId) {
  // Block: padding byte, id 1 len 1, padding, id 15 (stop), then junk.
  std::vector<uint8_t> bytes = {0x90, 96,   0, 1, 0,    0,    0,    1,    0,    0,    0,    2,
                                0xBE, 0xDE, 0, 2, 0x00, 0x10, 0x7F, 0x00, 0xF0, 0x21, 0xAA, 0xBB};
  auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  std::vector<uint8_t> ids;
  for (const RtpExtension& e : packet->extensions()) ids.push_back(e.id);
  EXPECT_EQ(ids, std::vector<uint8_t>{1});
  EXPECT_EQ(read_audio_level(packet->find_extension(1))->level, 0x7F);
  EXPECT_TRUE(packet->find_extension(2).empty());  // after the stop id
}

TEST(RtpPacket, TruncatedElementEndsIteration) {
  // id 2 with one byte, then id 3 claims 4 bytes but only 1 remains in the block.
  std::vector<uint8_t> bytes = {0x90, 96, 0,    1,    0, 0, 0,    1,    0,    0,
                                0,    2,  0xBE, 0xDE, 0, 1, 0x20, 0x10, 0x33, 0x3C};
  auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  EXPECT_TRUE(packet->extensions().begin() != packet->extensions().end());
  EXPECT_TRUE(packet->find_extension(3).empty());
  EXPECT_EQ(packet->find_extension(2).size(), 1u);
}

TEST(RtpPacket, RewriteExtensionIdsInPlace) {
  const std::vector<uint8_t> original = build(typical());
  std::vector<uint8_t> bytes = original;
  auto packet = RtpPacket::parse(bytes);
  RtpExtensionIdMap map;
  map.set(2, 5);
  map.set(3, 1);
  // 4 (mid) is not mapped: it becomes padding.
  ASSERT_TRUE(packet->rewrite_extension_ids(map));
  EXPECT_EQ(read_abs_send_time(packet->find_extension(5)), 0xABCDEFu);
  EXPECT_EQ(read_transport_sequence_number(packet->find_extension(1)), 0x1234);
  EXPECT_TRUE(packet->find_extension(2).empty());
  EXPECT_TRUE(packet->find_extension(4).empty());
  std::vector<uint8_t> ids;
  for (const RtpExtension& e : packet->extensions()) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<uint8_t>{5, 1}));
  // Only id nibbles and the removed element changed.
  std::vector<uint8_t> expected = original;
  expected[16] = 0x52;
  expected[20] = 0x11;
  expected[23] = 0;
  expected[24] = 0;
  EXPECT_EQ(bytes, expected);
  EXPECT_TRUE(std::ranges::equal(packet->payload(), kPayload));
}

TEST(RtpPacket, RewriteNeedingTwoByteFormFailsWithoutChange) {
  const std::vector<uint8_t> original = build(typical());
  std::vector<uint8_t> bytes = original;
  auto packet = RtpPacket::parse(bytes);
  RtpExtensionIdMap map = RtpExtensionIdMap::identity();
  map.set(2, 3);
  map.set(4, 15);  // one-byte ids stop at 14
  EXPECT_FALSE(packet->rewrite_extension_ids(map));
  EXPECT_EQ(bytes, original);
  map.set(4, 200);
  EXPECT_FALSE(packet->rewrite_extension_ids(map));
  EXPECT_EQ(bytes, original);
  // The identity map changes nothing.
  EXPECT_TRUE(packet->rewrite_extension_ids(RtpExtensionIdMap::identity()));
  EXPECT_EQ(bytes, original);
}

TEST(RtpPacket, ExtensionWriters) {
  std::vector<uint8_t> bytes = build(typical());
  auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(write_transport_sequence_number(packet->find_extension(3), 0xBEEF));
  ASSERT_TRUE(write_abs_send_time(packet->find_extension(2), 0x123456));
  EXPECT_EQ(read_transport_sequence_number(packet->find_extension(3)), 0xBEEF);
  EXPECT_EQ(read_abs_send_time(packet->find_extension(2)), 0x123456u);
  EXPECT_FALSE(write_abs_send_time(packet->find_extension(2), 0x1000000));
  EXPECT_FALSE(write_transport_sequence_number(packet->find_extension(4), 1));  // 1 byte
  std::array<uint8_t, 1> level{};
  ASSERT_TRUE(write_audio_level(level, {true, 30}));
  EXPECT_EQ(level[0], 0x80 | 30);
  const auto read = read_audio_level(level);
  EXPECT_TRUE(read->voice_activity);
  EXPECT_EQ(read->level, 30);
  EXPECT_FALSE(write_audio_level(level, {false, 128}));
  EXPECT_FALSE(read_sdes_string({}));
  EXPECT_FALSE(read_audio_level({}));
}

TEST(RtpPacket, BuilderRejectsInvalidSettings) {
  std::vector<uint8_t> out(1500);
  RtpPacketBuilder bad_pt;
  bad_pt.payload_type(128);
  EXPECT_EQ(bad_pt.build(out), 0u);
  RtpPacketBuilder bad_id;
  bad_id.add_extension(0, kTwcc);
  EXPECT_EQ(bad_id.build(out), 0u);
  RtpPacketBuilder forced = typical();
  forced.extension_form(ExtensionForm::OneByte).add_extension(15, kTwcc);
  EXPECT_EQ(forced.build(out), 0u);
  EXPECT_EQ(typical().build(std::span(out).first(20)), 0u);  // too small
  RtpPacketBuilder two = typical();
  two.extension_form(ExtensionForm::TwoByte);
  const size_t length = two.build(out);
  ASSERT_GT(length, 0u);
  auto packet = RtpPacket::parse(std::span(out).first(length));
  EXPECT_EQ(packet->extension_form(), ExtensionForm::TwoByte);
  EXPECT_EQ(read_mid(packet->find_extension(4)), "0");
}

TEST(RtpPacket, Demultiplexing) {
  EXPECT_FALSE(RtpPacket::is_rtp_or_rtcp(0));   // STUN
  EXPECT_FALSE(RtpPacket::is_rtp_or_rtcp(22));  // DTLS
  EXPECT_FALSE(RtpPacket::is_rtp_or_rtcp(64));  // TURN channel
  EXPECT_TRUE(RtpPacket::is_rtp_or_rtcp(128));
  EXPECT_TRUE(RtpPacket::is_rtp_or_rtcp(191));
  EXPECT_FALSE(RtpPacket::is_rtp_or_rtcp(192));
  const std::array<uint8_t, 2> rtcp_sr = {0x80, 200};
  const std::array<uint8_t, 2> rtcp_lowest = {0x80, 192};
  const std::array<uint8_t, 2> rtcp_highest = {0x80, 223};
  const std::array<uint8_t, 2> rtp_marker = {0x80, 0x80 | 96};
  const std::array<uint8_t, 2> rtp_high_pt = {0x80, 224};  // marker + PT 96: not RTCP
  EXPECT_TRUE(RtpPacket::is_rtcp(rtcp_sr));
  EXPECT_TRUE(RtpPacket::is_rtcp(rtcp_lowest));
  EXPECT_TRUE(RtpPacket::is_rtcp(rtcp_highest));
  EXPECT_FALSE(RtpPacket::is_rtcp(rtp_marker));
  EXPECT_FALSE(RtpPacket::is_rtcp(rtp_high_pt));
  EXPECT_FALSE(RtpPacket::is_rtcp(std::span(rtcp_sr).first(1)));
}

}  // namespace
}  // namespace ct::rtp
