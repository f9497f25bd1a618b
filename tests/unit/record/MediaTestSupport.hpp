#pragma once
// Test support for the recording tests: real media made by FFmpeg (VP8 by
// libvpx, Opus by libopus in Ogg), RTP packets carrying it, and what
// ffprobe and ffmpeg say about a file.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "RecordTestSupport.hpp"
#include "Vp8Packetizer.hpp"
#include "record/IvfReader.hpp"
#include "record/LittleEndian.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/PacketTap.hpp"

namespace ct::record::test {

struct MediaFrame {
  uint32_t rtp_timestamp = 0;
  bool keyframe = false;
  std::vector<uint8_t> data;
};

struct Vp8Source {
  std::vector<MediaFrame> frames;
  std::vector<std::string> md5;  // each decoded frame's, as ffmpeg -f framemd5 gives them
};

// Hands one packet to a tap as the SFU does: a parsed view over a buffer.
inline void send(sfu::PacketTap& tap, std::vector<uint8_t> bytes) {
  const auto packet = rtp::RtpPacket::parse(bytes);
  ASSERT_TRUE(packet);
  tap.on_packet(*packet);
}

// Decoded frames' MD5s in order; decoder complaints go to `errors`.
inline std::vector<std::string> frame_md5(const TempDir& dir, const std::string& path, std::string* errors) {
  const CommandResult result = run(
      "ffmpeg -nostdin -v error -i " + path + " -fps_mode passthrough -f framemd5 -", dir.file("md5.err"));
  if (errors)
    *errors = result.err + (result.exit_code == 0 ? "" : "exit code " + std::to_string(result.exit_code));
  return parse_framemd5(result.out);
}

// `frames` frames of FFmpeg's test pattern at 320x240, 30 fps, by libvpx;
// RTP timestamps start at `first_timestamp` on the 90 kHz clock.
inline Vp8Source encode_vp8(const TempDir& dir, int frames, const std::string& options,
                            uint32_t first_timestamp) {
  const std::string path = dir.file("source.ivf");
  const CommandResult result =
      run("ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=320x240:rate=30 -frames:v " +
              std::to_string(frames) + " " + options + " -c:v libvpx -f ivf " + path,
          dir.file("encode.err"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const std::vector<uint8_t> bytes = read_file(path);
  auto reader = IvfReader::open(bytes);
  EXPECT_TRUE(reader);
  Vp8Source source;
  if (!reader) return source;
  const IvfFileHeader& header = reader->header();
  while (auto frame = reader->next()) {
    const uint64_t ticks = frame->timestamp * 90000 * header.timebase_numerator / header.timebase_denominator;
    source.frames.push_back({uint32_t(first_timestamp + ticks),
                             frame->data.size() > 0 && (frame->data[0] & 1) == 0,
                             std::vector<uint8_t>(frame->data.begin(), frame->data.end())});
  }
  EXPECT_EQ(source.frames.size(), size_t(frames));
  std::string errors;
  source.md5 = frame_md5(dir, path, &errors);
  EXPECT_EQ(errors, "");
  return source;
}

// The packets of an Ogg stream (RFC 3533): pages "OggS", their segment
// tables, packets that span pages joined. Enough for one logical stream.
inline std::vector<std::vector<uint8_t>> ogg_packets(std::span<const uint8_t> file) {
  std::vector<std::vector<uint8_t>> packets;
  std::vector<uint8_t> packet;
  size_t at = 0;
  while (at + 27 <= file.size() && std::equal(file.begin() + at, file.begin() + at + 4, "OggS")) {
    const size_t segments = file[at + 26];
    if (at + 27 + segments > file.size()) break;
    size_t data = at + 27 + segments;
    for (size_t i = 0; i < segments; ++i) {
      const size_t lacing = file[at + 27 + i];
      if (data + lacing > file.size()) return packets;
      packet.insert(packet.end(), file.begin() + data, file.begin() + data + lacing);
      data += lacing;
      if (lacing < 255) packets.push_back(std::move(packet)), packet.clear();
    }
    at = data;
  }
  return packets;
}

// `seconds` of a 440 Hz sine by libopus, 20 ms packets, as RTP would carry
// them: OpusHead and OpusTags left out, timestamps 960 apart from `first_timestamp`.
inline std::vector<MediaFrame> encode_opus(const TempDir& dir, double seconds, uint32_t first_timestamp) {
  const std::string path = dir.file("source.ogg");
  const CommandResult result =
      run("ffmpeg -nostdin -v error -y -f lavfi -i sine=frequency=440:sample_rate=48000:duration=" +
              std::to_string(seconds) + " -c:a libopus -b:a 32k -ac 1 -f ogg " + path,
          dir.file("encode.err"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  const auto packets = ogg_packets(read_file(path));
  std::vector<MediaFrame> frames;
  for (size_t i = 2; i < packets.size(); ++i) {
    frames.push_back({uint32_t(first_timestamp + (i - 2) * 960), true, packets[i]});
  }
  return frames;
}

// One RTP packet (RFC 3550 §5.1): no CSRC, no extension.
inline std::vector<uint8_t> rtp_packet(uint8_t payload_type, uint16_t sequence_number, uint32_t timestamp,
                                       bool marker, std::span<const uint8_t> payload,
                                       uint32_t ssrc = 0x11223344) {
  std::vector<uint8_t> packet = {0x80,
                                 uint8_t((marker ? 0x80 : 0) | payload_type),
                                 uint8_t(sequence_number >> 8),
                                 uint8_t(sequence_number),
                                 uint8_t(timestamp >> 24),
                                 uint8_t(timestamp >> 16),
                                 uint8_t(timestamp >> 8),
                                 uint8_t(timestamp),
                                 uint8_t(ssrc >> 24),
                                 uint8_t(ssrc >> 16),
                                 uint8_t(ssrc >> 8),
                                 uint8_t(ssrc)};
  packet.insert(packet.end(), payload.begin(), payload.end());
  return packet;
}

// VP8 frames as RTP packets: payload type 96, small packets so most frames
// span several, sequence numbers that wrap.
inline std::vector<std::vector<uint8_t>> vp8_rtp_packets(const std::vector<MediaFrame>& frames,
                                                         uint16_t first_sequence_number = 65500) {
  Vp8Packetizer packetizer(first_sequence_number, 200);
  std::vector<std::vector<uint8_t>> packets;
  for (const MediaFrame& frame : frames) {
    for (const auto& p : packetizer.packetize(frame.rtp_timestamp, frame.data)) {
      packets.push_back(rtp_packet(96, p.sequence_number, p.timestamp, p.marker, p.payload));
    }
  }
  return packets;
}

// Opus packets as RTP packets: payload type 111, one packet each.
inline std::vector<std::vector<uint8_t>> opus_rtp_packets(const std::vector<MediaFrame>& frames,
                                                          uint16_t first_sequence_number = 65530) {
  std::vector<std::vector<uint8_t>> packets;
  uint16_t sequence_number = first_sequence_number;
  for (const MediaFrame& frame : frames) {
    packets.push_back(rtp_packet(111, sequence_number++, frame.rtp_timestamp, false, frame.data));
  }
  return packets;
}

struct Probe {
  std::string streams;  // "codec_name,codec_type,width,height,channels,nb_read_packets" per stream
  double duration = -1;
  std::string errors;
};

inline Probe probe(const TempDir& dir, const std::string& path) {
  Probe result;
  const CommandResult streams =
      run("ffprobe -v error -count_packets -show_entries "
          "stream=codec_name,codec_type,width,height,channels,nb_read_packets -of csv=p=0 " +
              path,
          dir.file("probe.err"));
  result.streams = streams.out;
  result.errors = streams.err;
  const CommandResult format =
      run("ffprobe -v error -show_entries format=duration -of csv=p=0 " + path, dir.file("probe.err"));
  result.errors += format.err;
  if (format.exit_code == 0 && !format.out.empty()) result.duration = std::stod(format.out);
  return result;
}

// What `ffmpeg -v error -i path -f null -` prints: nothing for a clean file.
inline std::string decode_errors(const TempDir& dir, const std::string& path) {
  const CommandResult result =
      run("ffmpeg -nostdin -v error -i " + path + " -f null -", dir.file("decode.err"));
  return result.err + (result.exit_code == 0 ? "" : "exit code " + std::to_string(result.exit_code));
}

}  // namespace ct::record::test
