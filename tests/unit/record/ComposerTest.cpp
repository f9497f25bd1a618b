// compose from a folder to a composite, with the real ffmpeg: the result has
// the recording's duration, and every way it cannot be made ends with its
// own exit code and a message that says why.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include "RecordTestSupport.hpp"
#include "record/Composer.hpp"

namespace ct::record {
namespace {

using test::TempDir;

const char* kManifest = R"({"room": "r", "id": "R1", "state": "stopped", "e2ee": %s,
  "started_at": "2026-12-07T00:15:02.000Z", "stopped_at": "2026-12-07T00:15:05.000Z",
  "tracks": [
    {"participant": "a", "sid": "TR_v", "kind": "video", "codec": "VP8", "file": "a-TR_v.webm", "first_packet_offset_ms": 500},
    {"participant": "a", "sid": "TR_a", "kind": "audio", "codec": "opus", "file": "a-TR_a.webm", "first_packet_offset_ms": 200}
  ]})";

class ComposerTest : public ::testing::Test {
 protected:
  void SetUp() override { CT_REQUIRE_FFMPEG(); }

  void write_manifest(bool e2ee) {
    char text[1024];
    std::snprintf(text, sizeof text, kManifest, e2ee ? "true" : "false");
    std::ofstream(dir_.path() / "manifest.json") << text;
  }
  void make_media() {
    const auto video = test::run(
        "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=160x120:rate=15:duration=2 "
        "-c:v libvpx " +
            dir_.file("a-TR_v.webm"),
        dir_.file("v.err"));
    ASSERT_EQ(video.exit_code, 0) << video.err;
    const auto audio =
        test::run("ffmpeg -nostdin -v error -y -f lavfi -i sine=duration=2 -ac 2 -c:a libopus " +
                      dir_.file("a-TR_a.webm"),
                  dir_.file("a.err"));
    ASSERT_EQ(audio.exit_code, 0) << audio.err;
  }
  CompositeOptions options(const std::string& output = "out.mp4") const {
    CompositeOptions o;
    o.folder = dir_.path();
    o.output = dir_.path() / output;
    o.width = 320;
    o.height = 180;
    return o;
  }
  Composer::Result compose(bool force = false, const std::string& output = "out.mp4") {
    return Composer::run(options(output), force, [&](int64_t done, int64_t total) {
      ++updates_;
      last_done_ = done;
      total_ = total;
    });
  }

  TempDir dir_;
  int updates_ = 0;
  int64_t last_done_ = 0, total_ = 0;
};

TEST_F(ComposerTest, MakesACompositeAsLongAsTheRecordingAndReportsProgress) {
  write_manifest(false);
  make_media();
  const auto result = compose();
  ASSERT_EQ(result.exit_code, Composer::kComposed) << result.message;
  EXPECT_GT(updates_, 0);
  EXPECT_EQ(total_, 3000000);
  EXPECT_GE(last_done_, 2900000);
  const auto probe =
      test::run("ffprobe -v error -show_entries format=duration -of csv=p=0 " + dir_.file("out.mp4"),
                dir_.file("probe.err"));
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_NEAR(std::stod(probe.out), 3.0, 0.1);
}

TEST_F(ComposerTest, AMissingFolderOrManifestIsBadInput) {
  auto o = options();
  o.folder = dir_.path() / "nope";
  auto result = Composer::run(o, false, nullptr);
  EXPECT_EQ(result.exit_code, Composer::kBadInput);
  EXPECT_NE(result.message.find("no such recording folder"), std::string::npos) << result.message;
  result = compose();
  EXPECT_EQ(result.exit_code, Composer::kBadInput);
  EXPECT_NE(result.message.find("recover"), std::string::npos) << result.message;
  std::ofstream(dir_.path() / "manifest.json") << "{\"tracks\": [";
  result = compose();
  EXPECT_EQ(result.exit_code, Composer::kBadInput);
  EXPECT_NE(result.message.find("not valid JSON"), std::string::npos) << result.message;
}

TEST_F(ComposerTest, NoTracksOrNoFilesIsBadInput) {
  std::ofstream(dir_.path() / "manifest.json")
      << R"({"started_at": "2026-12-07T00:15:02Z", "stopped_at": "2026-12-07T00:15:05Z", "tracks": []})";
  auto result = compose();
  EXPECT_EQ(result.exit_code, Composer::kBadInput);
  EXPECT_NE(result.message.find("no tracks"), std::string::npos) << result.message;
  write_manifest(false);  // the files are not there
  result = compose();
  EXPECT_EQ(result.exit_code, Composer::kBadInput);
  EXPECT_EQ(result.skipped.size(), 2u);
}

TEST_F(ComposerTest, AnEncryptedRecordingIsRefusedUnlessForced) {
  write_manifest(true);
  make_media();
  auto result = compose();
  EXPECT_EQ(result.exit_code, Composer::kBadInput);
  EXPECT_NE(result.message.find("ciphertext"), std::string::npos) << result.message;
  result = compose(true);
  EXPECT_EQ(result.exit_code, Composer::kComposed) << result.message;
}

TEST_F(ComposerTest, FfmpegFailingShowsItsLastErrors) {
  write_manifest(false);
  std::ofstream(dir_.path() / "a-TR_v.webm") << "not a webm file";
  std::ofstream(dir_.path() / "a-TR_a.webm") << "not a webm file";
  const auto result = compose();
  EXPECT_EQ(result.exit_code, Composer::kFfmpegFailed);
  EXPECT_NE(result.message.find("a-TR_"), std::string::npos)
      << "ffmpeg's own words name the file: " << result.message;
}

TEST_F(ComposerTest, NoFfmpegOnThePathSaysSo) {
  write_manifest(false);
  make_media();
  const std::string path = std::getenv("PATH");
  ::setenv("PATH", dir_.path().c_str(), 1);
  const auto result = compose();
  ::setenv("PATH", path.c_str(), 1);
  EXPECT_EQ(result.exit_code, Composer::kNoFfmpeg);
  EXPECT_NE(result.message.find("ffmpeg not found"), std::string::npos) << result.message;
}

}  // namespace
}  // namespace ct::record
