#include "rtp/RtcpXr.hpp"

namespace ct::rtp {

std::optional<RtcpXr> RtcpXr::parse(const RtcpPacket& packet) {
  if (packet.type() != kType) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  if (body.size() < 4) return std::nullopt;
  // RFC 3611 §3: every block is at least its 4-byte header and a whole number of words.
  for (size_t at = 4; at < body.size();) {
    if (body.size() - at < 4) return std::nullopt;
    const size_t words = load_u16(&body[at + 2]);
    const size_t length = (words + 1) * 4;
    if (length > body.size() - at) return std::nullopt;
    if (body[at] == kRrtrBlock && words != 2) return std::nullopt;                        // §4.4
    if (body[at] == kDlrrBlock && words % (kDlrrItemSize / 4) != 0) return std::nullopt;  // §4.5
    at += length;
  }
  return RtcpXr(body);
}

std::optional<uint64_t> RtcpXr::rrtr() const {
  for (size_t at = 4; at + 4 <= body_.size(); at += block_size(at)) {
    if (body_[at] == kRrtrBlock) return load_u64(&body_[at + 4]);
  }
  return std::nullopt;
}

size_t RtcpXr::build_rrtr(std::span<uint8_t> out, uint32_t sender_ssrc, uint64_t ntp_timestamp) {
  const size_t total = rrtr_size();
  if (out.size() < total) return 0;
  uint8_t* p = out.data();
  write_rtcp_header(p, 0, kType, total);  // the five bits after P are reserved (§2)
  store_u32(p + 4, sender_ssrc);
  p[8] = kRrtrBlock;
  p[9] = 0;  // reserved
  store_u16(p + 10, 2);
  store_u64(p + 12, ntp_timestamp);
  return total;
}

size_t RtcpXr::build_dlrr(std::span<uint8_t> out, uint32_t sender_ssrc, std::span<const RtcpDlrrItem> items) {
  const size_t total = dlrr_size(items.size());
  const size_t words = 3 * items.size();
  if (items.empty() || out.size() < total || words > 0xFFFF) return 0;
  uint8_t* p = out.data();
  write_rtcp_header(p, 0, kType, total);
  store_u32(p + 4, sender_ssrc);
  p[8] = kDlrrBlock;
  p[9] = 0;  // reserved
  store_u16(p + 10, uint16_t(words));
  for (size_t i = 0; i < items.size(); ++i) {
    uint8_t* item = p + 12 + kDlrrItemSize * i;
    store_u32(item, items[i].ssrc);
    store_u32(item + 4, items[i].last_rr);
    store_u32(item + 8, items[i].delay_since_last_rr);
  }
  return total;
}

}  // namespace ct::rtp
