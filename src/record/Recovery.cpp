#include "record/Recovery.hpp"

#include <algorithm>
#include <system_error>

#include "record/MappedFile.hpp"
#include "record/RtpDumpReader.hpp"
#include "record/RtpWebmWriter.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {

namespace {

RecoveredTrack recover_track(const std::filesystem::path& dump_path) {
  RecoveredTrack track;
  track.dump = dump_path;
  track.webm = std::filesystem::path(dump_path).replace_extension(".webm");
  const MappedFile file(dump_path.string());
  if (!file.is_open()) {
    track.error = file.error();
    return track;
  }
  auto reader = RtpDumpReader::open(file.bytes());
  if (!reader) {
    track.error = dump_path.string() + ": not a raw RTP dump";
    return track;
  }
  const RtpDumpHeader& header = reader->header();
  track.codec = header.codec;
  const auto codec = track_codec_from_name(header.codec);
  if (!codec) {
    track.error = dump_path.string() + ": codec '" + header.codec + "' cannot be written to WebM";
    return track;
  }
  // Written beside the old file, then renamed over it: a failed recovery
  // leaves what was there.
  const std::filesystem::path partial = std::filesystem::path(track.webm).concat(".partial");
  RtpWebmWriter writer(partial.string(),
                       WebmTrackWriter::Format{*codec, header.channels ? header.channels : uint8_t(2)},
                       header.payload_type);
  std::vector<uint8_t> packet_bytes;  // RtpPacket is a view over a writable buffer
  packet_bytes.reserve(RtpDumpHeader::kMaxPacketSize);
  while (const auto record = reader->next()) {
    ++track.packets;
    const uint64_t arrival = header.start_time_us + record->arrival_us;
    if (!track.first_packet_us) track.first_packet_us = arrival;
    track.last_packet_us = arrival;
    packet_bytes.assign(record->packet.begin(), record->packet.end());
    if (const auto packet = rtp::RtpPacket::parse(packet_bytes)) writer.push(*packet);
  }
  track.truncated = reader->truncated();
  track.corrupt = reader->corrupt();
  const bool ok = writer.finish();
  track.frames = writer.webm().stats().frames_written;
  std::error_code ec;
  if (!ok) {
    track.error = writer.webm().error();
    std::filesystem::remove(partial, ec);
  } else if (track.frames == 0) {
    track.error = dump_path.string() + ": no frame a player could start with";
  } else {
    std::filesystem::rename(partial, track.webm, ec);
    if (ec) track.error = track.webm.string() + ": " + ec.message();
  }
  return track;
}

}  // namespace

std::vector<RecoveredTrack> recover(const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> dumps;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".rtpdump") dumps.push_back(entry.path());
  }
  std::sort(dumps.begin(), dumps.end());
  std::vector<RecoveredTrack> tracks;
  for (const auto& dump : dumps) tracks.push_back(recover_track(dump));
  return tracks;
}

}  // namespace ct::record
