// The cascade link's frame: what a node accepts off its link socket.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "cascade/CascadeFrame.hpp"

namespace ct::cascade {
namespace {

std::vector<uint8_t> frame_bytes(uint8_t kind, uint32_t link_id, size_t packet_size) {
  std::vector<uint8_t> out{CascadeFrame::kMarker,  kind,
                           uint8_t(link_id >> 24), uint8_t(link_id >> 16),
                           uint8_t(link_id >> 8),  uint8_t(link_id)};
  for (size_t i = 0; i < packet_size; ++i) out.push_back(uint8_t(0x80 + i));
  return out;
}

TEST(CascadeFrameTest, ReadsKindLinkIdAndPacket) {
  auto bytes = frame_bytes(1, 0x01020304, 40);
  auto frame = parse_cascade_frame(bytes);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, CascadeKind::rtp);
  EXPECT_EQ(frame->link_id, 0x01020304u);
  EXPECT_EQ(frame->packet.data(), bytes.data() + CascadeFrame::kHeaderSize);
  EXPECT_EQ(frame->packet.size(), 40u);

  auto rtcp = frame_bytes(2, 7, CascadeFrame::kMinRtcp);
  frame = parse_cascade_frame(rtcp);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, CascadeKind::rtcp);
  EXPECT_EQ(frame->link_id, 7u);
}

TEST(CascadeFrameTest, WrittenHeaderParsesBack) {
  std::vector<uint8_t> bytes(CascadeFrame::kHeaderSize + 20, 0x80);
  write_cascade_header(bytes, CascadeKind::rtcp, 0xfedcba98);
  auto frame = parse_cascade_frame(bytes);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, CascadeKind::rtcp);
  EXPECT_EQ(frame->link_id, 0xfedcba98u);
  EXPECT_EQ(frame->packet.size(), 20u);
}

TEST(CascadeFrameTest, RefusesEveryTruncation) {
  auto rtp = frame_bytes(1, 9, CascadeFrame::kMinRtp);
  for (size_t n = 0; n < rtp.size(); ++n)
    EXPECT_FALSE(parse_cascade_frame(std::span<uint8_t>(rtp.data(), n))) << n;
  EXPECT_TRUE(parse_cascade_frame(rtp));
  auto rtcp = frame_bytes(2, 9, CascadeFrame::kMinRtcp);
  for (size_t n = 0; n < rtcp.size(); ++n)
    EXPECT_FALSE(parse_cascade_frame(std::span<uint8_t>(rtcp.data(), n))) << n;
  EXPECT_TRUE(parse_cascade_frame(rtcp));
}

TEST(CascadeFrameTest, RefusesOtherProtocolsAndUnknownKinds) {
  auto bytes = frame_bytes(1, 1, 100);
  // RFC 7983's ranges: STUN, DTLS, TURN ChannelData, RTP/RTCP.
  for (uint8_t first : {uint8_t(0), uint8_t(22), uint8_t(64), uint8_t(0x80), uint8_t(0xC0), uint8_t(0xC2)}) {
    bytes[0] = first;
    EXPECT_FALSE(parse_cascade_frame(bytes)) << int(first);
  }
  bytes[0] = CascadeFrame::kMarker;
  for (uint8_t kind : {uint8_t(0), uint8_t(3), uint8_t(0xff)}) {
    bytes[1] = kind;
    EXPECT_FALSE(parse_cascade_frame(bytes)) << int(kind);
  }
}

TEST(CascadeFrameTest, GarbageNeverReadsOutsideTheDatagram) {
  std::mt19937 rng(19);
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> bytes(rng() % 64);
    for (auto& b : bytes) b = uint8_t(rng());
    if (!bytes.empty() && i % 2) bytes[0] = CascadeFrame::kMarker;
    auto frame = parse_cascade_frame(bytes);
    if (!frame) continue;
    EXPECT_EQ(frame->packet.data() + frame->packet.size(), bytes.data() + bytes.size());
    EXPECT_GE(frame->packet.size(), CascadeFrame::kMinRtcp);
  }
}

}  // namespace
}  // namespace ct::cascade
