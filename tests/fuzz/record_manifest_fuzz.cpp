// libFuzzer target: manifest.json as compose and recover read it, from any
// bytes. What it accepts must be usable as it is: times in order, kinds
// known, file names that stay in the folder. And recover's manifest made
// over it must read back.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "record/RecordingManifest.hpp"
#include "record/RecoveredManifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ct::record::RecordingManifest;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto parsed = RecordingManifest::parse(text);
  if (parsed.manifest.has_value() == !parsed.error.empty()) std::abort();
  if (parsed.manifest) {
    const auto& m = *parsed.manifest;
    if (m.duration_ms() && *m.duration_ms() < 0) std::abort();
    for (const auto& t : m.tracks) {
      if (!t.is_audio() && !t.is_video()) std::abort();
      for (const auto* name : {&t.file, &t.rtpdump}) {
        if (name->find('/') != std::string::npos || (!name->empty() && name->front() == '.')) std::abort();
      }
    }
  }
  ct::record::RecoveredTrack track;
  track.dump = "/r/a-TR_x.rtpdump";
  track.webm = "/r/a-TR_x.webm";
  track.codec = "VP8";
  track.frames = 1;
  track.first_packet_us = 1796602502125000;
  track.last_packet_us = 1796602505125000;
  const auto recovered = ct::record::RecoveredManifest::make(text, "room", "id", {track});
  if (recovered.needed && !RecordingManifest::parse(recovered.text).manifest) std::abort();
  return 0;
}
