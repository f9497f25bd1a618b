#include "rtp/RtcpNack.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

std::optional<RtcpNack> RtcpNack::parse(const RtcpPacket& packet) {
  if (packet.type() != kType || packet.count() != kFmt) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  // §6.2.1: the FCI holds one or more entries.
  if (body.size() < 12) return std::nullopt;
  return RtcpNack(body);
}

uint32_t RtcpNack::sender_ssrc() const { return load_u32(&body_[0]); }
uint32_t RtcpNack::media_ssrc() const { return load_u32(&body_[4]); }

RtcpNackItem RtcpNack::item(size_t index) const {
  const uint8_t* p = &body_[8 + 4 * index];
  return {load_u16(p), load_u16(p + 2)};
}

void RtcpNack::lost_sequence_numbers(std::vector<uint16_t>& out) const {
  for_each_lost([&out](uint16_t seq) { out.push_back(seq); });
}

namespace {
// Calls emit(item) for each entry that covers `lost`.
template <class F>
void pack(std::span<const uint16_t> lost, F&& emit) {
  size_t i = 0;
  while (i < lost.size()) {
    RtcpNackItem entry{lost[i], 0};
    ++i;
    while (i < lost.size()) {
      const uint16_t distance = uint16_t(lost[i] - entry.pid);
      if (distance == 0) {  // a repeat
        ++i;
        continue;
      }
      if (distance > 16) break;
      entry.blp = uint16_t(entry.blp | (1u << (distance - 1)));
      ++i;
    }
    emit(entry);
  }
}
}  // namespace

size_t RtcpNack::item_count_for(std::span<const uint16_t> lost) {
  size_t count = 0;
  pack(lost, [&count](const RtcpNackItem&) { ++count; });
  return count;
}

size_t RtcpNack::build(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                       std::span<const uint16_t> lost) {
  const size_t items = item_count_for(lost);
  const size_t total = size(items);
  if (items == 0 || out.size() < total || total > 4 * 65536) return 0;
  uint8_t* p = out.data();
  write_rtcp_feedback_header(p, kFmt, kType, total, sender_ssrc, media_ssrc);
  size_t at = 12;
  pack(lost, [&](const RtcpNackItem& entry) {
    store_u16(p + at, entry.pid);
    store_u16(p + at + 2, entry.blp);
    at += 4;
  });
  return total;
}

size_t RtcpNack::build(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                       std::span<const RtcpNackItem> items) {
  const size_t total = size(items.size());
  if (items.empty() || out.size() < total || total > 4 * 65536) return 0;
  uint8_t* p = out.data();
  write_rtcp_feedback_header(p, kFmt, kType, total, sender_ssrc, media_ssrc);
  for (size_t i = 0; i < items.size(); ++i) {
    store_u16(p + 12 + 4 * i, items[i].pid);
    store_u16(p + 12 + 4 * i + 2, items[i].blp);
  }
  return total;
}

}  // namespace ct::rtp
