// Build -> parse round trips for every RTCP type, and the compound rules.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "rtp/RtcpBye.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpRemb.hpp"
#include "rtp/RtcpSdes.hpp"
#include "rtp/RtcpSenderReport.hpp"
#include "rtp/RtcpTransportCc.hpp"

namespace ct::rtp {
namespace {

RtcpPacket only_packet(std::span<const uint8_t> bytes) {
  RtcpCompound compound(bytes);
  auto packet = compound.next();
  EXPECT_TRUE(packet);
  EXPECT_FALSE(compound.next());
  EXPECT_FALSE(compound.malformed());
  return *packet;
}

const std::array<RtcpReportBlock, 2> kBlocks = {
    RtcpReportBlock{0xA1A1A1A1, 12, -3, 0x00012345, 77, 0xDEADBEEF, 65536},
    RtcpReportBlock{0xB2B2B2B2, 255, 0x7FFFFF, 0xFFFFFFFF, 0, 0, 0},
};

TEST(Rtcp, SenderReportRoundTrip) {
  std::vector<uint8_t> out(200);
  const RtcpSenderInfo info{0x0123456789ABCDEFull, 90000, 1000, 123456};
  const size_t length = RtcpSenderReport::build(out, 0x5E5E5E5E, info, kBlocks);
  ASSERT_EQ(length, 28u + 48);
  const auto sr = RtcpSenderReport::parse(only_packet(std::span(out).first(length)));
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->sender_ssrc(), 0x5E5E5E5Eu);
  EXPECT_EQ(sr->sender_info(), info);
  ASSERT_EQ(sr->report_count(), 2u);
  EXPECT_EQ(sr->report_block(0), kBlocks[0]);
  EXPECT_EQ(sr->report_block(1), kBlocks[1]);
  EXPECT_EQ(RtcpSenderReport::build(std::span(out).first(length - 1), 1, info, kBlocks), 0u);
  EXPECT_FALSE(RtcpReceiverReport::parse(only_packet(std::span(out).first(length))));
}

TEST(Rtcp, ReceiverReportRoundTrip) {
  std::vector<uint8_t> out(200);
  size_t length = RtcpReceiverReport::build(out, 7, kBlocks);
  ASSERT_EQ(length, 56u);
  auto rr = RtcpReceiverReport::parse(only_packet(std::span(out).first(length)));
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc(), 7u);
  ASSERT_EQ(rr->report_count(), 2u);
  EXPECT_EQ(rr->report_block(0), kBlocks[0]);
  EXPECT_EQ(rr->report_block(1), kBlocks[1]);
  length = RtcpReceiverReport::build(out, 8, {});
  ASSERT_EQ(length, 8u);
  rr = RtcpReceiverReport::parse(only_packet(std::span(out).first(length)));
  EXPECT_EQ(rr->report_count(), 0u);
  // RC claiming a block that is not there.
  out[0] |= 1;
  EXPECT_FALSE(RtcpReceiverReport::parse(only_packet(std::span(out).first(length))));
}

TEST(Rtcp, CumulativeLostClampsTo24Bits) {
  std::array<uint8_t, 24> bytes{};
  RtcpReportBlock{1, 0, 0x7FFFFFFF}.write(bytes.data());
  EXPECT_EQ(RtcpReportBlock::read(bytes.data()).cumulative_lost, 0x7FFFFF);
  RtcpReportBlock{1, 0, -0x7FFFFFFF}.write(bytes.data());
  EXPECT_EQ(RtcpReportBlock::read(bytes.data()).cumulative_lost, -0x800000);
}

TEST(Rtcp, SdesRoundTrip) {
  std::vector<uint8_t> out(200);
  // CNAME lengths that end a chunk at every alignment.
  const std::array<RtcpSdesChunk, 4> chunks = {RtcpSdesChunk{1, "z7YnQV8I4Grf3816"}, RtcpSdesChunk{2, "a"},
                                               RtcpSdesChunk{3, "ab"}, RtcpSdesChunk{4, ""}};
  const size_t length = RtcpSdes::build(out, chunks);
  ASSERT_EQ(length, RtcpSdes::size(chunks));
  ASSERT_EQ(length % 4, 0u);
  const auto sdes = RtcpSdes::parse(only_packet(std::span(out).first(length)));
  ASSERT_TRUE(sdes);
  ASSERT_EQ(sdes->chunk_count(), 4u);
  size_t i = 0;
  sdes->for_each_chunk([&](const RtcpSdesChunk& chunk) {
    EXPECT_EQ(chunk.ssrc, chunks[i].ssrc);
    EXPECT_EQ(chunk.cname, chunks[i].cname);
    ++i;
  });
  EXPECT_EQ(i, 4u);
}

