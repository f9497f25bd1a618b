// The composite's plan: a slot per participant's video source in order of
// appearance, tiles that share the canvas without overlapping, each track
// at its offset, audio of every track mixed at full level, and the tracks
// that cannot be used left out with a reason.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "record/CompositeLayout.hpp"

namespace ct::record {
namespace {

RecordingManifest::Track track(std::string participant, std::string kind, std::optional<int64_t> offset,
                               std::string file = "") {
  RecordingManifest::Track t;
  t.participant = participant;
  t.sid = "TR_" + participant + kind;
  t.kind = kind;
  t.source = kind == "video" ? "camera" : "microphone";
  t.codec = kind == "video" ? "VP8" : "opus";
  t.file = file.empty() ? participant + "-" + t.sid + ".webm" : file;
  t.first_packet_offset_ms = offset;
  return t;
}

RecordingManifest manifest(std::vector<RecordingManifest::Track> tracks, int64_t duration_ms = 10000) {
  RecordingManifest m;
  m.started_at_ms = 1796602502125;
  m.stopped_at_ms = m.started_at_ms + duration_ms;
  m.state = "stopped";
  m.tracks = std::move(tracks);
  return m;
}

CompositeOptions options() {
  CompositeOptions o;
  o.folder = "/rec/room/R1";
  o.output = "/out/composite.mp4";
  o.width = 1280;
  o.height = 720;
  return o;
}

const auto kAllFiles = [](const std::string&) { return true; };

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// No two tiles overlap and every tile lies on the canvas.
void expect_tiles_fit(const CompositeLayout& layout, const CompositeOptions& o) {
  for (size_t i = 0; i < layout.tiles.size(); ++i) {
    const auto& a = layout.tiles[i];
    EXPECT_GE(a.x, 0);
    EXPECT_GE(a.y, 0);
    EXPECT_LE(a.x + a.width, o.width);
    EXPECT_LE(a.y + a.height, o.height);
    EXPECT_EQ(a.width % 2, 0);
    EXPECT_EQ(a.height % 2, 0);
    for (size_t j = i + 1; j < layout.tiles.size(); ++j) {
      const auto& b = layout.tiles[j];
      const bool apart =
          a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      EXPECT_TRUE(apart) << "tiles " << i << " and " << j << " overlap";
    }
  }
}

TEST(CompositeLayout, ThreePeopleGetThreeTilesInATwoByTwoGridWithTheLastRowCentred) {
  const auto o = options();
  const auto layout = CompositeLayout::make(
      manifest({track("carol", "video", 900), track("alice", "video", 20), track("bob", "video", 400),
                track("alice", "audio", 10), track("bob", "audio", 380), track("carol", "audio", 880)}),
      o, kAllFiles);
  ASSERT_TRUE(layout.error.empty()) << layout.error;
  ASSERT_EQ(layout.tiles.size(), 3u);
  EXPECT_EQ(layout.columns, 2);
  EXPECT_EQ(layout.rows, 2);
  // Slots in order of appearance.
  EXPECT_EQ(layout.tiles[0].participant, "alice");
  EXPECT_EQ(layout.tiles[1].participant, "bob");
  EXPECT_EQ(layout.tiles[2].participant, "carol");
  EXPECT_EQ(layout.tiles[0].width, 640);
  EXPECT_EQ(layout.tiles[0].height, 360);
  EXPECT_EQ(layout.tiles[0].x, 0);
  EXPECT_EQ(layout.tiles[1].x, 640);
  EXPECT_EQ(layout.tiles[2].x, 320) << "the odd tile is centred";
  EXPECT_EQ(layout.tiles[2].y, 360);
  expect_tiles_fit(layout, o);
  EXPECT_EQ(layout.inputs.size(), 6u);
  EXPECT_EQ(layout.duration_ms, 10000);
}

TEST(CompositeLayout, EachTrackStartsAtItsOffsetAndAudioIsMixedAtFullLevel) {
  auto video = track("alice", "video", 1250);
  video.start_offset_ms = 1234;  // from the sender reports: wins over arrival
  const auto layout = CompositeLayout::make(
      manifest({video, track("alice", "audio", 40), track("bob", "audio", 2500)}), options(), kAllFiles);
  ASSERT_TRUE(layout.error.empty()) << layout.error;
  const auto& g = layout.filter_graph;
  EXPECT_TRUE(contains(g, "color=c=0x202020:s=1280x720:r=25:d=10.000")) << g;
  // Inputs in order of their start: audio at 40 ms, video at 1234, audio at 2500.
  EXPECT_TRUE(contains(g, "[0:a]aresample=async=1,adelay=delays=40:all=1[a0]")) << g;
  EXPECT_TRUE(contains(g, "[1:v]setpts=PTS+1.234/TB")) << g;
  EXPECT_TRUE(contains(g, "[2:a]aresample=async=1,adelay=delays=2500:all=1[a2]")) << g;
  EXPECT_TRUE(contains(g, "overlay=x=0:y=0:eof_action=pass")) << "the tile leaves when its video ends: " << g;
  EXPECT_TRUE(contains(g, "[a0][a2]amix=inputs=2:duration=longest:dropout_transition=0:normalize=0")) << g;
  const auto& args = layout.ffmpeg_arguments;
  const auto t = std::find(args.begin(), args.end(), "-t");
  ASSERT_NE(t, args.end());
  EXPECT_EQ(*(t + 1), "10.000") << "the composite lasts as long as the recording";
  EXPECT_EQ(args.back(), "file:/out/composite.mp4");
  EXPECT_NE(std::find(args.begin(), args.end(), "file:/rec/room/R1/alice-TR_alicevideo.webm"), args.end());
  EXPECT_NE(std::find(args.begin(), args.end(), "[aout]"), args.end());
  EXPECT_NE(std::find(args.begin(), args.end(), "libx264"), args.end());
}

TEST(CompositeLayout, AudioOnlyRecordingsGiveTheBackgroundAndTheMix) {
  const auto layout = CompositeLayout::make(
      manifest({track("alice", "audio", 0), track("bob", "audio", 100)}), options(), kAllFiles);
  ASSERT_TRUE(layout.error.empty()) << layout.error;
  EXPECT_TRUE(layout.tiles.empty());
  EXPECT_TRUE(contains(layout.filter_graph, "[bg]null[vout]")) << layout.filter_graph;
  EXPECT_TRUE(contains(layout.filter_graph, "amix=inputs=2")) << layout.filter_graph;
}

TEST(CompositeLayout, VideoWithoutAudioMapsNoAudio) {
  auto o = options();
  o.output = "/out/x.webm";
  const auto layout = CompositeLayout::make(manifest({track("alice", "video", 0)}), o, kAllFiles);
  ASSERT_TRUE(layout.error.empty()) << layout.error;
  EXPECT_EQ(std::find(layout.ffmpeg_arguments.begin(), layout.ffmpeg_arguments.end(), "[aout]"),
            layout.ffmpeg_arguments.end());
  EXPECT_NE(std::find(layout.ffmpeg_arguments.begin(), layout.ffmpeg_arguments.end(), "libvpx"),
            layout.ffmpeg_arguments.end());
  EXPECT_EQ(layout.columns, 1);
  EXPECT_EQ(layout.tiles[0].width, 1280);
}

TEST(CompositeLayout, TracksWithoutAFileOrAnOffsetAreLeftOutWithAReason) {
  const std::set<std::string> present = {"alice-TR_alicevideo.webm", "carol-TR_carolvideo.webm"};
  auto no_file = track("bob", "video", 10);
  auto late = track("dave", "video", 20000);
  const auto layout = CompositeLayout::make(
      manifest({track("alice", "video", 0), no_file, track("carol", "video", std::nullopt), late}), options(),
      [&](const std::string& name) { return present.count(name) > 0 || name == late.file; });
  ASSERT_TRUE(layout.error.empty()) << layout.error;
  ASSERT_EQ(layout.tiles.size(), 1u);
  ASSERT_EQ(layout.skipped.size(), 3u);
  EXPECT_TRUE(contains(layout.skipped[0], "bob") && contains(layout.skipped[0], "no media file"));
  EXPECT_TRUE(contains(layout.skipped[1], "carol") && contains(layout.skipped[1], "no packet"));
  EXPECT_TRUE(contains(layout.skipped[2], "dave") &&
              contains(layout.skipped[2], "after the recording's end"));
}

TEST(CompositeLayout, ARepublishedCameraKeepsItsSlot) {
  auto first = track("alice", "video", 0);
  auto second = track("alice", "video", 5000);
  second.sid = "TR_again";
  second.file = "alice-TR_again.webm";
  auto screen = track("alice", "video", 6000);
  screen.source = "screen_share";
  screen.file = "alice-TR_screen.webm";
  const auto layout = CompositeLayout::make(manifest({first, second, screen}), options(), kAllFiles);
  ASSERT_TRUE(layout.error.empty()) << layout.error;
  ASSERT_EQ(layout.tiles.size(), 2u) << "camera twice, then a screen: two slots";
  EXPECT_EQ(layout.inputs[0].tile, 0);
  EXPECT_EQ(layout.inputs[1].tile, 0);
  EXPECT_EQ(layout.inputs[2].tile, 1);
}

TEST(CompositeLayout, GridsForOddAndEvenCountsFitTheCanvas) {
  for (int n = 1; n <= 10; ++n) {
    std::vector<RecordingManifest::Track> tracks;
    for (int i = 0; i < n; ++i) tracks.push_back(track("p" + std::to_string(i), "video", i * 10));
    auto o = options();
    o.width = 641;  // odd sizes too
    o.height = 359;
    const auto layout = CompositeLayout::make(manifest(tracks), o, kAllFiles);
    ASSERT_TRUE(layout.error.empty()) << layout.error;
    ASSERT_EQ(int(layout.tiles.size()), n);
    EXPECT_GE(layout.columns * layout.rows, n);
    EXPECT_LT(layout.columns * (layout.rows - 1), n) << "no empty row";
    expect_tiles_fit(layout, o);
  }
}

TEST(CompositeLayout, AFileThatStartsBeforeTheRecordingIsCutToIt) {
  auto early = track("alice", "video", 0);
  early.start_offset_ms = -250;
  const auto layout = CompositeLayout::make(manifest({early}), options(), kAllFiles);
  ASSERT_TRUE(layout.error.empty()) << layout.error;
  EXPECT_EQ(layout.inputs[0].offset_ms, 0);
  EXPECT_EQ(layout.inputs[0].skip_ms, 250);
  const auto& args = layout.ffmpeg_arguments;
  const auto ss = std::find(args.begin(), args.end(), "-ss");
  ASSERT_NE(ss, args.end());
  EXPECT_EQ(*(ss + 1), "0.250");
}

TEST(CompositeLayout, NothingToComposeIsAnError) {
  EXPECT_FALSE(CompositeLayout::make(manifest({}), options(), kAllFiles).error.empty());
  EXPECT_FALSE(CompositeLayout::make(manifest({track("a", "video", 0)}), options(), [](const std::string&) {
                 return false;
               }).error.empty());
  auto running = manifest({track("a", "video", 0)});
  running.stopped_at_ms.reset();
  EXPECT_TRUE(contains(CompositeLayout::make(running, options(), kAllFiles).error, "recover"));
  auto o = options();
  o.output = "/out/x.avi";
  EXPECT_FALSE(CompositeLayout::make(manifest({track("a", "video", 0)}), o, kAllFiles).error.empty());
  o = options();
  o.width = 0;
  EXPECT_FALSE(CompositeLayout::make(manifest({track("a", "video", 0)}), o, kAllFiles).error.empty());
}

}  // namespace
}  // namespace ct::record
