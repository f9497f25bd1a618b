#pragma once
// `ciphertalk recover <recording-folder>`'s work: rebuilds each track's
// WebM from its raw RTP dump, after a crash left the WebM without its
// index or its last clusters. Every `<name>.rtpdump` in the folder becomes
// `<name>.webm` (replaced only once the new one is complete), through the
// same RtpWebmWriter as the live recording, so the result is the file the
// recording would have written from what arrived. A dump cut short by the
// crash is used up to its last whole record.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ct::record {

struct RecoveredTrack {
  std::filesystem::path dump;
  std::filesystem::path webm;
  uint64_t packets = 0;    // records read from the dump
  uint64_t frames = 0;     // written to the WebM
  bool truncated = false;  // the dump's last record was cut short
  bool corrupt = false;    // the dump held bytes that are no record; what came before was used
  std::string error;       // empty when the WebM was written
  std::string codec;       // as the dump's header names it: "VP8", "opus"
  // Arrival of the first and the last packet, µs since the Unix epoch; none
  // without a packet.
  std::optional<uint64_t> first_packet_us, last_packet_us;

  bool playable() const { return error.empty() && frames > 0; }
};

// One entry per dump in `folder`, in name order.
std::vector<RecoveredTrack> recover(const std::filesystem::path& folder);

}  // namespace ct::record
