// Every captured Chromium RTCP compound iterates to the described packets,
// and each typed parser reads the described values.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "RtpFixtures.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpRemb.hpp"
#include "rtp/RtcpSdes.hpp"
#include "rtp/RtcpSenderReport.hpp"
#include "rtp/RtcpTransportCc.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::rtp {
namespace {

using test::field;
using test::number;

void check_sr(const RtcpPacket& packet, const std::string& d) {
  const auto sr = RtcpSenderReport::parse(packet);
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->sender_ssrc(), number(d, "ssrc="));
  EXPECT_EQ(sr->sender_info().packet_count, number(d, "pkts="));
  EXPECT_EQ(sr->sender_info().octet_count, number(d, "octets="));
  EXPECT_EQ(sr->report_count(), number(d, "rc="));
}

void check_rr(const RtcpPacket& packet, const std::string& d) {
  const auto rr = RtcpReceiverReport::parse(packet);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->sender_ssrc(), number(d, "ssrc="));
  EXPECT_EQ(rr->report_count(), number(d, "rc="));
  if (rr->report_count() > 0) {
    // The description shows the first block.
    const RtcpReportBlock block = rr->report_block(0);
    EXPECT_EQ(block.ssrc, number(d, "src="));
    EXPECT_EQ(block.fraction_lost, number(d, "fraclost="));
    for (size_t i = 0; i < rr->report_count(); ++i) EXPECT_NE(rr->report_block(i).ssrc, 0u);
  }
}

void check_sdes(const RtcpPacket& packet, const std::string& d) {
  const auto sdes = RtcpSdes::parse(packet);
  ASSERT_TRUE(sdes);
  EXPECT_EQ(sdes->chunk_count(), number(d, "sc="));
  size_t chunks = 0;
  sdes->for_each_chunk([&](const RtcpSdesChunk& chunk) {
    EXPECT_EQ(chunk.cname, *field(d, "CNAME="));
    EXPECT_NE(chunk.ssrc, 0u);
    ++chunks;
  });
  EXPECT_EQ(chunks, sdes->chunk_count());
}

void check_nack(const RtcpPacket& packet, const std::string& d) {
  const auto nack = RtcpNack::parse(packet);
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->media_ssrc(), number(d, "media="));
  ASSERT_EQ(nack->item_count(), 1u);
  EXPECT_EQ(nack->item(0).pid, number(d, "pid="));
  EXPECT_EQ(nack->item(0).blp, number(d, "blp="));
  std::vector<uint16_t> lost;
  nack->lost_sequence_numbers(lost);
  const uint16_t pid = uint16_t(number(d, "pid="));
  if (nack->item(0).blp == 1) {
    EXPECT_EQ(lost, (std::vector<uint16_t>{pid, uint16_t(pid + 1)}));
  } else {
    EXPECT_EQ(lost, (std::vector<uint16_t>{pid}));
  }
}

void check_pli(const RtcpPacket& packet, const std::string& d) {
  const auto pli = RtcpPli::parse(packet);
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->media_ssrc(), number(d, "media="));
}

void check_remb(const RtcpPacket& packet, const std::string& d) {
  const auto remb = RtcpRemb::parse(packet);
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->bitrate_bps(), number(d, "bitrate="));
  const size_t open = d.find("ssrcs=[");
  const std::vector<int64_t> ssrcs = test::number_list(d.substr(open, d.find(']', open) - open));
  ASSERT_EQ(remb->ssrc_count(), ssrcs.size());
  for (size_t i = 0; i < ssrcs.size(); ++i) EXPECT_EQ(remb->ssrc(i), uint32_t(ssrcs[i]));
}

