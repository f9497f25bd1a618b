#pragma once
// The codecs a track recording can write without transcoding: VP8 video
// (RFC 7741, 90 kHz RTP clock) and Opus audio (RFC 7587, 48 kHz).
#include <cstdint>
#include <optional>
#include <string_view>

namespace ct::record {

enum class TrackCodec : uint8_t { Vp8, Opus };

// As SDP and sfu::TrackInfo name them, any case: "VP8", "opus".
inline std::optional<TrackCodec> track_codec_from_name(std::string_view name) {
  auto equals = [&](std::string_view lower) {
    if (name.size() != lower.size()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
      const char c = name[i] >= 'A' && name[i] <= 'Z' ? char(name[i] - 'A' + 'a') : name[i];
      if (c != lower[i]) return false;
    }
    return true;
  };
  if (equals("vp8")) return TrackCodec::Vp8;
  if (equals("opus")) return TrackCodec::Opus;
  return std::nullopt;
}

inline std::string_view track_codec_name(TrackCodec codec) {
  return codec == TrackCodec::Vp8 ? "VP8" : "opus";
}

// The RTP clock rate each codec's payload format fixes.
inline uint32_t track_codec_clock_rate(TrackCodec codec) { return codec == TrackCodec::Vp8 ? 90000 : 48000; }

}  // namespace ct::record
