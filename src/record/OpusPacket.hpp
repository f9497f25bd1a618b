#pragma once
// What the recorder needs from an Opus packet (RFC 6716 §3.1): how many
// 48 kHz samples it holds, read from its TOC byte and, for code 3, the
// frame count byte. One RTP payload is one Opus packet (RFC 7587 §4.2).
#include <cstdint>
#include <optional>
#include <span>

namespace ct::record {

struct OpusPacket {
  static constexpr uint32_t kMaxSamples = 5760;  // 120 ms at 48 kHz (§3.2.5)

  // nullopt for an empty packet, a code 3 packet without its frame count
  // or with zero frames, or more than 120 ms of audio.
  static std::optional<uint32_t> samples(std::span<const uint8_t> packet);
};

}  // namespace ct::record
