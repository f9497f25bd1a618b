#pragma once
// Runs every parser, getter and in-place rewrite of the rtp layer over
// arbitrary bytes. Shared by the robustness tests and the fuzz targets; it
// returns a checksum so the reads are not optimized away, and returns
// false if an invariant breaks.
#include <cstdint>
#include <span>
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
#include "rtp/RtcpSsrcRewriter.hpp"
#include "rtp/RtcpTransportCc.hpp"
#include "rtp/RtcpXr.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/Rtx.hpp"

namespace ct::rtp::test {

struct ExerciseResult {
  uint64_t checksum = 0;
  bool ok = true;
};

inline ExerciseResult exercise_rtp(std::span<const uint8_t> input) {
  ExerciseResult result;
  uint64_t& sum = result.checksum;
  std::vector<uint8_t> bytes(input.begin(), input.end());
  sum += RtpPacket::is_rtp_or_rtcp(bytes.empty() ? 0 : bytes[0]) + RtpPacket::is_rtcp(bytes);
  auto packet = RtpPacket::parse(bytes);
  if (!packet) return result;
  sum += packet->marker() + packet->payload_type() + packet->sequence_number() + packet->timestamp() +
         packet->ssrc();
  for (size_t i = 0; i < packet->csrc_count(); ++i) sum += packet->csrc(i);
  sum += packet->header_size() + packet->padding_size() + packet->extension_profile();
  for (uint8_t b : packet->payload()) sum += b;
  if (packet->header_size() + packet->payload().size() + packet->padding_size() != bytes.size())
    result.ok = false;
  size_t extensions = 0;
  for (const RtpExtension& e : packet->extensions()) {
    ++extensions;
    sum += e.id + e.data.size();
    if (auto level = read_audio_level(e.data)) sum += level->level;
    if (auto text = read_sdes_string(e.data)) sum += text->size();
    if (auto seq = read_transport_sequence_number(e.data)) sum += *seq;
    if (auto time = read_abs_send_time(e.data)) sum += *time;
    if (packet->find_extension(e.id).data() == nullptr && !e.data.empty()) result.ok = false;
  }
  // RTX helpers on copies.
  if (auto osn = rtx_original_sequence_number(*packet)) sum += *osn;
  std::vector<uint8_t> out(bytes.size() + 2);
  sum += unwrap_rtx(*packet, 1, 2, out);
  const size_t wrapped = wrap_rtx(*packet, 3, 4, 5, out);
  if (wrapped) {
    auto rtx = RtpPacket::parse(std::span(out).first(wrapped));
    if (!rtx || rtx_original_sequence_number(*rtx) != packet->sequence_number()) result.ok = false;
  }
  {
    std::vector<uint8_t> copy = bytes;
    if (auto view = RtpPacket::parse(copy)) {
      if (auto original = unwrap_rtx_in_place(*view, 6, 7)) sum += original->size();
    }
  }
  // Setters and id rewrites on a copy; the identity map changes nothing and
  // removing everything keeps the packet parseable.
  std::vector<uint8_t> copy = bytes;
  auto view = RtpPacket::parse(copy);
  view->set_marker(!view->marker());
  view->set_payload_type(uint8_t(view->payload_type() + 1));
  view->set_sequence_number(uint16_t(view->sequence_number() + 1));
  view->set_timestamp(view->timestamp() + 1);
  view->set_ssrc(view->ssrc() + 1);
  copy = bytes;
  view = RtpPacket::parse(copy);
  if (!view->rewrite_extension_ids(RtpExtensionIdMap::identity()) || copy != bytes) result.ok = false;
  RtpExtensionIdMap shift;
  for (unsigned id = 1; id < 256; ++id) shift.set(uint8_t(id), uint8_t(id % 14 + 1));
  sum += view->rewrite_extension_ids(shift);
  if (!RtpPacket::parse(copy)) result.ok = false;
  sum += view->rewrite_extension_ids(RtpExtensionIdMap());
  auto cleared = RtpPacket::parse(copy);
  if (!cleared) result.ok = false;
  if (cleared && cleared->extensions().begin() != cleared->extensions().end()) result.ok = false;
  sum += extensions;
  return result;
}

inline uint64_t exercise_rtcp_packet(const RtcpPacket& packet) {
  uint64_t sum = packet.count() + packet.type() + packet.padding_size() + packet.body().size();
  if (auto sr = RtcpSenderReport::parse(packet)) {
    sum += sr->sender_ssrc() + sr->sender_info().ntp_timestamp;
    for (size_t i = 0; i < sr->report_count(); ++i) sum += sr->report_block(i).jitter;
  }
  if (auto rr = RtcpReceiverReport::parse(packet)) {
    sum += rr->sender_ssrc();
    for (size_t i = 0; i < rr->report_count(); ++i) sum += uint32_t(rr->report_block(i).cumulative_lost);
  }
  if (auto sdes = RtcpSdes::parse(packet)) {
    sdes->for_each_chunk([&](const RtcpSdesChunk& chunk) { sum += chunk.ssrc + chunk.cname.size(); });
  }
  if (auto bye = RtcpBye::parse(packet)) {
    for (size_t i = 0; i < bye->ssrc_count(); ++i) sum += bye->ssrc(i);
    sum += bye->reason().size();
  }
  if (auto nack = RtcpNack::parse(packet)) {
    sum += nack->sender_ssrc() + nack->media_ssrc();
    nack->for_each_lost([&](uint16_t seq) { sum += seq; });
  }
  if (auto pli = RtcpPli::parse(packet)) sum += pli->media_ssrc();
  if (auto fir = RtcpFir::parse(packet)) {
    for (size_t i = 0; i < fir->entry_count(); ++i) sum += fir->entry(i).ssrc + fir->entry(i).sequence_number;
  }
  if (auto remb = RtcpRemb::parse(packet)) {
    sum += remb->bitrate_bps();
    for (size_t i = 0; i < remb->ssrc_count(); ++i) sum += remb->ssrc(i);
  }
  if (auto feedback = RtcpTransportCc::parse(packet)) {
    sum += feedback->base_sequence_number() + uint32_t(feedback->reference_time()) +
           feedback->feedback_packet_count();
    std::vector<TransportCcPacket> packets;
    feedback->packets(packets);
    for (const TransportCcPacket& p : packets) sum += p.sequence_number + p.received + uint32_t(p.delta);
  }
  if (auto xr = RtcpXr::parse(packet)) {
    sum += xr->sender_ssrc() + xr->rrtr().value_or(0);
    xr->for_each_dlrr(
        [&](const RtcpDlrrItem& item) { sum += item.ssrc + item.last_rr + item.delay_since_last_rr; });
  }
  return sum;
}

// Whatever an XR holds survives being written again by the builders.
inline bool xr_round_trips(const RtcpPacket& packet) {
  auto xr = RtcpXr::parse(packet);
  if (!xr) return true;
  std::vector<uint8_t> out(RtcpXr::rrtr_size());
  if (auto ntp = xr->rrtr()) {
    const size_t n = RtcpXr::build_rrtr(out, xr->sender_ssrc(), *ntp);
    auto again = RtcpPacket::parse(std::span(out).first(n));
    if (!again || RtcpXr::parse(*again)->rrtr() != ntp) return false;
  }
  std::vector<RtcpDlrrItem> items;
  xr->for_each_dlrr([&](const RtcpDlrrItem& item) { items.push_back(item); });
  if (items.empty() || 3 * items.size() > 0xFFFF) return true;
  out.resize(RtcpXr::dlrr_size(items.size()));
  const size_t n = RtcpXr::build_dlrr(out, xr->sender_ssrc(), items);
  auto again = RtcpPacket::parse(std::span(out).first(n));
  if (!again) return false;
  auto reparsed = RtcpXr::parse(*again);
  if (!reparsed || reparsed->sender_ssrc() != xr->sender_ssrc()) return false;
  size_t i = 0;
  bool same = true;
  reparsed->for_each_dlrr(
      [&](const RtcpDlrrItem& item) { same = same && i < items.size() && item == items[i++]; });
  return same && i == items.size();
}

inline ExerciseResult exercise_rtcp(std::span<const uint8_t> input) {
  ExerciseResult result;
  RtcpCompound compound(input);
  while (auto packet = compound.next()) {
    result.checksum += exercise_rtcp_packet(*packet);
    if (!xr_round_trips(*packet)) result.ok = false;
  }
  result.checksum += compound.malformed() + RtcpCompound::validate(input);
  // Rewriting with a map and then its inverse restores the datagram.
  std::vector<uint8_t> copy(input.begin(), input.end());
  const bool first = rewrite_rtcp_ssrcs(copy, [](uint32_t ssrc) { return ssrc ^ 0x5A5A5A5A; });
  const bool second = rewrite_rtcp_ssrcs(copy, [](uint32_t ssrc) { return ssrc ^ 0x5A5A5A5A; });
  if (first != second || !std::equal(copy.begin(), copy.end(), input.begin(), input.end())) result.ok = false;
  return result;
}

}  // namespace ct::rtp::test
