// RTX (RFC 4588) wrap and unwrap.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "rtp/Rtx.hpp"

namespace ct::rtp {
namespace {

const std::array<uint8_t, 3> kAbsSendTime = {1, 2, 3};
const std::array<uint8_t, 6> kPayload = {10, 11, 12, 13, 14, 15};

std::vector<uint8_t> media_packet(uint8_t padding) {
  RtpPacketBuilder builder;
  builder.marker(true).payload_type(96).sequence_number(4321).timestamp(99).ssrc(0x11111111);
  builder.add_extension(2, kAbsSendTime).payload(kPayload).padding(padding);
  std::vector<uint8_t> out(200);
  out.resize(builder.build(out));
  return out;
}

TEST(Rtx, WrapThenUnwrap) {
  std::vector<uint8_t> media_bytes = media_packet(0);
  const auto media = RtpPacket::parse(media_bytes);
  std::vector<uint8_t> rtx_bytes(200);
  const size_t rtx_length = wrap_rtx(*media, 0x22222222, 97, 7, rtx_bytes);
  ASSERT_EQ(rtx_length, media_bytes.size() + 2);
  rtx_bytes.resize(rtx_length);
  const auto rtx = RtpPacket::parse(rtx_bytes);
  ASSERT_TRUE(rtx);
  EXPECT_EQ(rtx->ssrc(), 0x22222222u);
  EXPECT_EQ(rtx->payload_type(), 97);
  EXPECT_EQ(rtx->sequence_number(), 7);
  EXPECT_EQ(rtx->timestamp(), 99u);
  EXPECT_TRUE(rtx->marker());
  EXPECT_EQ(rtx_original_sequence_number(*rtx), 4321);
  EXPECT_EQ(rtx->find_extension(2).size(), 3u);

  std::vector<uint8_t> back(200);
  const size_t back_length = unwrap_rtx(*rtx, 0x11111111, 96, back);
  back.resize(back_length);
  EXPECT_EQ(back, media_bytes);

  // In place gives the same bytes, as a view 2 bytes into the RTX buffer.
  const auto in_place = unwrap_rtx_in_place(*rtx, 0x11111111, 96);
  ASSERT_TRUE(in_place);
  EXPECT_EQ(in_place->bytes().data(), rtx_bytes.data() + 2);
  EXPECT_TRUE(std::ranges::equal(in_place->bytes(), media_bytes));
}

TEST(Rtx, PaddingIsDropped) {
  std::vector<uint8_t> media_bytes = media_packet(4);
  const auto media = RtpPacket::parse(media_bytes);
  std::vector<uint8_t> rtx_bytes(200);
  const size_t rtx_length = wrap_rtx(*media, 0x22222222, 97, 7, rtx_bytes);
  ASSERT_EQ(rtx_length, media_bytes.size() - 4 + 2);
  const auto rtx = RtpPacket::parse(std::span(rtx_bytes).first(rtx_length));
  EXPECT_FALSE(rtx->has_padding());
  EXPECT_TRUE(std::ranges::equal(rtx->payload().subspan(2), kPayload));

  // An RTX packet with its own padding unwraps without it.
  RtpPacketBuilder padded;
  const std::array<uint8_t, 3> payload = {0x10, 0xE1, 0x55};  // OSN 0x10E1, one byte
  padded.payload_type(97).ssrc(2).payload(payload).padding(10);
  std::vector<uint8_t> padded_bytes(100);
  padded_bytes.resize(padded.build(padded_bytes));
  const auto padded_rtx = RtpPacket::parse(padded_bytes);
  std::vector<uint8_t> out(100);
  const size_t length = unwrap_rtx(*padded_rtx, 1, 96, out);
  ASSERT_EQ(length, 13u);
  const auto original = RtpPacket::parse(std::span(out).first(length));
  EXPECT_FALSE(original->has_padding());
  EXPECT_EQ(original->sequence_number(), 0x10E1);
  EXPECT_EQ(original->payload().size(), 1u);
  const auto in_place = unwrap_rtx_in_place(*padded_rtx, 1, 96);
  ASSERT_TRUE(in_place);
  EXPECT_TRUE(std::ranges::equal(in_place->bytes(), std::span(out).first(length)));
}

TEST(Rtx, NoOsnOrNoRoom) {
  RtpPacketBuilder probe;
  probe.payload_type(97).ssrc(2).padding(255);
  std::vector<uint8_t> bytes(400);
  bytes.resize(probe.build(bytes));
  const auto packet = RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  std::vector<uint8_t> out(400);
  EXPECT_FALSE(rtx_original_sequence_number(*packet));
  EXPECT_EQ(unwrap_rtx(*packet, 1, 96, out), 0u);
  EXPECT_FALSE(unwrap_rtx_in_place(*packet, 1, 96));

  std::vector<uint8_t> media_bytes = media_packet(0);
  const auto media = RtpPacket::parse(media_bytes);
  EXPECT_EQ(wrap_rtx(*media, 1, 97, 1, std::span(out).first(media_bytes.size() + 1)), 0u);
}

}  // namespace
}  // namespace ct::rtp
