#pragma once
// The codecs a track recording can write without transcoding: VP8 video
// (RFC 7741, 90 kHz RTP clock) and Opus audio (RFC 7587, 48 kHz) into
// WebM, H.264 video (RFC 6184, 90 kHz) into Matroska (.mkv: WebM admits
// only VP8/VP9/AV1 video).
#include <cstdint>
#include <optional>
#include <string_view>

namespace ct::record {

enum class TrackCodec : uint8_t { Vp8, Opus, H264 };

// As SDP and sfu::TrackInfo name them, any case: "VP8", "opus", "H264".
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
  if (equals("h264")) return TrackCodec::H264;
  return std::nullopt;
}

inline std::string_view track_codec_name(TrackCodec codec) {
  switch (codec) {
    case TrackCodec::Vp8:
      return "VP8";
    case TrackCodec::Opus:
      return "opus";
    case TrackCodec::H264:
      return "H264";
  }
  return "";
}

inline bool track_codec_is_video(TrackCodec codec) { return codec != TrackCodec::Opus; }

// The media file's extension: ".webm", or ".mkv" for H.264.
inline std::string_view track_codec_file_extension(TrackCodec codec) {
  return codec == TrackCodec::H264 ? ".mkv" : ".webm";
}

// The RTP clock rate each codec's payload format fixes.
inline uint32_t track_codec_clock_rate(TrackCodec codec) {
  return track_codec_is_video(codec) ? 90000 : 48000;
}

}  // namespace ct::record
