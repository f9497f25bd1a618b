#include "rtp/RtcpSsrcRewriter.hpp"

#include "rtp/RtcpBye.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpRemb.hpp"
#include "rtp/RtcpSdes.hpp"
#include "rtp/RtcpSenderReport.hpp"

namespace ct::rtp {

namespace {

// Visits the fields of one packet whose first byte is `p`; false if malformed.
bool visit_packet(const RtcpPacket& packet, uint8_t* p, const RtcpSsrcFieldVisitor& visit) {
  constexpr size_t kBody = RtcpPacket::kHeaderSize;
  switch (packet.type()) {
    case rtcp_type::kSenderReport: {
      const auto sr = RtcpSenderReport::parse(packet);
      if (!sr) return false;
      visit(p + kBody);
      for (size_t i = 0; i < sr->report_count(); ++i) visit(p + kBody + 24 + RtcpReportBlock::kSize * i);
      return true;
    }
    case rtcp_type::kReceiverReport: {
      const auto rr = RtcpReceiverReport::parse(packet);
      if (!rr) return false;
      visit(p + kBody);
      for (size_t i = 0; i < rr->report_count(); ++i) visit(p + kBody + 4 + RtcpReportBlock::kSize * i);
      return true;
    }
    case rtcp_type::kSdes: {
      const auto sdes = RtcpSdes::parse(packet);
      if (!sdes) return false;
      sdes->for_each_chunk([&](const RtcpSdesChunk& chunk) { visit(p + chunk.ssrc_offset); });
      return true;
    }
    case rtcp_type::kBye: {
      const auto bye = RtcpBye::parse(packet);
      if (!bye) return false;
      for (size_t i = 0; i < bye->ssrc_count(); ++i) visit(p + kBody + 4 * i);
      return true;
    }
    case rtcp_type::kTransportFeedback:
    case rtcp_type::kPayloadFeedback: {
      // RFC 4585 §6.1: every feedback message starts with both SSRCs.
      if (packet.body().size() < 8) return false;
      if (packet.type() == rtcp_type::kPayloadFeedback && packet.count() == rtcp_fmt::kFir) {
        const auto fir = RtcpFir::parse(packet);
        if (!fir) return false;
        visit(p + kBody);
        for (size_t i = 0; i < fir->entry_count(); ++i) visit(p + kBody + 8 + RtcpFir::kEntrySize * i);
        return true;
      }
      if (packet.type() == rtcp_type::kPayloadFeedback && packet.count() == rtcp_fmt::kAfb) {
        if (const auto remb = RtcpRemb::parse(packet)) {
          visit(p + kBody);
          for (size_t i = 0; i < remb->ssrc_count(); ++i) visit(p + kBody + 16 + 4 * i);
          return true;
        }
      }
      visit(p + kBody);
      visit(p + kBody + 4);
      return true;
    }
    default:
      return true;  // unknown types are left alone
  }
}

}  // namespace

bool visit_rtcp_ssrc_fields(std::span<uint8_t> compound, RtcpSsrcFieldVisitor visit) {
  RtcpCompound packets(compound);
  bool well_formed = true;
  while (const std::optional<RtcpPacket> packet = packets.next()) {
    uint8_t* p = compound.data() + (packet->bytes().data() - compound.data());
    if (!visit_packet(*packet, p, visit)) well_formed = false;
  }
  return well_formed && !packets.malformed();
}

}  // namespace ct::rtp
