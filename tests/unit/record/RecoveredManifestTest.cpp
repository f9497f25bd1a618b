// recover's manifest: written when the old one is missing, unreadable or
// still says "recording"; it keeps what the old one knew, adds every dump's
// track, ends at the last packet, and is marked recovered. A complete
// manifest is left alone.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "record/RecordingManifest.hpp"
#include "record/RecoveredManifest.hpp"

namespace ct::record {
namespace {

constexpr uint64_t kStartUs = 1796602502125000;  // 2026-12-07T00:15:02.125Z

RecoveredTrack dumped(const std::string& name, const std::string& codec, uint64_t first_ms, uint64_t last_ms,
                      uint64_t frames) {
  RecoveredTrack t;
  t.dump = "/rec/room/R1/" + name + ".rtpdump";
  t.webm = "/rec/room/R1/" + name + ".webm";
  t.codec = codec;
  t.packets = 100;
  t.frames = frames;
  if (!frames) t.error = "no frame a player could start with";
  t.first_packet_us = kStartUs + first_ms * 1000;
  t.last_packet_us = kStartUs + last_ms * 1000;
  return t;
}

TEST(RecoveredManifest, WithoutAManifestOneIsMadeFromTheDumps) {
  const auto r = RecoveredManifest::make(
      std::nullopt, "room", "R1",
      {dumped("alice-TR_a", "opus", 10, 5010, 250), dumped("bob-smith-TR_v", "VP8", 0, 4990, 150),
       dumped("carol-TR_x", "VP8", 3000, 3000, 0)});
  ASSERT_TRUE(r.needed);
  EXPECT_NE(r.reason.find("missing"), std::string::npos);
  const auto parsed = RecordingManifest::parse(r.text);
  ASSERT_TRUE(parsed.manifest) << parsed.error << "\n" << r.text;
  const auto& m = *parsed.manifest;
  EXPECT_TRUE(m.recovered);
  EXPECT_EQ(m.state, "stopped");
  EXPECT_EQ(m.room, "room");
  EXPECT_EQ(m.id, "R1");
  EXPECT_EQ(m.started_at_ms, int64_t(kStartUs / 1000)) << "the first packet of all";
  EXPECT_EQ(m.duration_ms(), 5010) << "stopped at the last packet";
  ASSERT_EQ(m.tracks.size(), 3u);
  EXPECT_EQ(m.tracks[0].participant, "alice");
  EXPECT_EQ(m.tracks[0].sid, "TR_a");
  EXPECT_EQ(m.tracks[0].kind, "audio");
  EXPECT_EQ(m.tracks[0].codec, "opus");
  EXPECT_EQ(m.tracks[0].file, "alice-TR_a.webm");
  EXPECT_EQ(m.tracks[0].rtpdump, "alice-TR_a.rtpdump");
  EXPECT_EQ(m.tracks[0].first_packet_offset_ms, 10);
  EXPECT_EQ(m.tracks[1].participant, "bob-smith") << "a participant's name may hold a dash, a sid does not";
  EXPECT_EQ(m.tracks[1].kind, "video");
  EXPECT_EQ(m.tracks[2].file, "") << "nothing playable: no file";
  EXPECT_TRUE(nlohmann::json::parse(r.text)["e2ee"].is_null()) << "not known without the old manifest";
}

TEST(RecoveredManifest, ARecordingCutShortKeepsWhatItsManifestKnew) {
  const std::string live = R"({"room": "standup", "id": "R1", "state": "recording",
    "started_at": "2026-12-07T00:15:01.125Z", "stopped_at": null, "started_by": "alice", "stopped_by": null,
    "e2ee": true, "tracks": [
      {"participant": "al-ice", "sid": "TR_v", "kind": "video", "source": "camera", "codec": "VP8",
       "file": "al-ice-TR_v.webm", "rtpdump": "al-ice-TR_v.rtpdump", "first_packet_at": null,
       "first_packet_offset_ms": null, "packets": 0, "packets_dropped": 0}]})";
  const auto r =
      RecoveredManifest::make(live, "ignored", "ignored", {dumped("al-ice-TR_v", "VP8", 20, 4000, 120)});
  ASSERT_TRUE(r.needed);
  EXPECT_NE(r.reason.find("never stopped"), std::string::npos);
  const auto j = nlohmann::json::parse(r.text);
  EXPECT_EQ(j["room"], "standup");
  EXPECT_EQ(j["started_by"], "alice");
  EXPECT_EQ(j["e2ee"], true);
  EXPECT_EQ(j["recovered"], true);
  EXPECT_EQ(j["state"], "stopped");
  EXPECT_EQ(j["started_at"], "2026-12-07T00:15:01.125Z") << "the recording's own start stays";
  EXPECT_EQ(j["stopped_at"], "2026-12-07T00:15:06.125Z");
  ASSERT_EQ(j["tracks"].size(), 1u) << "the dump completes its entry, adds none";
  EXPECT_EQ(j["tracks"][0]["source"], "camera");
  EXPECT_EQ(j["tracks"][0]["packets"], 100);
  EXPECT_EQ(j["tracks"][0]["first_packet_offset_ms"], 1020);
}

TEST(RecoveredManifest, AGarbledManifestIsReplaced) {
  const auto r = RecoveredManifest::make(std::string("{\"room\": \"sta"), "room", "R1",
                                         {dumped("alice-TR_a", "opus", 0, 1000, 50)});
  ASSERT_TRUE(r.needed);
  const auto parsed = RecordingManifest::parse(r.text);
  ASSERT_TRUE(parsed.manifest) << parsed.error;
  EXPECT_EQ(parsed.manifest->tracks.size(), 1u);
}

TEST(RecoveredManifest, ACompleteManifestIsLeftAlone) {
  const auto r = RecoveredManifest::make(
      std::string(
          R"({"state": "stopped", "started_at": "2026-12-07T00:15:02Z", "stopped_at": "2026-12-07T00:15:09Z", "tracks": []})"),
      "room", "R1", {dumped("alice-TR_a", "opus", 0, 1000, 50)});
  EXPECT_FALSE(r.needed);
  EXPECT_TRUE(r.text.empty());
}

}  // namespace
}  // namespace ct::record
