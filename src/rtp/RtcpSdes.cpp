#include "rtp/RtcpSdes.hpp"

#include <cstring>

#include "core/Endian.hpp"

namespace ct::rtp {

size_t RtcpSdes::read_chunk(std::span<const uint8_t> body, size_t offset, RtcpSdesChunk& chunk) {
  if (offset + 4 > body.size()) return 0;
  chunk.ssrc = load_u32(&body[offset]);
  chunk.cname = {};
  chunk.ssrc_offset = RtcpPacket::kHeaderSize + offset;
  size_t at = offset + 4;
  // Items until a null octet (§6.5: type 0 ends the list).
  while (true) {
    if (at >= body.size()) return 0;
    const uint8_t type = body[at];
    if (type == 0) break;
    if (at + 2 > body.size()) return 0;
    const size_t length = body[at + 1];
    if (at + 2 + length > body.size()) return 0;
    if (type == kItemCname && chunk.cname.empty()) {
      chunk.cname = std::string_view(reinterpret_cast<const char*>(&body[at + 2]), length);
    }
    at += 2 + length;
  }
  // The null octet, then more nulls up to the next 32-bit boundary.
  const size_t next = (at + 1 + 3) & ~size_t(3);
  if (next > body.size()) return 0;
  return next;
}

std::optional<RtcpSdes> RtcpSdes::parse(const RtcpPacket& packet) {
  if (packet.type() != kType) return std::nullopt;
  const std::span<const uint8_t> body = packet.body();
  const size_t count = packet.count();
  size_t offset = 0;
  RtcpSdesChunk chunk;
  for (size_t i = 0; i < count; ++i) {
    offset = read_chunk(body, offset, chunk);
    if (offset == 0) return std::nullopt;
  }
  return RtcpSdes(body, count);
}

namespace {
size_t chunk_size(const RtcpSdesChunk& chunk) {
  // SSRC, CNAME item, at least one null octet, rounded up to 32 bits.
  return (4 + 2 + chunk.cname.size() + 1 + 3) & ~size_t(3);
}
}  // namespace

size_t RtcpSdes::size(std::span<const RtcpSdesChunk> chunks) {
  size_t total = RtcpPacket::kHeaderSize;
  for (const RtcpSdesChunk& chunk : chunks) total += chunk_size(chunk);
  return total;
}

size_t RtcpSdes::build(std::span<uint8_t> out, std::span<const RtcpSdesChunk> chunks) {
  if (chunks.size() > kMaxChunks) return 0;
  for (const RtcpSdesChunk& chunk : chunks) {
    if (chunk.cname.size() > 255) return 0;
  }
  const size_t total = size(chunks);
  if (out.size() < total) return 0;
  uint8_t* p = out.data();
  write_rtcp_header(p, uint8_t(chunks.size()), kType, total);
  size_t at = RtcpPacket::kHeaderSize;
  for (const RtcpSdesChunk& chunk : chunks) {
    const size_t end = at + chunk_size(chunk);
    store_u32(p + at, chunk.ssrc);
    p[at + 4] = kItemCname;
    p[at + 5] = uint8_t(chunk.cname.size());
    if (!chunk.cname.empty()) std::memcpy(p + at + 6, chunk.cname.data(), chunk.cname.size());
    const size_t nulls = at + 6 + chunk.cname.size();
    std::memset(p + nulls, 0, end - nulls);
    at = end;
  }
  return total;
}

}  // namespace ct::rtp