TEST(Rtcp, SdesSkipsOtherItemsAndRejectsUnterminated) {
  // One chunk: NAME item "x", CNAME "ab", null, pad.
  std::vector<uint8_t> bytes = {0x81, 202, 0, 3, 0, 0, 0, 9, 2, 1, 'x', 1, 2, 'a', 'b', 0};
  auto sdes = RtcpSdes::parse(only_packet(bytes));
  ASSERT_TRUE(sdes);
  sdes->for_each_chunk([](const RtcpSdesChunk& chunk) {
    EXPECT_EQ(chunk.ssrc, 9u);
    EXPECT_EQ(chunk.cname, "ab");
    EXPECT_EQ(chunk.ssrc_offset, 4u);
  });
  bytes[15] = 'c';  // no null item
  EXPECT_FALSE(RtcpSdes::parse(only_packet(bytes)));
}

TEST(Rtcp, ByeRoundTrip) {
  std::vector<uint8_t> out(200);
  const std::array<uint32_t, 3> ssrcs = {1, 2, 0xFFFFFFFF};
  size_t length = RtcpBye::build(out, ssrcs, "leaving");
  ASSERT_EQ(length, 4u + 12 + 8);
  auto bye = RtcpBye::parse(only_packet(std::span(out).first(length)));
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->ssrc_count(), 3u);
  EXPECT_EQ(bye->ssrc(2), 0xFFFFFFFFu);
  EXPECT_EQ(bye->reason(), "leaving");
  length = RtcpBye::build(out, ssrcs);
  bye = RtcpBye::parse(only_packet(std::span(out).first(length)));
  ASSERT_TRUE(bye);
  EXPECT_TRUE(bye->reason().empty());
}

TEST(Rtcp, NackPacksAndExpands) {
  std::vector<uint8_t> out(200);
  // Wraps around 65535; a distance of 17 from the entry's PID starts a new entry.
  const std::vector<uint16_t> lost = {65530, 65531, 65535, 0, 10, 11, 27, 28};
  EXPECT_EQ(RtcpNack::item_count_for(lost), 3u);
  const size_t length = RtcpNack::build(out, 1, 2, std::span<const uint16_t>(lost));
  ASSERT_EQ(length, 12u + 12);
  const auto nack = RtcpNack::parse(only_packet(std::span(out).first(length)));
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->sender_ssrc(), 1u);
  EXPECT_EQ(nack->media_ssrc(), 2u);
  ASSERT_EQ(nack->item_count(), 3u);
  EXPECT_EQ(nack->item(0), (RtcpNackItem{65530, 0x8031}));  // +1, +5, +6, +16
  EXPECT_EQ(nack->item(1), (RtcpNackItem{11, 0x8000}));     // +16
  EXPECT_EQ(nack->item(2), (RtcpNackItem{28, 0}));
  std::vector<uint16_t> expanded;
  nack->lost_sequence_numbers(expanded);
  EXPECT_EQ(expanded, (std::vector<uint16_t>{65530, 65531, 65535, 0, 10, 11, 27, 28}));
  EXPECT_EQ(RtcpNack::build(out, 1, 2, std::span<const uint16_t>()), 0u);

  const std::array<RtcpNackItem, 1> items = {RtcpNackItem{500, 0xFFFF}};
  const size_t item_length = RtcpNack::build(out, 1, 2, std::span<const RtcpNackItem>(items));
  const auto full = RtcpNack::parse(only_packet(std::span(out).first(item_length)));
  expanded.clear();
  full->lost_sequence_numbers(expanded);
  ASSERT_EQ(expanded.size(), 17u);
  EXPECT_EQ(expanded.back(), 516);
}

TEST(Rtcp, PliAndFirRoundTrip) {
  std::vector<uint8_t> out(200);
  size_t length = RtcpPli::build(out, 3, 4);
  ASSERT_EQ(length, 12u);
  const auto pli = RtcpPli::parse(only_packet(std::span(out).first(length)));
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->sender_ssrc(), 3u);
  EXPECT_EQ(pli->media_ssrc(), 4u);
  EXPECT_FALSE(RtcpFir::parse(only_packet(std::span(out).first(length))));

  const std::array<RtcpFirEntry, 2> entries = {RtcpFirEntry{0xAAAA0001, 5}, RtcpFirEntry{0xAAAA0002, 255}};
  length = RtcpFir::build(out, 9, entries);
  ASSERT_EQ(length, 28u);
  EXPECT_EQ(out[1], 206);
  EXPECT_EQ(out[0] & 0x1F, 4);
  const auto fir = RtcpFir::parse(only_packet(std::span(out).first(length)));
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->sender_ssrc(), 9u);
  ASSERT_EQ(fir->entry_count(), 2u);
  EXPECT_EQ(fir->entry(0), entries[0]);
  EXPECT_EQ(fir->entry(1), entries[1]);
  EXPECT_FALSE(RtcpPli::parse(only_packet(std::span(out).first(length))));
}

