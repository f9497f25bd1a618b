// upload.json: what a restart reads to resume an upload. Round trips, and
// refuses what this version did not write.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "RecordTestSupport.hpp"
#include "record/RecordingUploadState.hpp"

namespace ct::record {
namespace {

RecordingUploadState sample() {
  RecordingUploadState s;
  s.file("http://a:9000/rec", "bob-TR_1.webm") = {true, 1048576, 1, ""};
  s.file("http://a:9000/rec", "manifest.json") = {false, 0, 3, "HTTP 503 SlowDown: reduce"};
  s.file("s3/backup", "bob-TR_1.webm") = {false, 0, 2, "Couldn't connect to server"};
  return s;
}

TEST(RecordingUploadState, RoundTripsThroughItsText) {
  const auto state = sample();
  const auto text = state.serialize();
  const auto back = RecordingUploadState::parse(text);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, state);
  EXPECT_FALSE(back->stored());
  EXPECT_NE(text.find("\"last_error\": null"), std::string::npos);
  EXPECT_NE(text.find("\"last_error\": \"HTTP 503 SlowDown: reduce\""), std::string::npos);
}

TEST(RecordingUploadState, ConfirmedMeansDoneAtThatSize) {
  const auto state = sample();
  EXPECT_TRUE(state.confirmed("http://a:9000/rec", "bob-TR_1.webm", 1048576));
  EXPECT_FALSE(state.confirmed("http://a:9000/rec", "bob-TR_1.webm", 1048577)) << "the file changed since";
  EXPECT_FALSE(state.confirmed("http://a:9000/rec", "manifest.json", 0));
  EXPECT_FALSE(state.confirmed("s3/backup", "bob-TR_1.webm", 1048576));
  EXPECT_FALSE(state.confirmed("elsewhere", "bob-TR_1.webm", 1048576));
}

TEST(RecordingUploadState, SavesAndLoadsInTheFolder) {
  test::TempDir dir;
  auto state = sample();
  state.set_stored(true);
  ASSERT_TRUE(state.save(dir.path()));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "upload.json"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "upload.json.partial"));
  EXPECT_EQ(RecordingUploadState::load(dir.path()), state);
}

TEST(RecordingUploadState, AMissingOrBrokenFileStartsAfresh) {
  test::TempDir dir;
  EXPECT_EQ(RecordingUploadState::load(dir.path()), RecordingUploadState{});
  std::ofstream(dir.path() / "upload.json") << "{\"version\": 1, \"stored\": tr";
  EXPECT_EQ(RecordingUploadState::load(dir.path()), RecordingUploadState{});
}

TEST(RecordingUploadState, RefusesTruncatedText) {
  const std::string text = sample().serialize();
  const size_t end = text.rfind('}');
  for (size_t n = 0; n <= end; ++n) EXPECT_FALSE(RecordingUploadState::parse(text.substr(0, n))) << n;
}

TEST(RecordingUploadState, RefusesGarbageAndWrongTypes) {
  for (
      const char* text : {
          "",
          "null",
          "[]",
          "\"x\"",
          "\x01\x02\xff",
          "{}",
          R"({"version": 2, "stored": false, "targets": {}})",
          R"({"version": 1, "stored": "no", "targets": {}})",
          R"({"version": 1, "stored": false, "targets": []})",
          R"({"version": 1, "stored": false, "targets": {"t": {}}})",
          R"({"version": 1, "stored": false, "targets": {"t": {"files": {"f": []}}}})",
          R"({"version": 1, "stored": false, "targets": {"t": {"files": {"f": {"done": 1, "size": 0, "attempts": 0, "last_error": null}}}}})",
          R"({"version": 1, "stored": false, "targets": {"t": {"files": {"f": {"done": true, "size": -1, "attempts": 0, "last_error": null}}}}})",
          R"({"version": 1, "stored": false, "targets": {"t": {"files": {"f": {"done": true, "size": 1, "attempts": 0}}}}})",
          R"({"version": 1, "stored": false, "targets": {"t": {"files": {"f": {"done": true, "size": 1, "attempts": 0, "last_error": 5}}}}})",
      }) {
    EXPECT_FALSE(RecordingUploadState::parse(text)) << text;
  }
  EXPECT_TRUE(RecordingUploadState::parse(R"({"version": 1, "stored": true, "targets": {}})"));
}

}  // namespace
}  // namespace ct::record
