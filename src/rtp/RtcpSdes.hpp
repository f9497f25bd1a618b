#pragma once
// Source description, RTCP type 202 (RFC 3550 §6.5). Only CNAME (§6.5.1)
// is decoded; other items are skipped.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtp/RtcpPacket.hpp"

namespace ct::rtp {

struct RtcpSdesChunk {
  uint32_t ssrc = 0;
  std::string_view cname;  // empty if the chunk has no CNAME; aliases the packet
  size_t ssrc_offset = 0;  // where the SSRC sits within the packet (filled by the parser)
};

class RtcpSdes {
 public:
  static constexpr uint8_t kType = rtcp_type::kSdes;
  static constexpr uint8_t kItemCname = 1;
  static constexpr size_t kMaxChunks = 31;

  // Checks the type and that SC chunks, each ended by a null item, fit.
  static std::optional<RtcpSdes> parse(const RtcpPacket& packet);

  size_t chunk_count() const { return chunk_count_; }
  // Calls f(const RtcpSdesChunk&) for each chunk, in order.
  template <class F>
  void for_each_chunk(F&& f) const {
    size_t offset = 0;
    RtcpSdesChunk chunk;
    for (size_t i = 0; i < chunk_count_; ++i) {
      offset = read_chunk(body_, offset, chunk);
      f(static_cast<const RtcpSdesChunk&>(chunk));
    }
  }

  // Packet size for chunks each carrying only a CNAME.
  static size_t size(std::span<const RtcpSdesChunk> chunks);
  // Writes one chunk per entry with its CNAME (at most 255 bytes). Returns
  // the length, or 0 if it does not fit or there are more than 31 chunks.
  static size_t build(std::span<uint8_t> out, std::span<const RtcpSdesChunk> chunks);

 private:
  RtcpSdes(std::span<const uint8_t> body, size_t chunk_count) : body_(body), chunk_count_(chunk_count) {}
  // Reads the chunk at `offset` in `body`; returns the next chunk's offset,
  // or 0 if the chunk is malformed (a chunk is never empty).
  static size_t read_chunk(std::span<const uint8_t> body, size_t offset, RtcpSdesChunk& chunk);

  std::span<const uint8_t> body_;
  size_t chunk_count_ = 0;
};

}  // namespace ct::rtp