void check_transport_cc(const RtcpPacket& packet, const std::string& d) {
  const auto feedback = RtcpTransportCc::parse(packet);
  ASSERT_TRUE(feedback);
  EXPECT_EQ(feedback->media_ssrc(), number(d, "media="));
  EXPECT_EQ(feedback->base_sequence_number(), number(d, "base="));
  EXPECT_EQ(feedback->packet_status_count(), number(d, "count="));
  EXPECT_EQ(feedback->reference_time(), int32_t(number(d, "reftime=")));
  EXPECT_EQ(feedback->feedback_packet_count(), number(d, "fbcount="));
  EXPECT_EQ(feedback->received_count(), number(d, "recv="));

  // The first chunk's kind, straight from the wire (after the 20-byte fixed part).
  const std::string chunks = *field(d, "chunks=");
  const uint8_t first = packet.bytes()[20];
  if (chunks.starts_with("run-length")) {
    EXPECT_EQ(first & 0x80, 0);
  }
  if (chunks.starts_with("1bit-vector")) {
    EXPECT_EQ(first & 0xC0, 0x80);
  }
  if (chunks.starts_with("2bit-vector")) {
    EXPECT_EQ(first & 0xC0, 0xC0);
  }

  std::vector<TransportCcPacket> packets;
  feedback->packets(packets);
  ASSERT_EQ(packets.size(), feedback->packet_status_count());
  size_t lost = 0;
  std::vector<int64_t> deltas;
  for (size_t i = 0; i < packets.size(); ++i) {
    EXPECT_EQ(packets[i].sequence_number, uint16_t(feedback->base_sequence_number() + i));
    if (packets[i].received) {
      deltas.push_back(packets[i].delta);
    } else {
      ++lost;
    }
  }
  EXPECT_EQ(lost, number(d, "lost="));
  const size_t open = d.find("deltas(250us)=[");
  EXPECT_EQ(deltas, test::number_list(d.substr(open + 14, d.find(']', open) - open - 14)));

  // Re-encoding the decoded list decodes to the same list.
  std::vector<uint8_t> rebuilt(RtcpTransportCc::max_size(packets.size()));
  const size_t length =
      RtcpTransportCc::build(rebuilt, feedback->sender_ssrc(), feedback->media_ssrc(),
                             feedback->reference_time(), feedback->feedback_packet_count(), packets);
  ASSERT_GT(length, 0u);
  const auto reparsed_packet = RtcpPacket::parse(std::span(rebuilt).first(length));
  ASSERT_TRUE(reparsed_packet);
  const auto reparsed = RtcpTransportCc::parse(*reparsed_packet);
  ASSERT_TRUE(reparsed);
  std::vector<TransportCcPacket> again;
  reparsed->packets(again);
  EXPECT_EQ(again, packets);
}

TEST(RtcpFixture, EveryCompoundMatchesItsDescription) {
  const auto lines = test::load_fixture("chromium-rtcp.hex");
  ASSERT_EQ(lines.size(), 81u);
  std::map<std::string, size_t> kinds;
  for (const test::FixtureLine& line : lines) {
    SCOPED_TRACE("line " + std::to_string(line.line_number) + ": " + line.description);
    ASSERT_TRUE(RtpPacket::is_rtcp(line.bytes));
    ASSERT_TRUE(RtcpCompound::validate(line.bytes));
    // Drop the "[run label +time] " prefix.
    const std::string packets = line.description.substr(line.description.find("] ") + 2);
    const std::vector<std::string> parts = test::split(packets, " | ");
    RtcpCompound compound(line.bytes);
    size_t index = 0;
    while (const auto packet = compound.next()) {
      ASSERT_LT(index, parts.size());
      const std::string& d = parts[index++];
      EXPECT_EQ(packet->size(), number(d, "len="));
      EXPECT_EQ(packet->has_padding(), field(d, "P=").has_value());
      if (d.starts_with("SR ")) {
        EXPECT_EQ(packet->type(), 200);
        check_sr(*packet, d);
        ++kinds["SR"];
      } else if (d.starts_with("RR ")) {
        EXPECT_EQ(packet->type(), 201);
        check_rr(*packet, d);
        ++kinds["RR"];
      } else if (d.starts_with("SDES ")) {
        EXPECT_EQ(packet->type(), 202);
        check_sdes(*packet, d);
        ++kinds["SDES"];
      } else if (d.starts_with("RTPFB fmt=1 NACK")) {
        check_nack(*packet, d);
        ++kinds["NACK"];
      } else if (d.starts_with("PSFB fmt=1 PLI")) {
        check_pli(*packet, d);
        ++kinds["PLI"];
      } else if (d.starts_with("PSFB fmt=15 REMB")) {
        check_remb(*packet, d);
        ++kinds["REMB"];
      } else if (d.starts_with("RTPFB fmt=15 transport-cc")) {
        check_transport_cc(*packet, d);
        if (packet->has_padding()) ++kinds["padded transport-cc"];
        ++kinds["transport-cc"];
      } else {
        ADD_FAILURE() << "unexpected description " << d;
      }
    }
    EXPECT_FALSE(compound.malformed());
    EXPECT_EQ(index, parts.size());
    EXPECT_EQ(compound.offset(), line.bytes.size());
  }
  for (const char* kind :
       {"SR", "RR", "SDES", "NACK", "PLI", "REMB", "transport-cc", "padded transport-cc"}) {
    EXPECT_GT(kinds[kind], 0u) << kind;
  }
}

}  // namespace
}  // namespace ct::rtp