TEST(Rtcp, RembRoundTrip) {
  std::vector<uint8_t> out(200);
  const std::array<uint32_t, 2> ssrcs = {803754945, 4038404814};
  for (uint64_t bitrate : {0ull, 42208ull, 262143ull, 262144ull, 2500000ull, 1000000000000ull}) {
    const size_t length = RtcpRemb::build(out, 4135940502, bitrate, ssrcs);
    ASSERT_EQ(length, 28u);
    const auto remb = RtcpRemb::parse(only_packet(std::span(out).first(length)));
    ASSERT_TRUE(remb);
    EXPECT_EQ(remb->sender_ssrc(), 4135940502u);
    EXPECT_LE(remb->bitrate_bps(), bitrate);
    EXPECT_GE(remb->bitrate_bps(), bitrate - (bitrate >> 17));  // within the mantissa's precision
    ASSERT_EQ(remb->ssrc_count(), 2u);
    EXPECT_EQ(remb->ssrc(1), 4038404814u);
  }
  const size_t length = RtcpRemb::build(out, 1, 42208, ssrcs);
  out[12] = 'X';  // not 'REMB'
  EXPECT_FALSE(RtcpRemb::parse(only_packet(std::span(out).first(length))));
  out[12] = 'R';
  out[16] = 3;  // more SSRCs than fit
  EXPECT_FALSE(RtcpRemb::parse(only_packet(std::span(out).first(length))));
  // The largest exponent saturates rather than overflows.
  out[16] = 2;
  out[17] = 0xFF, out[18] = 0xFF, out[19] = 0xFF;
  EXPECT_EQ(RtcpRemb::parse(only_packet(std::span(out).first(length)))->bitrate_bps(), UINT64_MAX);
}

std::vector<TransportCcPacket> decode(std::span<const uint8_t> bytes) {
  const auto feedback = RtcpTransportCc::parse(only_packet(bytes));
  EXPECT_TRUE(feedback);
  std::vector<TransportCcPacket> packets;
  if (feedback) feedback->packets(packets);
  return packets;
}

std::vector<uint8_t> encode(std::span<const TransportCcPacket> packets) {
  std::vector<uint8_t> out(RtcpTransportCc::max_size(packets.size()));
  const size_t length = RtcpTransportCc::build(out, 1, 2, -5, 77, packets);
  EXPECT_GT(length, 0u);
  EXPECT_EQ(length % 4, 0u);
  out.resize(length);
  return out;
}

TEST(Rtcp, TransportCcRoundTripShapes) {
  // Long runs, one-bit and two-bit vectors, large and negative deltas,
  // and sequence numbers that wrap.
  std::vector<TransportCcPacket> packets;
  uint16_t seq = 65000;
  auto add = [&](bool received, int32_t delta) {
    packets.push_back({seq++, received, received ? delta : 0});
  };
  for (int i = 0; i < 9000; ++i) add(true, 1);                             // longer than one run chunk
  for (int i = 0; i < 20; ++i) add(i % 3 != 0, 20);                        // one-bit vectors
  for (int i = 0; i < 10; ++i) add(i % 2 == 0, i % 4 == 0 ? -100 : 1000);  // two-bit vectors
  for (int i = 0; i < 30; ++i) add(false, 0);                              // a lost run
  add(true, 32767);
  add(true, -32768);
  add(true, 255);
  add(true, 0);
  const std::vector<uint8_t> bytes = encode(packets);
  const auto feedback = RtcpTransportCc::parse(only_packet(bytes));
  ASSERT_TRUE(feedback);
  EXPECT_EQ(feedback->sender_ssrc(), 1u);
  EXPECT_EQ(feedback->media_ssrc(), 2u);
  EXPECT_EQ(feedback->base_sequence_number(), 65000);
  EXPECT_EQ(feedback->packet_status_count(), packets.size());
  EXPECT_EQ(feedback->reference_time(), -5);
  EXPECT_EQ(feedback->feedback_packet_count(), 77);
  EXPECT_EQ(decode(bytes), packets);

  // Decoding into a span: too small, then exact.
  std::vector<TransportCcPacket> span_out(packets.size() - 1);
  EXPECT_EQ(feedback->packets(std::span(span_out)), 0u);
  span_out.resize(packets.size());
  EXPECT_EQ(feedback->packets(std::span(span_out)), packets.size());
  EXPECT_EQ(span_out, packets);
}

