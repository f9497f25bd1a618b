#include "record/TrackRecording.hpp"

#include <array>
#include <chrono>
#include <system_error>

#include "core/Log.hpp"
#include "record/RtpDumpWriter.hpp"
#include "record/RtpWebmWriter.hpp"
#include "rtp/RtcpPacket.hpp"
#include "rtp/RtcpSenderReport.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {

namespace {
size_t ring_slots_for(const TrackRecordingConfig& config) {
  if (config.ring_slots > 0) return config.ring_slots;
  return track_codec_is_video(config.codec) ? TrackRecording::kVideoRingSlots
                                            : TrackRecording::kAudioRingSlots;
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
  return config_.directory / (config_.name + std::string(track_codec_file_extension(config_.codec)));
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

void TrackRecording::push_sender_report(uint64_t ntp_timestamp, uint32_t rtp_timestamp, TimePoint arrival) {
  std::array<uint8_t, rtp::RtcpSenderReport::size(0)> report{};
  const size_t length =
      rtp::RtcpSenderReport::build(report, 0, rtp::RtcpSenderInfo{ntp_timestamp, rtp_timestamp, 0, 0}, {});
  // A full ring loses the report: later ones serve as well.
  if (length > 0) ring_.push(std::span(report.data(), length), arrival.time_since_epoch().count());
}

size_t TrackRecording::drain() {
  if (finished()) return 0;
  if (!opened_) open_files();
  const size_t taken =
      ring_.consume([&](std::span<uint8_t> packet, int64_t arrival_ns) { take_packet(packet, arrival_ns); });
  if (taken > 0) dump_->flush();
  publish_writer_state();
  log_errors();
  return taken;
}

void TrackRecording::take_packet(std::span<uint8_t> packet, int64_t arrival_ns) {
  const auto since_start = TimePoint(Duration(arrival_ns)) - start_;
  auto arrival_us = std::chrono::duration_cast<std::chrono::microseconds>(since_start).count();
  if (arrival_us < 0) arrival_us = 0;
  dump_->append(uint64_t(arrival_us), packet);
  const auto arrival_unix_us = int64_t(start_unix_us_) + arrival_us;
  // RTCP and RTP share the dump, told apart as on a muxed port (RFC 5761 §4).
  if (RtpDumpHeader::is_rtcp(packet)) {
    if (const auto rtcp = rtp::RtcpPacket::parse(packet)) {
      if (const auto report = rtp::RtcpSenderReport::parse(*rtcp)) {
        const auto info = report->sender_info();
        webm_->on_sender_report(info.ntp_timestamp, info.rtp_timestamp, arrival_unix_us);
      }
    }
    return;
  }
  if (const auto rtp = rtp::RtpPacket::parse(packet)) {
    if (!first_media_at_) first_media_at_ = Clock::now();
    webm_->push(*rtp, arrival_unix_us);
  } else {
    ++packets_unparsable_;
  }
}

void TrackRecording::publish_writer_state() {
  if (const auto start = webm_->media_start_unix_us())
    media_start_unix_us_.store(*start, std::memory_order_relaxed);
  if (!webm_->wants_keyframe()) {
    keyframe_requested_ = false;
    return;
  }
  const TimePoint now = Clock::now();
  // The first keyframe the room asks for itself when the recording (or the
  // track) starts; a second request right behind it would only make the
  // encoder send two. Ask only when it has not come a while after the
  // track's packets began, and at once after a dropped frame.
  if (!webm_->webm().started() && (!first_media_at_ || now - *first_media_at_ < kKeyframeRequestInterval))
    return;
  if (keyframe_requested_ && now - last_keyframe_request_ < kKeyframeRequestInterval) return;
  keyframe_requested_ = true;
  last_keyframe_request_ = now;
  keyframe_wanted_.store(true, std::memory_order_relaxed);
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
  } else if (const auto* h264 = webm_->h264_assembler()) {
    stats.frames_incomplete = h264->stats().incomplete_frames + h264->stats().malformed_frames;
  } else if (const auto* reorder = webm_->reorder_buffer()) {
    stats.frames_incomplete = reorder->stats().lost;
  }
  stats.dump_error = dump_->error();
  stats.webm_error = webm_->webm().error();
  return stats;
}

}  // namespace ct::record
