#include "rtp/RtcpTransportCc.hpp"

#include "core/Endian.hpp"

namespace ct::rtp {

namespace {
// Fixed part of the body: sender SSRC, media SSRC, base sequence number,
// packet status count, reference time, feedback packet count.
constexpr size_t kFixedBody = 16;

// Packet status symbols (§3.1.1).
constexpr uint8_t kNotReceived = 0;
constexpr uint8_t kSmallDelta = 1;
constexpr uint8_t kLargeDelta = 2;

constexpr size_t kRunLengthMax = 0x1FFF;
constexpr size_t kOneBitSymbols = 14;
constexpr size_t kTwoBitSymbols = 7;
}  // namespace

bool RtcpTransportCc::decode(std::span<const uint8_t> body, std::span<TransportCcPacket> out,
                             size_t& received_count) {
  const uint16_t base = load_u16(&body[8]);
  const size_t count = load_u16(&body[10]);
  const bool store = !out.empty();
  // Statuses are read first (into `out` if given, else only counted) since
  // the deltas follow all the chunks.
  size_t at = kFixedBody;
  size_t statuses = 0;
  size_t small = 0;
  size_t large = 0;
  auto add = [&](uint8_t symbol) -> bool {
    if (statuses == count) return true;      // trailing symbols of the last chunk
    if (symbol > kLargeDelta) return false;  // 11 is reserved
    if (store) out[statuses] = {uint16_t(base + statuses), symbol != kNotReceived, symbol};
    small += symbol == kSmallDelta;
    large += symbol == kLargeDelta;
    ++statuses;
    return true;
  };
  while (statuses < count) {
    if (at + 2 > body.size()) return false;
    const uint16_t chunk = load_u16(&body[at]);
    at += 2;
    if ((chunk & 0x8000) == 0) {
      // §3.1.3 run length chunk: T=0, 2-bit symbol, 13-bit run length.
      const uint8_t symbol = uint8_t(chunk >> 13 & 0x3);
      const size_t run = chunk & kRunLengthMax;
      for (size_t i = 0; i < run && statuses < count; ++i) {
        if (!add(symbol)) return false;
      }
    } else if ((chunk & 0x4000) == 0) {
      // §3.1.4 status vector chunk, S=0: 14 one-bit symbols.
      for (size_t i = 0; i < kOneBitSymbols; ++i) {
        if (!add(uint8_t(chunk >> (13 - i) & 0x1))) return false;
      }
    } else {
      // S=1: 7 two-bit symbols.
      for (size_t i = 0; i < kTwoBitSymbols; ++i) {
        if (!add(uint8_t(chunk >> (12 - 2 * i) & 0x3))) return false;
      }
    }
  }
  // §3.1.5: one byte per small delta, two per large, in status order.
  if (at + small + 2 * large > body.size()) return false;
  received_count = small + large;
  if (store) {
    for (size_t i = 0; i < count; ++i) {
      TransportCcPacket& packet = out[i];
      const int32_t symbol = packet.delta;
      if (symbol == kSmallDelta) {
        packet.delta = body[at++];
      } else if (symbol == kLargeDelta) {
        packet.delta = int16_t(load_u16(&body[at]));
        at += 2;
      } else {
        packet.delta = 0;
      }
    }
  }
  return true;
}

std::optional<RtcpTransportCc> RtcpTransportCc::parse(const RtcpPacket& packet) {
  if (packet.type() != kType || packet.count() != kFmt) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  if (body.size() < kFixedBody) return std::nullopt;
  size_t received = 0;
  if (!decode(body, {}, received)) return std::nullopt;
  return RtcpTransportCc(body, received);
}

uint32_t RtcpTransportCc::sender_ssrc() const { return load_u32(&body_[0]); }
uint32_t RtcpTransportCc::media_ssrc() const { return load_u32(&body_[4]); }
uint16_t RtcpTransportCc::base_sequence_number() const { return load_u16(&body_[8]); }
uint16_t RtcpTransportCc::packet_status_count() const { return load_u16(&body_[10]); }
uint8_t RtcpTransportCc::feedback_packet_count() const { return body_[15]; }

int32_t RtcpTransportCc::reference_time() const {
  const uint32_t raw = load_u24(&body_[12]);
  return (raw & 0x800000) ? int32_t(raw | 0xFF000000u) : int32_t(raw);
}

size_t RtcpTransportCc::packets(std::span<TransportCcPacket> out) const {
  const size_t count = packet_status_count();
  if (count == 0 || out.size() < count) return 0;
  size_t received = 0;
  decode(body_, out.first(count), received);
  return count;
}

void RtcpTransportCc::packets(std::vector<TransportCcPacket>& out) const {
  out.resize(packet_status_count());
  if (!out.empty()) packets(std::span<TransportCcPacket>(out));
}

namespace {
uint8_t symbol_of(const TransportCcPacket& packet) {
  if (!packet.received) return kNotReceived;
  return packet.delta >= 0 && packet.delta <= 255 ? kSmallDelta : kLargeDelta;
}
}  // namespace

size_t RtcpTransportCc::build(std::span<uint8_t> out, uint32_t sender_ssrc, uint32_t media_ssrc,
                              int32_t reference_time, uint8_t feedback_packet_count,
                              std::span<const TransportCcPacket> packets) {
  const size_t count = packets.size();
  if (count == 0 || count > 0xFFFF) return 0;
  if (reference_time < -0x800000 || reference_time > 0x7FFFFF) return 0;
  const uint16_t base = packets[0].sequence_number;
  for (size_t i = 0; i < count; ++i) {
    const TransportCcPacket& packet = packets[i];
    if (packet.sequence_number != uint16_t(base + i)) return 0;
    if (packet.received && (packet.delta < INT16_MIN || packet.delta > INT16_MAX)) return 0;
  }
  if (out.size() < 20) return 0;
  uint8_t* p = out.data();
  size_t at = 20;
  // Chunks: a run when it covers the rest or at least a one-bit vector's
  // worth; otherwise the densest vector that holds the next symbols.
  size_t i = 0;
  while (i < count) {
    const uint8_t symbol = symbol_of(packets[i]);
    size_t run = 1;
    while (i + run < count && run < kRunLengthMax && symbol_of(packets[i + run]) == symbol) ++run;
    uint16_t chunk = 0;
    const size_t remaining = count - i;
    bool one_bit = true;
    for (size_t k = 0; k < kOneBitSymbols && k < remaining; ++k)
      one_bit = one_bit && symbol_of(packets[i + k]) != kLargeDelta;
    if (run == remaining || run >= kOneBitSymbols || (!one_bit && run >= kTwoBitSymbols)) {
      chunk = uint16_t(symbol << 13 | run);
      i += run;
    } else if (one_bit) {
      chunk = 0x8000;
      for (size_t k = 0; k < kOneBitSymbols && i < count; ++k, ++i) {
        chunk = uint16_t(chunk | symbol_of(packets[i]) << (13 - k));
      }
    } else {
      chunk = 0xC000;
      for (size_t k = 0; k < kTwoBitSymbols && i < count; ++k, ++i) {
        chunk = uint16_t(chunk | symbol_of(packets[i]) << (12 - 2 * k));
      }
    }
    if (at + 2 > out.size()) return 0;
    store_u16(p + at, chunk);
    at += 2;
  }
  for (const TransportCcPacket& packet : packets) {
    const uint8_t symbol = symbol_of(packet);
    if (symbol == kSmallDelta) {
      if (at + 1 > out.size()) return 0;
      p[at++] = uint8_t(packet.delta);
    } else if (symbol == kLargeDelta) {
      if (at + 2 > out.size()) return 0;
      store_u16(p + at, uint16_t(int16_t(packet.delta)));
      at += 2;
    }
  }
  // RFC 3550 §6.4.1 padding to a 32-bit boundary; the last octet counts it.
  const size_t padding = (4 - at % 4) % 4;
  const size_t total = at + padding;
  if (total > out.size() || total > 4 * 65536) return 0;
  for (size_t k = 0; k < padding; ++k) p[at + k] = 0;
  if (padding) p[total - 1] = uint8_t(padding);
  write_rtcp_feedback_header(p, kFmt, kType, total, sender_ssrc, media_ssrc);
  if (padding) p[0] |= 0x20;
  store_u16(p + 12, base);
  store_u16(p + 14, uint16_t(count));
  store_u24(p + 16, uint32_t(reference_time) & 0xFFFFFF);
  p[19] = feedback_packet_count;
  return total;
}

}  // namespace ct::rtp
