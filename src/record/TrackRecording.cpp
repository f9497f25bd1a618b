#include "record/TrackRecording.hpp"

#include <chrono>
#include <system_error>

#include "core/Log.hpp"
#include "record/RtpDumpWriter.hpp"
#include "record/RtpWebmWriter.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {

namespace {
size_t ring_slots_for(const TrackRecordingConfig& config) {
  if (config.ring_slots > 0) return config.ring_slots;
  return config.codec == TrackCodec::Vp8 ? TrackRecording::kVideoRingSlots : TrackRecording::kAudioRingSlots;
}
}  // namespace

TrackRecording::TrackRecording(TrackRecordingConfig config)
    : config_(std::move(config)),
      ring_(ring_slots_for(config_), config_.max_packet_bytes),
      start_(Clock::now()),
      start_unix_us_(uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count())) {}

TrackRecording::~TrackRecording() = default;

std::filesystem::path TrackRecording::dump_path() const {
  return config_.directory / (config_.name + ".rtpdump");
}
std::filesystem::path TrackRecording::webm_path() const {
  return config_.directory / (config_.name + ".webm");
}

void TrackRecording::open_files() {
  opened_ = true;
  std::error_code ec;
  std::filesystem::create_directories(config_.directory, ec);  // an error shows when the files open
  RtpDumpHeader header;
  header.clock_rate = track_codec_clock_rate(config_.codec);
  header.payload_type = config_.payload_type;
  header.channels = config_.codec == TrackCodec::Opus ? config_.channels : 0;
  header.codec = std::string(track_codec_name(config_.codec));
  header.start_time_us = start_unix_us_;
  dump_ = std::make_unique<RtpDumpWriter>(dump_path().string(), header);
  webm_ = std::make_unique<RtpWebmWriter>(
      webm_path().string(), WebmTrackWriter::Format{config_.codec, config_.channels}, config_.payload_type);
}

size_t TrackRecording::drain() {
  if (finished()) return 0;
  if (!opened_) open_files();
  const size_t taken = ring_.consume([&](std::span<uint8_t> packet, int64_t arrival_ns) {
    const auto since_start = TimePoint(Duration(arrival_ns)) - start_;
    const auto arrival_us = std::chrono::duration_cast<std::chrono::microseconds>(since_start).count();
    dump_->append(uint64_t(arrival_us > 0 ? arrival_us : 0), packet);
    if (const auto rtp = rtp::RtpPacket::parse(packet)) {
      webm_->push(*rtp);
    } else {
      ++packets_unparsable_;
    }
  });
  if (taken > 0) dump_->flush();
  log_errors();
  return taken;
}

void TrackRecording::finish() {
  if (finished()) return;
  drain();
  webm_->finish();
  dump_->close();
  const WriterStats stats = writer_stats();
  spdlog::info("recording: {} closed: {} packets dumped, {} frames written, {} incomplete, {} dropped",
               config_.name, stats.packets_dumped, stats.frames_written, stats.frames_incomplete,
               packets_dropped());
  log_errors();
  finished_.store(true, std::memory_order_release);
}

// Each writer stops at its first error: one line for each is enough.
void TrackRecording::log_errors() {
  if (!dump_error_logged_ && !dump_->error().empty()) {
    dump_error_logged_ = true;
    spdlog::error("recording: {}", dump_->error());
  }
  if (!webm_error_logged_ && !webm_->webm().error().empty()) {
    webm_error_logged_ = true;
    spdlog::error("recording: {}", webm_->webm().error());
  }
}

TrackRecording::WriterStats TrackRecording::writer_stats() const {
  WriterStats stats;
  if (!opened_) return stats;
  stats.packets_dumped = dump_->packets_written();
  stats.packets_unparsable = packets_unparsable_;
  stats.frames_written = webm_->webm().stats().frames_written;
  if (const auto* assembler = webm_->assembler()) {
    stats.frames_incomplete = assembler->stats().incomplete_frames;
  } else if (const auto* reorder = webm_->reorder_buffer()) {
    stats.frames_incomplete = reorder->stats().lost;
  }
  stats.dump_error = dump_->error();
  stats.webm_error = webm_->webm().error();
  return stats;
}

}  // namespace ct::record
