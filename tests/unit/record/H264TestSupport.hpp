#pragma once
// Test support for H.264: real access units made by FFmpeg's libx264
// (Annex B, one slice per frame, no B-frames, as WebRTC's encoders send),
// split into NAL units, and an RFC 6184 mode 1 packetizer that sends them
// as Chromium does: SPS and PPS together in an STAP-A, small NAL units
// alone, large ones in FU-A fragments, the marker on an access unit's last
// packet.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "RecordTestSupport.hpp"

namespace ct::record::test {

using NalUnit = std::vector<uint8_t>;

struct H264AccessUnit {
  uint32_t rtp_timestamp = 0;
  bool keyframe = false;
  std::vector<NalUnit> nal_units;
  // As the assembler hands it out: each NAL unit behind 00 00 00 01.
  std::vector<uint8_t> annex_b() const {
    std::vector<uint8_t> out;
    for (const NalUnit& nal : nal_units) {
      out.insert(out.end(), {0, 0, 0, 1});
      out.insert(out.end(), nal.begin(), nal.end());
    }
    return out;
  }
};

// The NAL units of an Annex B byte stream (start codes of 3 or 4 bytes).
inline std::vector<NalUnit> split_annex_b(std::span<const uint8_t> stream) {
  std::vector<size_t> starts;  // first byte after each start code
  for (size_t i = 0; i + 3 <= stream.size(); ++i) {
    if (stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1) {
      starts.push_back(i + 3);
      i += 2;
    }
  }
  std::vector<NalUnit> nal_units;
  for (size_t k = 0; k < starts.size(); ++k) {
    size_t end = k + 1 < starts.size() ? starts[k + 1] - 3 : stream.size();
    while (end > starts[k] && stream[end - 1] == 0) --end;  // a 4-byte start code's zero_byte
    nal_units.emplace_back(stream.begin() + starts[k], stream.begin() + end);
  }
  return nal_units;
}

inline uint8_t nal_type(const NalUnit& nal) { return nal[0] & 0x1F; }

struct H264Source {
  std::vector<H264AccessUnit> access_units;
  std::vector<std::string> md5;  // each decoded frame's
  std::string path;              // the Annex B file
};

// `frames` frames of FFmpeg's test pattern at `size`, 30 fps, by libx264
// (baseline: no B-frames), a keyframe every `keyint` frames.
inline H264Source encode_h264(const TempDir& dir, int frames, int keyint, uint32_t first_timestamp,
                              const std::string& size = "320x240") {
  H264Source source;
  source.path = dir.file("source.h264");
  const CommandResult result = run(
      "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=" + size + ":rate=30 -frames:v " +
          std::to_string(frames) +
          " -c:v libx264 -profile:v baseline -pix_fmt yuv420p -x264-params keyint=" + std::to_string(keyint) +
          ":min-keyint=" + std::to_string(keyint) + ":scenecut=0:slices=1 -f h264 " + source.path,
      dir.file("encode.err"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  // An access unit: the parameter sets and SEI in front, then its one slice.
  H264AccessUnit unit;
  uint32_t timestamp = first_timestamp;
  for (NalUnit& nal : split_annex_b(read_file(source.path))) {
    const uint8_t type = nal_type(nal);
    unit.keyframe |= type == 5;
    unit.nal_units.push_back(std::move(nal));
    if (type == 1 || type == 5) {
      unit.rtp_timestamp = timestamp;
      timestamp += 3000;
      source.access_units.push_back(std::move(unit));
      unit = H264AccessUnit{};
    }
  }
  EXPECT_EQ(source.access_units.size(), size_t(frames));
  const CommandResult md5 =
      run("ffmpeg -nostdin -v error -i " + source.path + " -fps_mode passthrough -f framemd5 -",
          dir.file("md5.err"));
  source.md5 = parse_framemd5(md5.out);
  return source;
}

struct H264RtpPacket {
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;
  bool marker = false;
  std::vector<uint8_t> payload;
};

// RFC 6184 mode 1 as Chromium sends it; payloads up to `max_payload` bytes.
inline std::vector<H264RtpPacket> packetize_h264(const std::vector<H264AccessUnit>& units,
                                                 uint16_t first_sequence_number, size_t max_payload = 300) {
  std::vector<H264RtpPacket> packets;
  uint16_t sequence = first_sequence_number;
  auto add = [&](uint32_t timestamp, std::vector<uint8_t> payload) {
    packets.push_back({sequence++, timestamp, false, std::move(payload)});
  };
  for (const H264AccessUnit& unit : units) {
    std::vector<uint8_t> stap = {0x78};  // §5.7.1: NRI 3, type 24
    for (const NalUnit& nal : unit.nal_units) {
      const uint8_t type = nal_type(nal);
      if (type == 7 || type == 8) {  // SPS and PPS go together
        stap.push_back(uint8_t(nal.size() >> 8));
        stap.push_back(uint8_t(nal.size()));
        stap.insert(stap.end(), nal.begin(), nal.end());
        continue;
      }
      if (stap.size() > 1) add(unit.rtp_timestamp, std::exchange(stap, std::vector<uint8_t>{0x78}));
      if (nal.size() <= max_payload) {
        add(unit.rtp_timestamp, nal);
        continue;
      }
      // §5.8: FU indicator (F and NRI of the NAL unit, type 28), FU header (S, E, type).
      const size_t chunk = max_payload - 2;
      for (size_t at = 1; at < nal.size(); at += chunk) {
        const size_t n = std::min(chunk, nal.size() - at);
        std::vector<uint8_t> fu = {
            uint8_t((nal[0] & 0xE0) | 28),
            uint8_t((at == 1 ? 0x80 : 0) | (at + n == nal.size() ? 0x40 : 0) | nal_type(nal))};
        fu.insert(fu.end(), nal.begin() + long(at), nal.begin() + long(at + n));
        add(unit.rtp_timestamp, std::move(fu));
      }
    }
    if (stap.size() > 1) add(unit.rtp_timestamp, std::move(stap));
    packets.back().marker = true;
  }
  return packets;
}

}  // namespace ct::record::test
