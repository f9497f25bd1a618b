// Reading manifest.json for compose and recover: what the server writes
// reads back; anything else (truncated, garbage, wrong types, file names
// that leave the folder) is refused with a reason, never a crash.
#include <gtest/gtest.h>

#include <string>

#include "record/RecordingManifest.hpp"

namespace ct::record {
namespace {

const std::string kManifest = R"({
  "room": "standup", "id": "20261207T001502Z-a1B2c3", "state": "stopped",
  "started_at": "2026-12-07T00:15:02.125Z", "stopped_at": "2026-12-07T00:15:12.625Z",
  "started_by": "alice", "stopped_by": null, "e2ee": false,
  "tracks": [
    {"participant": "bob", "sid": "TR_x1", "kind": "audio", "source": "microphone", "codec": "opus",
     "file": "bob-TR_x1.webm", "rtpdump": "bob-TR_x1.rtpdump",
     "first_packet_at": "2026-12-07T00:15:02.140Z", "first_packet_offset_ms": 15, "packets": 512, "packets_dropped": 0},
    {"participant": "bob", "sid": "TR_x2", "kind": "video", "source": "camera", "codec": "VP8",
     "file": "bob-TR_x2.webm", "rtpdump": "bob-TR_x2.rtpdump",
     "first_packet_offset_ms": 40, "start_offset_ms": 22, "packets": 900},
    {"participant": "carol", "sid": "TR_y", "kind": "video", "source": "camera", "codec": "VP8",
     "file": "carol-TR_y.webm", "first_packet_at": null, "first_packet_offset_ms": null, "packets": 0}
  ]
})";

TEST(RecordingManifest, ReadsWhatTheServerWrites) {
  const auto parsed = RecordingManifest::parse(kManifest);
  ASSERT_TRUE(parsed.manifest) << parsed.error;
  const auto& m = *parsed.manifest;
  EXPECT_EQ(m.room, "standup");
  EXPECT_EQ(m.state, "stopped");
  EXPECT_FALSE(m.e2ee);
  EXPECT_FALSE(m.recovered);
  EXPECT_EQ(m.duration_ms(), 10500);
  ASSERT_EQ(m.tracks.size(), 3u);
  EXPECT_EQ(m.tracks[0].file, "bob-TR_x1.webm");
  EXPECT_TRUE(m.tracks[0].is_audio());
  EXPECT_EQ(m.tracks[0].packets, 512u);
  EXPECT_EQ(m.tracks[0].offset_ms(), 15) << "no start_offset_ms: the first packet's arrival";
  EXPECT_EQ(m.tracks[1].offset_ms(), 22) << "start_offset_ms wins over the arrival";
  EXPECT_FALSE(m.tracks[2].offset_ms()) << "no packet: no offset";
}

TEST(RecordingManifest, AManifestStillRecordingHasNoDuration) {
  const auto parsed = RecordingManifest::parse(
      R"({"state": "recording", "started_at": "2026-12-07T00:15:02Z", "stopped_at": null, "tracks": []})");
  ASSERT_TRUE(parsed.manifest) << parsed.error;
  EXPECT_EQ(parsed.manifest->state, "recording");
  EXPECT_FALSE(parsed.manifest->duration_ms());
}

TEST(RecordingManifest, EveryTruncationIsRefusedWithAReason) {
  for (size_t n = 0; n < kManifest.size() - 1; ++n) {
    const auto parsed = RecordingManifest::parse(std::string_view(kManifest).substr(0, n));
    // Cut anywhere, the JSON is incomplete: no manifest, and a reason.
    ASSERT_FALSE(parsed.manifest) << "accepted the first " << n << " bytes";
    EXPECT_NE(parsed.error.find("manifest.json"), std::string::npos);
  }
}

TEST(RecordingManifest, GarbageAndWrongTypesAreRefused) {
  const char* bad[] = {
      "",
      "\xff\xfe garbage",
      "[1, 2, 3]",
      "null",
      R"({"started_at": "2026-12-07T00:15:02Z"})",                // no tracks
      R"({"started_at": "yesterday", "tracks": []})",             // no time
      R"({"started_at": 12, "tracks": []})",                      // not a string
      R"({"started_at": "2026-13-07T00:15:02Z", "tracks": []})",  // month 13
      R"({"started_at": "2026-12-07T00:15:02Z", "stopped_at": "2026-12-07T00:15:01Z", "tracks": []})",
      R"({"started_at": "2026-12-07T00:15:02Z", "state": "paused", "tracks": []})",
      R"({"started_at": "2026-12-07T00:15:02Z", "e2ee": "no", "tracks": []})",
      R"({"started_at": "2026-12-07T00:15:02Z", "tracks": {}})",
      R"({"started_at": "2026-12-07T00:15:02Z", "tracks": [7]})",
      R"({"started_at": "2026-12-07T00:15:02Z", "tracks": [{"kind": "smell"}]})",
      R"({"started_at": "2026-12-07T00:15:02Z", "tracks": [{"kind": "audio", "participant": 3}]})",
      R"({"started_at": "2026-12-07T00:15:02Z", "tracks": [{"kind": "audio", "first_packet_offset_ms": "15"}]})",
  };
  for (const char* text : bad) {
    const auto parsed = RecordingManifest::parse(text);
    EXPECT_FALSE(parsed.manifest) << text;
    EXPECT_FALSE(parsed.error.empty()) << text;
  }
}

// The names go to FFmpeg, which would read a path outside the folder, or
// another protocol, as readily as a file.
TEST(RecordingManifest, FileNamesThatLeaveTheFolderAreRefused) {
  for (const char* name : {"../../etc/passwd", "/etc/passwd", "sub/x.webm", ".hidden", ".."}) {
    const std::string text =
        std::string(R"({"started_at": "2026-12-07T00:15:02Z", "tracks": [{"kind": "video", "file": ")") +
        name + R"("}]})";
    const auto parsed = RecordingManifest::parse(text);
    EXPECT_FALSE(parsed.manifest) << name;
    EXPECT_NE(parsed.error.find("plain file name"), std::string::npos) << parsed.error;
  }
  const auto rtpdump = RecordingManifest::parse(
      R"({"started_at": "2026-12-07T00:15:02Z", "tracks": [{"kind": "video", "rtpdump": "../x.rtpdump"}]})");
  EXPECT_FALSE(rtpdump.manifest);
}

TEST(RecordingManifest, UtcTimesReadAndWriteBack) {
  EXPECT_EQ(parse_utc_time_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_utc_time_ms("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(parse_utc_time_ms("2026-12-07T00:15:02.125Z"), 1796602502125);
  EXPECT_EQ(parse_utc_time_ms("2000-02-29T12:00:00.000123Z"), 951825600000);
  EXPECT_EQ(utc_time_text(1796602502125), "2026-12-07T00:15:02.125Z");
  EXPECT_EQ(utc_time_text(0), "1970-01-01T00:00:00.000Z");
  // What it writes always reads back, however far off the time.
  EXPECT_EQ(utc_time_text(-5), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(utc_time_text(INT64_MAX), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(parse_utc_time_ms("9999-12-31T23:59:59.999Z"), 253402300799999);
  for (const char* bad :
       {"", "2026-12-07", "2026-12-07T00:15:02", "2026-12-07T00:15:02.Z", "2026-12-07T00:15:02+01:00",
        "2026-12-07T24:00:00Z", "0226-12-07T00:15:02Z", "2026-12-07T00:15:02.125Zjunk", "20261207T001502Z"}) {
    EXPECT_FALSE(parse_utc_time_ms(bad)) << bad;
  }
}

}  // namespace
}  // namespace ct::record
