#pragma once
// The development server's payload dump (`ciphertalk serve --dev
// --debug-dump-payloads DIR`): every published VP8 track is written, as the
// SFU forwards it, to DIR/<room>/<participant>-<track>.ivf. It shows what the
// server can see of a call: a plain room's files play in any player, an
// end-to-end encrypted room's hold only the clear VP8 header of each frame and
// ciphertext (docs/security.md). Never for production: it writes on the media
// thread and keeps media on disk; the configuration refuses it without --dev.
#include <filesystem>
#include <memory>
#include <string>

#include "sfu/PacketTap.hpp"

namespace ct::record {

class PayloadDump final : public sfu::PacketTapFactory {
 public:
  explicit PayloadDump(std::filesystem::path directory);

  // A tap for VP8 video tracks; none for other codecs. Names are made safe
  // for a path: characters other than letters, digits, '-', '_' and '.'
  // become '_', and a name cannot be '.' or '..'.
  std::unique_ptr<sfu::PacketTap> tap_for(const std::string& room, const std::string& participant,
                                          const sfu::TrackInfo& track) const override;

  // `name` as one safe path component.
  static std::string path_component(const std::string& name);

 private:
  std::filesystem::path directory_;
};

}  // namespace ct::record
