#include "record/PayloadDump.hpp"

#include <system_error>

#include "core/Log.hpp"
#include "record/IvfWriter.hpp"
#include "record/Vp8FrameAssembler.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::record {

namespace {

// One track: packets -> whole VP8 frames -> an IVF file.
class Vp8TrackDump final : public sfu::PacketTap, Vp8FrameAssembler::Listener {
 public:
  explicit Vp8TrackDump(const std::string& path) : writer_(path), assembler_(*this) {
    if (!writer_.error().empty()) spdlog::warn("payload dump: {}", writer_.error());
  }
  ~Vp8TrackDump() override {
    assembler_.finish();
    const auto& s = assembler_.stats();
    spdlog::info("payload dump: {} frames written, {} incomplete, {} undecodable", writer_.frames_written(),
                 s.incomplete_frames, s.undecodable_frames);
  }

  void on_packet(const rtp::RtpPacket& packet) override {
    if (writer_.is_open())
      assembler_.push(packet.sequence_number(), packet.timestamp(), packet.marker(), packet.payload());
  }

 private:
  void on_vp8_frame(const Vp8Frame& frame) override { writer_.write(frame.rtp_timestamp, frame.data); }

  IvfWriter writer_;
  Vp8FrameAssembler assembler_;
};

}  // namespace

PayloadDump::PayloadDump(std::filesystem::path directory) : directory_(std::move(directory)) {}

std::string PayloadDump::path_component(const std::string& name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.';
    out.push_back(safe ? c : '_');
  }
  if (out.empty() || out == "." || out == "..") out.insert(out.begin(), '_');
  return out;
}

std::unique_ptr<sfu::PacketTap> PayloadDump::tap_for(const std::string& room, const std::string& participant,
                                                     const sfu::TrackInfo& track) const {
  const bool vp8 = track.codec.size() == 3 && (track.codec[0] == 'V' || track.codec[0] == 'v') &&
                   (track.codec[1] == 'P' || track.codec[1] == 'p') && track.codec[2] == '8';
  if (track.kind != "video" || !vp8) return nullptr;
  const std::filesystem::path dir = directory_ / path_component(room);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    spdlog::warn("payload dump: cannot create {}: {}", dir.string(), ec.message());
    return nullptr;
  }
  const auto path = dir / (path_component(participant) + "-" + path_component(track.sid) + ".ivf");
  spdlog::info("payload dump: {} of {} in '{}' -> {}", track.sid, participant, room, path.string());
  return std::make_unique<Vp8TrackDump>(path.string());
}

}  // namespace ct::record
