#include "record/RoomRecordingFolder.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "core/Log.hpp"
#include "record/PayloadDump.hpp"
#include "record/RecordingWriterThread.hpp"
#include "record/TrackCodec.hpp"
#include "record/TrackRecorder.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::record {
namespace {

using nlohmann::json;
using WallClock = std::chrono::system_clock;

// RFC 3339 in UTC with milliseconds: "2026-12-07T00:15:02.125Z".
std::string wall_clock_text(WallClock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t seconds = std::time_t(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%03dZ", int(ms % 1000));
  return text;
}

// The manifest's view of one TrackRecorder: notes the first packet's wall
// clock time (one clock read, once) and the counts when the track ends.
class ManifestTrackTap final : public sfu::PacketTap {
 public:
  ManifestTrackTap(std::unique_ptr<TrackRecorder> recorder, RoomRecordingFolder::Track& track)
      : recorder_(std::move(recorder)), track_(track) {}
  ~ManifestTrackTap() override {
    track_.packets = recorder_->recording().packets_queued();
    track_.packets_dropped = recorder_->recording().packets_dropped();
    if (const auto start = recorder_->recording().media_start_unix_us())
      track_.media_start = WallClock::time_point(std::chrono::microseconds(*start));
  }

  void on_packet(const rtp::RtpPacket& packet) override { on_packet_at(packet, Clock::now()); }
  void on_packet_at(const rtp::RtpPacket& packet, TimePoint arrival) override {
    if (!track_.first_packet) [[unlikely]] {
      track_.first_packet = WallClock::now();
      track_.first_arrival = arrival;
    }
    track_.last_arrival = arrival;
    recorder_->on_packet_at(packet, arrival);
  }
  void on_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp, TimePoint arrival) override {
    recorder_->on_sender_report(ntp_timestamp, rtp_timestamp, arrival);
  }
  bool take_keyframe_request() override { return recorder_->take_keyframe_request(); }

 private:
  std::unique_ptr<TrackRecorder> recorder_;
  RoomRecordingFolder::Track& track_;
};

}  // namespace

RoomRecordingFolder::RoomRecordingFolder(std::filesystem::path folder, Info info,
                                         RecordingWriterThread& writer)
    : folder_(std::move(folder)), info_(std::move(info)), writer_(writer), started_(WallClock::now()) {
  // From the start, so that a crash leaves a manifest that says what was
  // being recorded, and since when (`ciphertalk recover` completes it).
  write_manifest(manifest("", std::nullopt));
}

RoomRecordingFolder::~RoomRecordingFolder() { finish(""); }

std::unique_ptr<sfu::PacketTap> RoomRecordingFolder::tap_for(const std::string& participant,
                                                             const sfu::TrackInfo& track) {
  if (finished_) return nullptr;
  const auto codec = track_codec_from_name(track.codec);
  if (!codec) {
    spdlog::warn("recording {}: {} of {} is {}, which is not recorded (only Opus, VP8 and H.264)", info_.id,
                 track.sid, participant, track.codec.empty() ? "of no known codec" : track.codec);
    return nullptr;
  }
  auto entry = std::make_unique<Track>();
  entry->participant = participant;
  entry->sid = track.sid;
  entry->kind = track.kind;
  entry->source = track.source;
  entry->codec = std::string(track_codec_name(*codec));
  entry->extension = std::string(track_codec_file_extension(*codec));
  entry->name = PayloadDump::path_component(participant) + "-" + PayloadDump::path_component(track.sid);
  TrackRecordingConfig config;
  config.directory = folder_;
  config.name = entry->name;
  config.codec = *codec;
  spdlog::info("recording {}: {} ({}) of {} -> {}/{}{}", info_.id, track.sid, entry->codec, participant,
               folder_.string(), entry->name, entry->extension);
  auto tap = std::make_unique<ManifestTrackTap>(TrackRecorder::start(writer_, std::move(config)), *entry);
  tracks_.push_back(std::move(entry));
  write_manifest(manifest("", std::nullopt));
  return tap;
}

std::string RoomRecordingFolder::manifest(const std::string& stopped_by,
                                          std::optional<WallClock::time_point> stopped) const {
  json tracks = json::array();
  for (const auto& t : tracks_) {
    json j = {{"participant", t->participant},
              {"sid", t->sid},
              {"kind", t->kind},
              {"source", t->source},
              {"codec", t->codec},
              {"file", t->name + t->extension},
              {"rtpdump", t->name + ".rtpdump"},
              {"packets", t->packets},
              {"packets_dropped", t->packets_dropped}};
    if (t->first_packet) {
      j["first_packet_at"] = wall_clock_text(*t->first_packet);
      j["first_packet_offset_ms"] =
          std::chrono::duration_cast<std::chrono::milliseconds>(*t->first_packet - started_).count();
      j["duration_ms"] =
          std::chrono::duration_cast<std::chrono::milliseconds>(t->last_arrival - t->first_arrival).count();
    } else {
      j["first_packet_at"] = nullptr;
      j["first_packet_offset_ms"] = nullptr;
      j["duration_ms"] = nullptr;
    }
    // Where the media file's time zero sits on the recording's timeline
    // (from the publisher's sender reports when it sent them).
    if (t->media_start) {
      j["start_offset_ms"] =
          std::chrono::duration_cast<std::chrono::milliseconds>(*t->media_start - started_).count();
    }
    tracks.push_back(std::move(j));
  }
  json m = {{"room", info_.room},
            {"id", info_.id},
            {"state", stopped ? "stopped" : "recording"},
            {"started_at", wall_clock_text(started_)},
            {"stopped_at", stopped ? json(wall_clock_text(*stopped)) : json(nullptr)},
            {"started_by", info_.started_by},
            {"stopped_by", stopped_by.empty() ? json(nullptr) : json(stopped_by)},
            {"e2ee", info_.e2ee},
            {"tracks", std::move(tracks)}};
  if (info_.e2ee) {
    m["e2ee_note"] =
        "the room was end-to-end encrypted: the server holds no keys, so these files hold the clients' "
        "ciphertext and do not play";
  }
  return m.dump(2) + "\n";
}

void RoomRecordingFolder::finish(const std::string& stopped_by) {
  if (finished_) return;
  finished_ = true;
  write_manifest(manifest(stopped_by, WallClock::now()));
  writer_.folder_stopped(folder_);  // complete once the writer thread has closed its tracks
}

void RoomRecordingFolder::write_manifest(const std::string& text) const {
  // Small (a few kilobytes) and written at the start, per track and at the
  // stop; whole under another name, then renamed (atomic, POSIX rename(2)),
  // so a reader, or a crash, never leaves half a manifest.
  const auto path = manifest_path();
  const auto partial = folder_ / "manifest.json.partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << text;
    if (!out.flush()) {
      spdlog::error("recording {}: cannot write {}", info_.id, partial.string());
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) spdlog::error("recording {}: cannot write {}: {}", info_.id, path.string(), ec.message());
}

}  // namespace ct::record
