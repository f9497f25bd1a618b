#pragma once
// Reads a recording's manifest.json (docs/recording.md) for the tools that
// work on a recording folder: `ciphertalk compose` and `ciphertalk recover`.
// The file is input from disk, possibly written by another version or cut
// short: every field is checked for its type, and a track's file names must
// be plain names inside the folder (no '/', no leading '.'), since they are
// handed to FFmpeg, which would read "../x" or "http://…" as well.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ct::record {

struct RecordingManifest {
  struct Track {
    std::string participant, sid, kind, source, codec;
    std::string file;     // the media file; empty when there is none
    std::string rtpdump;  // empty when there is none
    std::optional<int64_t> first_packet_offset_ms;
    std::optional<int64_t> start_offset_ms;
    uint64_t packets = 0;

    // Where time zero of the media file sits on the recording's timeline, in
    // ms after started_at: start_offset_ms when present, else the arrival of
    // the first packet.
    std::optional<int64_t> offset_ms() const {
      return start_offset_ms ? start_offset_ms : first_packet_offset_ms;
    }
    bool is_video() const { return kind == "video"; }
    bool is_audio() const { return kind == "audio"; }
  };

  std::string room, id;
  std::string state;          // "recording", "stopped"; empty in manifests from before the field
  int64_t started_at_ms = 0;  // Unix time
  std::optional<int64_t> stopped_at_ms;
  bool e2ee = false;
  bool recovered = false;
  std::vector<Track> tracks;

  // stopped_at - started_at; nullopt while the recording never stopped.
  std::optional<int64_t> duration_ms() const;

  struct Parsed;
  static Parsed parse(std::string_view text);
};

struct RecordingManifest::Parsed {
  std::optional<RecordingManifest> manifest;
  std::string error;  // why not, when manifest is empty
};

// "2026-12-07T00:15:02.125Z" (RFC 3339 in UTC, as the manifest writes it;
// fractions of any length, or none; years 1970 to 9999) to Unix milliseconds.
std::optional<int64_t> parse_utc_time_ms(std::string_view text);
// The other way: always with milliseconds; times before 1970 or after 9999
// are written as the nearest it can read.
std::string utc_time_text(int64_t unix_ms);

}  // namespace ct::record