TEST(Rtcp, TransportCcSinglePacketsAndPadding) {
  for (int32_t delta : {0, 48, 255, 256, -1}) {
    const std::vector<TransportCcPacket> one = {{7, true, delta}};
    const std::vector<uint8_t> bytes = encode(one);
    EXPECT_EQ(decode(bytes), one);
  }
  const std::vector<TransportCcPacket> lost = {{7, false, 0}};
  EXPECT_EQ(decode(encode(lost)), lost);
}

TEST(Rtcp, TransportCcBuildRejectsBadInput) {
  std::vector<uint8_t> out(100);
  const std::vector<TransportCcPacket> gap = {{1, true, 1}, {3, true, 1}};
  EXPECT_EQ(RtcpTransportCc::build(out, 1, 2, 0, 0, gap), 0u);
  const std::vector<TransportCcPacket> huge = {{1, true, 40000}};
  EXPECT_EQ(RtcpTransportCc::build(out, 1, 2, 0, 0, huge), 0u);
  EXPECT_EQ(RtcpTransportCc::build(out, 1, 2, 0x800000, 0, std::vector<TransportCcPacket>{{1, true, 1}}), 0u);
  EXPECT_EQ(RtcpTransportCc::build(out, 1, 2, 0, 0, {}), 0u);
  EXPECT_EQ(RtcpTransportCc::build(std::span(out).first(20), 1, 2, 0, 0,
                                   std::vector<TransportCcPacket>{{1, true, 1}}),
            0u);
}

TEST(Rtcp, TransportCcRejectsMalformed) {
  const std::vector<TransportCcPacket> packets = {{1, true, 1}, {2, true, 300}, {3, false, 0}};
  std::vector<uint8_t> bytes = encode(packets);
  // Status count beyond the chunks present.
  std::vector<uint8_t> copy = bytes;
  copy[14] = 0x10;
  EXPECT_FALSE(RtcpTransportCc::parse(only_packet(copy)));
  // A reserved (11) symbol in a run.
  copy = bytes;
  copy[20] = 0x60;
  copy[21] = 0x03;
  EXPECT_FALSE(RtcpTransportCc::parse(only_packet(copy)));
}

TEST(Rtcp, CompoundRules) {
  std::vector<uint8_t> datagram(200);
  size_t at = RtcpReceiverReport::build(datagram, 1, kBlocks);
  const std::array<RtcpSdesChunk, 1> chunks = {RtcpSdesChunk{1, "cname"}};
  at += RtcpSdes::build(std::span(datagram).subspan(at), chunks);
  at += RtcpPli::build(std::span(datagram).subspan(at), 1, 2);
  datagram.resize(at);
  ASSERT_TRUE(RtcpCompound::validate(datagram));
  RtcpCompound compound(datagram);
  std::vector<uint8_t> types;
  while (auto packet = compound.next()) types.push_back(packet->type());
  EXPECT_EQ(types, (std::vector<uint8_t>{201, 202, 206}));

  // Padding on a packet that is not the last one.
  std::vector<uint8_t> padded = datagram;
  padded[0] |= 0x20;
  RtcpCompound bad(padded);
  EXPECT_FALSE(bad.next());
  EXPECT_TRUE(bad.malformed());
  EXPECT_EQ(bad.offset(), 0u);

  // A length running past the end stops after the good packets.
  std::vector<uint8_t> truncated(datagram.begin(), datagram.end() - 4);
  RtcpCompound cut(truncated);
  EXPECT_TRUE(cut.next());
  EXPECT_TRUE(cut.next());
  EXPECT_FALSE(cut.next());
  EXPECT_TRUE(cut.malformed());
  EXPECT_FALSE(RtcpCompound::validate(truncated));
  EXPECT_FALSE(RtcpCompound::validate({}));

  // Version 1.
  std::vector<uint8_t> old = datagram;
  old[0] = (old[0] & 0x3F) | 0x40;
  EXPECT_FALSE(RtcpCompound::validate(old));

  // Padding on the last packet is fine; a zero or oversized count is not.
  const std::array<uint8_t, 8> last_padded = {0xA0, 201, 0, 1, 0, 0, 0, 4};
  EXPECT_TRUE(RtcpCompound::validate(last_padded));
  const auto packet = RtcpPacket::parse(last_padded);
  EXPECT_EQ(packet->padding_size(), 4u);
  EXPECT_TRUE(packet->body().empty());
  const std::array<uint8_t, 8> zero_pad = {0xA0, 201, 0, 1, 0, 0, 0, 0};
  EXPECT_FALSE(RtcpCompound::validate(zero_pad));
  const std::array<uint8_t, 8> big_pad = {0xA0, 201, 0, 1, 0, 0, 0, 5};
  EXPECT_FALSE(RtcpCompound::validate(big_pad));
}

}  // namespace
}  // namespace ct::rtp
