// The SSRC rewriter changes exactly the SSRC fields: a rewritten compound
// equals the same compound built with the new SSRCs.
#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <vector>

#include "RtpFixtures.hpp"
#include "rtp/RtcpBye.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpRemb.hpp"
#include "rtp/RtcpSdes.hpp"
#include "rtp/RtcpSenderReport.hpp"
#include "rtp/RtcpSsrcRewriter.hpp"
#include "rtp/RtcpTransportCc.hpp"

namespace ct::rtp {
namespace {

uint32_t shifted(uint32_t ssrc) { return ssrc + 0x01000000; }
uint32_t unshifted(uint32_t ssrc) { return ssrc - 0x01000000; }

// Every packet type, with SSRCs passed through `s`.
std::vector<uint8_t> every_type(const std::function<uint32_t(uint32_t)>& s) {
  std::vector<uint8_t> out(2000);
  size_t at = 0;
  auto rest = [&] { return std::span(out).subspan(at); };
  const std::array<RtcpReportBlock, 2> blocks = {RtcpReportBlock{s(11), 1, 2, 3, 4, 5, 6},
                                                 RtcpReportBlock{s(12), 7, 8, 9, 10, 11, 12}};
  at += RtcpSenderReport::build(rest(), s(1), {0x1111, 22, 33, 44}, blocks);
  at += RtcpReceiverReport::build(rest(), s(2), blocks);
  const std::array<RtcpSdesChunk, 2> chunks = {RtcpSdesChunk{s(1), "abc"}, RtcpSdesChunk{s(3), "defgh"}};
  at += RtcpSdes::build(rest(), chunks);
  const std::array<uint16_t, 3> lost = {100, 102, 200};
  at += RtcpNack::build(rest(), s(2), s(21), std::span<const uint16_t>(lost));
  at += RtcpPli::build(rest(), s(2), s(22));
  const std::array<RtcpFirEntry, 2> fir = {RtcpFirEntry{s(23), 1}, RtcpFirEntry{s(24), 2}};
  at += RtcpFir::build(rest(), s(2), fir);
  const std::array<uint32_t, 2> remb = {s(25), s(26)};
  at += RtcpRemb::build(rest(), s(2), 1500000, remb);
  // APP (type 204) with SSRC-like bytes: left alone.
  const std::array<uint8_t, 12> app = {0x80, 204, 0, 2, 0, 0, 0, 1, 'N', 'A', 'M', 'E'};
  std::copy(app.begin(), app.end(), rest().begin());
  at += app.size();
  const std::array<uint32_t, 2> bye = {s(1), s(3)};
  at += RtcpBye::build(rest(), bye, "bye");
  // Transport-cc last, padded.
  const std::array<TransportCcPacket, 3> packets = {
      TransportCcPacket{5, true, 4}, TransportCcPacket{6, false, 0}, TransportCcPacket{7, true, 300}};
  at += RtcpTransportCc::build(rest(), s(2), s(27), 1000, 3, packets);
  out.resize(at);
  return out;
}

TEST(RtcpSsrcRewriter, RewritesExactlyTheSsrcFields) {
  std::vector<uint8_t> bytes = every_type([](uint32_t x) { return x; });
  const std::vector<uint8_t> expected = every_type(shifted);
  ASSERT_EQ(bytes.size(), expected.size());
  ASSERT_TRUE(RtcpCompound::validate(bytes));
  size_t calls = 0;
  EXPECT_TRUE(rewrite_rtcp_ssrcs(bytes, [&calls](uint32_t ssrc) {
    ++calls;
    return shifted(ssrc);
  }));
  EXPECT_EQ(bytes, expected);
  // SR 3, RR 3, SDES 2, NACK 2, PLI 2, FIR 3, REMB 3, BYE 2, transport-cc 2.
  EXPECT_EQ(calls, 22u);
}

TEST(RtcpSsrcRewriter, FixturesRewriteAndRestore) {
  auto lines = test::load_fixture("chromium-rtcp.hex");
  for (test::FixtureLine& line : lines) {
    SCOPED_TRACE(line.description);
    const std::vector<uint8_t> original = line.bytes;
    ASSERT_TRUE(rewrite_rtcp_ssrcs(line.bytes, shifted));
    EXPECT_NE(line.bytes, original);
    // Typed views read the new SSRCs; everything else is unchanged.
    RtcpCompound now(line.bytes);
    RtcpCompound before(original);
    while (auto packet = now.next()) {
      const auto old = before.next();
      ASSERT_TRUE(old);
      if (auto rr = RtcpReceiverReport::parse(*packet)) {
        const auto old_rr = RtcpReceiverReport::parse(*old);
        EXPECT_EQ(rr->sender_ssrc(), shifted(old_rr->sender_ssrc()));
        for (size_t i = 0; i < rr->report_count(); ++i) {
          RtcpReportBlock expected = old_rr->report_block(i);
          expected.ssrc = shifted(expected.ssrc);
          EXPECT_EQ(rr->report_block(i), expected);
        }
      } else if (auto sr = RtcpSenderReport::parse(*packet)) {
        EXPECT_EQ(sr->sender_ssrc(), shifted(RtcpSenderReport::parse(*old)->sender_ssrc()));
        EXPECT_EQ(sr->sender_info(), RtcpSenderReport::parse(*old)->sender_info());
      } else if (auto feedback = RtcpTransportCc::parse(*packet)) {
        EXPECT_EQ(feedback->media_ssrc(), shifted(RtcpTransportCc::parse(*old)->media_ssrc()));
        EXPECT_TRUE(std::ranges::equal(packet->bytes().subspan(12), old->bytes().subspan(12)));
      } else if (auto remb = RtcpRemb::parse(*packet)) {
        EXPECT_EQ(remb->ssrc(0), shifted(RtcpRemb::parse(*old)->ssrc(0)));
        EXPECT_EQ(remb->bitrate_bps(), RtcpRemb::parse(*old)->bitrate_bps());
        EXPECT_EQ(load_u32(&packet->bytes()[8]), 0u);  // unused media SSRC stays 0
      }
    }
    ASSERT_TRUE(rewrite_rtcp_ssrcs(line.bytes, unshifted));
    EXPECT_EQ(line.bytes, original);
  }
}

TEST(RtcpSsrcRewriter, MalformedStopsButEarlierPacketsAreRewritten) {
  std::vector<uint8_t> bytes(100);
  size_t at = RtcpPli::build(bytes, 1, 2);
  at += RtcpPli::build(std::span(bytes).subspan(at), 3, 4);
  bytes.resize(at - 4);  // the second PLI is cut short
  EXPECT_FALSE(rewrite_rtcp_ssrcs(bytes, shifted));
  EXPECT_EQ(RtcpPli::parse(*RtcpPacket::parse(bytes))->sender_ssrc(), shifted(1));
  EXPECT_EQ(load_u32(&bytes[16]), 3u);  // untouched

  // An RR whose RC claims a missing block is reported and left alone.
  std::vector<uint8_t> rr(8);
  RtcpReceiverReport::build(rr, 5, {});
  rr[0] |= 1;
  EXPECT_FALSE(rewrite_rtcp_ssrcs(rr, shifted));
  EXPECT_EQ(load_u32(&rr[4]), 5u);
}

}  // namespace
}  // namespace ct::rtp
