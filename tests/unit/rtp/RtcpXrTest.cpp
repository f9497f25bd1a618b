#include <gtest/gtest.h>

#include <array>
#include <random>
#include <vector>

#include "RtpExercise.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpXr.hpp"

namespace ct::rtp {
namespace {

std::optional<RtcpXr> parse_xr(std::span<const uint8_t> bytes) {
  auto packet = RtcpPacket::parse(bytes);
  if (!packet) return std::nullopt;
  return RtcpXr::parse(*packet);
}

std::vector<RtcpDlrrItem> dlrr_items(const RtcpXr& xr) {
  std::vector<RtcpDlrrItem> out;
  xr.for_each_dlrr([&](const RtcpDlrrItem& item) { out.push_back(item); });
  return out;
}

TEST(RtcpXr, ReceiverReferenceTimeIsLaidOutAsRfc3611Says) {
  std::array<uint8_t, 32> out{};
  ASSERT_EQ(RtcpXr::build_rrtr(out, 0x11223344, 0xAABBCCDD'01020304ull), 20u);
  const std::array<uint8_t, 20> expected = {
      0x80, 207,  0x00, 0x04,              // V=2, PT=XR, length 4 (20 bytes)
      0x11, 0x22, 0x33, 0x44,              // sender SSRC
      4,    0,    0x00, 0x02,              // BT=4, reserved, block length 2 (§4.4)
      0xAA, 0xBB, 0xCC, 0xDD, 1, 2, 3, 4,  // NTP timestamp
  };
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out.begin()));
  auto xr = parse_xr(std::span(out).first(20));
  ASSERT_TRUE(xr);
  EXPECT_EQ(xr->sender_ssrc(), 0x11223344u);
  EXPECT_EQ(xr->rrtr(), 0xAABBCCDD'01020304ull);
  EXPECT_TRUE(dlrr_items(*xr).empty());
}

TEST(RtcpXr, DelaySinceLastReceiverReportRoundTrip) {
  const std::vector<RtcpDlrrItem> items = {{0x01010101, 0xCCDD0102, 655}, {0x02020202, 0, 0}};
  std::array<uint8_t, 64> out{};
  const size_t n = RtcpXr::build_dlrr(out, 0x55667788, items);
  ASSERT_EQ(n, RtcpXr::dlrr_size(2));
  EXPECT_EQ(out[8], 5);               // BT=5
  EXPECT_EQ(load_u16(&out[10]), 6u);  // two sub-blocks of three words (§4.5)
  auto xr = parse_xr(std::span(out).first(n));
  ASSERT_TRUE(xr);
  EXPECT_EQ(xr->sender_ssrc(), 0x55667788u);
  EXPECT_FALSE(xr->rrtr());
  EXPECT_EQ(dlrr_items(*xr), items);
}

TEST(RtcpXr, UnknownBlocksAreSkippedAndBothKindsFoundInOnePacket) {
  // An XR as a peer may send it: a VoIP-metrics-like block (BT=7) between an RRTR and a DLRR.
  std::vector<uint8_t> xr = {0x80, 207, 0x00, 0x0A, 0xDE, 0xAD, 0xBE, 0xEF};
  const std::vector<uint8_t> rrtr = {4, 0, 0, 2, 0, 0, 0, 1, 0x80, 0, 0, 0};
  const std::vector<uint8_t> other = {7, 0xFF, 0, 1, 9, 9, 9, 9};
  const std::vector<uint8_t> dlrr = {5, 0, 0, 3, 0, 0, 0, 42, 0x12, 0x34, 0x56, 0x78, 0, 0, 0x10, 0};
  for (const auto* block : {&rrtr, &other, &dlrr}) xr.insert(xr.end(), block->begin(), block->end());
  ASSERT_EQ(xr.size(), 4u * (0x0A + 1));
  auto parsed = parse_xr(xr);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->rrtr(), 0x00000001'80000000ull);
  ASSERT_EQ(dlrr_items(*parsed).size(), 1u);
  EXPECT_EQ(dlrr_items(*parsed)[0], (RtcpDlrrItem{42, 0x12345678, 0x1000}));
}

TEST(RtcpXr, MalformedBlocksAreRefused) {
  std::array<uint8_t, 32> out{};
  const size_t n = RtcpXr::build_rrtr(out, 1, 2);
  auto with = [&](size_t at, uint8_t value) {
    std::vector<uint8_t> copy(out.begin(), out.begin() + n);
    copy[at] = value;
    return parse_xr(copy);
  };
  EXPECT_FALSE(with(11, 3));   // an RRTR must be 2 words
  EXPECT_FALSE(with(11, 9));   // a block running past the packet
  EXPECT_FALSE(with(1, 201));  // not an XR
  EXPECT_TRUE(with(11, 2));

  // A DLRR whose length is not whole sub-blocks.
  const RtcpDlrrItem item{7, 8, 9};
  const size_t m = RtcpXr::build_dlrr(out, 1, std::span(&item, 1));
  std::vector<uint8_t> dlrr(out.begin(), out.begin() + m);
  dlrr[11] = 2;  // two words: not a whole sub-block of three
  dlrr[3] = 4;   // the packet shortened to match
  dlrr.resize(20);
  EXPECT_FALSE(parse_xr(dlrr));

  // A header and sender SSRC only is an XR with no blocks; less is not one.
  const std::vector<uint8_t> empty = {0x80, 207, 0, 1, 0, 0, 0, 5};
  ASSERT_TRUE(parse_xr(empty));
  EXPECT_FALSE(parse_xr(empty)->rrtr());
  const std::vector<uint8_t> no_ssrc = {0x80, 207, 0, 0};
  EXPECT_FALSE(parse_xr(no_ssrc));
  // Two bytes left before the padding: less than a block header.
  const std::vector<uint8_t> stray = {0xA0, 207, 0, 2, 0, 0, 0, 5, 7, 0, 0, 2};
  EXPECT_FALSE(parse_xr(stray));
}

TEST(RtcpXr, EveryTruncationIsRefusedOrShorter) {
  const RtcpDlrrItem items[] = {{1, 2, 3}, {4, 5, 6}};
  std::array<uint8_t, 64> out{};
  const size_t n = RtcpXr::build_dlrr(out, 9, items);
  for (size_t length = 0; length < n; ++length) {
    auto packet = RtcpPacket::parse(std::span(out).first(length));
    EXPECT_FALSE(packet) << length;  // the length field says more
  }
  EXPECT_TRUE(parse_xr(std::span(out).first(n)));
}

TEST(RtcpXr, BuildersRefuseSmallBuffersAndNothingToSay) {
  std::array<uint8_t, 19> small{};
  EXPECT_EQ(RtcpXr::build_rrtr(small, 1, 2), 0u);
  const RtcpDlrrItem item{1, 2, 3};
  EXPECT_EQ(RtcpXr::build_dlrr(small, 1, std::span(&item, 1)), 0u);
  std::array<uint8_t, 64> out{};
  EXPECT_EQ(RtcpXr::build_dlrr(out, 1, {}), 0u);
}

TEST(RtcpXr, ReadInACompoundAfterAReceiverReport) {
  std::array<uint8_t, 64> out{};
  size_t n = RtcpReceiverReport::build(out, 3, {});
  n += RtcpXr::build_rrtr(std::span(out).subspan(n), 3, 77);
  RtcpCompound compound{std::span<const uint8_t>(out.data(), n)};
  auto rr = compound.next();
  ASSERT_TRUE(rr);
  auto xr_packet = compound.next();
  ASSERT_TRUE(xr_packet);
  auto xr = RtcpXr::parse(*xr_packet);
  ASSERT_TRUE(xr);
  EXPECT_EQ(xr->rrtr(), 77u);
  EXPECT_FALSE(compound.next());
}

TEST(RtcpXr, RandomBytesNeverBreakTheParser) {
  std::mt19937 random(3611);
  std::vector<uint8_t> bytes;
  size_t parsed = 0;
  for (int round = 0; round < 20000; ++round) {
    bytes.resize(8 + random() % 60);
    for (auto& b : bytes) b = uint8_t(random());
    bytes[0] = uint8_t(0x80 | (bytes[0] & 0x3F));
    bytes[1] = 207;
    bytes[2] = 0;
    bytes[3] = uint8_t(bytes.size() / 4 - 1);
    ASSERT_TRUE(test::exercise_rtcp(bytes).ok);
    if (parse_xr(bytes)) ++parsed;
  }
  EXPECT_GT(parsed, 0u);  // some random block layouts are valid ones
}

}  // namespace
}  // namespace ct::rtp
