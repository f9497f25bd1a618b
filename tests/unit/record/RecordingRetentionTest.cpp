// Retention deletes complete recordings older than the period, and only
// CipherTalk's recordings: never a running one, never a folder or object
// that is not a recording.
#include <gtest/gtest.h>

#include <fstream>

#include "../objectstore/LocalHttpListener.hpp"
#include "RecordTestSupport.hpp"
#include "objectstore/S3Client.hpp"
#include "record/RecordingRetention.hpp"

namespace ct::record {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

fs::path make_recording(const fs::path& root, const std::string& room, const std::string& id,
                        const std::string& manifest) {
  const auto folder = root / room / id;
  fs::create_directories(folder);
  std::ofstream(folder / "bob-TR_1.webm") << "media";
  if (!manifest.empty()) std::ofstream(folder / "manifest.json") << manifest;
  return folder;
}

void age(const fs::path& file, std::chrono::seconds by) {
  fs::last_write_time(file, fs::last_write_time(file) - by);
}

constexpr const char* kStopped = R"({"room": "r", "stopped_at": "2026-12-07T00:45:10.480Z"})";

TEST(RecordingRetention, KnowsACompleteRecording) {
  test::TempDir dir;
  EXPECT_TRUE(RecordingRetention::is_complete(make_recording(dir.path(), "r", "a", kStopped)));
  EXPECT_TRUE(
      RecordingRetention::is_complete(make_recording(dir.path(), "r", "b", R"({"state": "stopped"})")));
  EXPECT_FALSE(RecordingRetention::is_complete(
      make_recording(dir.path(), "r", "c", R"({"state": "recording", "stopped_at": null})")));
  EXPECT_FALSE(
      RecordingRetention::is_complete(make_recording(dir.path(), "r", "d", R"({"stopped_at": null})")));
  EXPECT_FALSE(RecordingRetention::is_complete(make_recording(dir.path(), "r", "e", "")));
  EXPECT_FALSE(RecordingRetention::is_complete(make_recording(dir.path(), "r", "f", "{\"state\": \"sto")));
}

TEST(RecordingRetention, KnowsARecordingId) {
  EXPECT_TRUE(RecordingRetention::is_recording_id("20261207T001502Z-a1B2c3"));
  for (const char* bad : {"", "20261207T001502Z", "20261207T001502Z-a1B2c", "20261207T001502Z-a1B2c3d",
                          "2026120XT001502Z-a1B2c3", "20261207T001502Z_a1B2c3", "20261207T001502Z-a1B2/3",
                          "..", "manifest.json"}) {
    EXPECT_FALSE(RecordingRetention::is_recording_id(bad)) << bad;
  }
}

TEST(RecordingRetention, DeletesOnlyCompleteRecordingsOlderThanThePeriod) {
  test::TempDir dir;
  const auto old_one = make_recording(dir.path(), "standup", "20261201T090000Z-aaaaaa", kStopped);
  const auto fresh = make_recording(dir.path(), "standup", "20261207T090000Z-bbbbbb", kStopped);
  const auto running =
      make_recording(dir.path(), "other", "20261201T090000Z-cccccc", R"({"state": "recording"})");
  const auto not_ours = make_recording(dir.path(), "other", "holiday-photos", kStopped);
  const auto lone = make_recording(dir.path(), "lonely", "20261201T090000Z-dddddd", kStopped);
  for (const auto& f : {old_one, running, not_ours, lone}) age(f / "manifest.json", 48h);

  const auto sweep = RecordingRetention::sweep_local(dir.path(), std::chrono::system_clock::now(), 24h);
  EXPECT_EQ(sweep.deleted, 2u);
  EXPECT_EQ(sweep.failed, 0u);
  EXPECT_FALSE(fs::exists(old_one));
  EXPECT_FALSE(fs::exists(lone));
  EXPECT_FALSE(fs::exists(dir.path() / "lonely")) << "an emptied room folder goes too";
  EXPECT_TRUE(fs::exists(fresh));
  EXPECT_TRUE(fs::exists(running)) << "a recording still running is never deleted";
  EXPECT_TRUE(fs::exists(not_ours));
}

TEST(RecordingRetention, AMissingDirectoryIsNothingToDo) {
  const auto sweep =
      RecordingRetention::sweep_local("/nonexistent/recordings", std::chrono::system_clock::now(), 1h);
  EXPECT_EQ(sweep.deleted, 0u);
  EXPECT_EQ(sweep.failed, 0u);
}

TEST(RecordingRetention, DeletesOnlyOldRecordingObjectsUnderThePrefixOnEveryPage) {
  objectstore::test::LocalHttpListener s3;
  const auto object = [](const std::string& key, const char* modified) {
    return "<Contents><Key>" + key + "</Key><LastModified>" + modified +
           "</LastModified><Size>1</Size></Contents>";
  };
  const char* kOld = "2026-11-01T00:00:00.000Z";
  const char* kNew = "2026-12-06T23:00:00.000Z";
  s3.script({200,
             "<ListBucketResult><IsTruncated>true</IsTruncated><NextContinuationToken>next</"
             "NextContinuationToken>" +
                 object("ct/standup/20261101T000000Z-aaaaaa/a.webm", kOld) +
                 object("ct/standup/20261206T230000Z-bbbbbb/a.webm", kNew) + object("ct/notes.txt", kOld) +
                 object("ct/standup/holiday/a.jpg", kOld) + "</ListBucketResult>",
             {}});
  s3.script({204, "", {}});  // the old recording's object
  s3.script({200,
             "<ListBucketResult><IsTruncated>false</IsTruncated>" +
                 object("ct/standup/20261101T000000Z-aaaaaa/manifest.json", kOld) +
                 object("ct/standup/20261101T000000Z-aaaaaa/deeper/x", kOld) + "</ListBucketResult>",
             {}});
  s3.script({500, "", {}});  // the manifest's delete fails twice
  s3.script({500, "", {}});
  objectstore::S3Target t;
  t.endpoint = s3.endpoint();
  t.bucket = "rec";
  t.prefix = "ct/";
  objectstore::S3Client client(
      t, objectstore::RetryPolicy({2, std::chrono::milliseconds(1), std::chrono::milliseconds(1)}));
  const auto now = *objectstore::parse_s3_time("2026-12-07T00:00:00Z");
  const auto sweep = RecordingRetention::sweep_remote(client, now, 24h * 7);
  EXPECT_EQ(sweep.deleted, 1u);
  EXPECT_EQ(sweep.failed, 1u);
  EXPECT_NE(sweep.error.find("manifest.json"), std::string::npos);
  const auto r = s3.requests();
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[0].target, "/rec?list-type=2&prefix=ct%2F");
  EXPECT_EQ(r[1].method, "DELETE");
  EXPECT_EQ(r[1].target, "/rec/ct/standup/20261101T000000Z-aaaaaa/a.webm");
  EXPECT_EQ(r[2].target, "/rec?continuation-token=next&list-type=2&prefix=ct%2F");
  EXPECT_EQ(r[3].target, "/rec/ct/standup/20261101T000000Z-aaaaaa/manifest.json");
}

TEST(RecordingRetention, AFailedListingIsCountedNotThrown) {
  objectstore::test::LocalHttpListener s3;
  s3.script({403, "<Error><Code>AccessDenied</Code><Message>no</Message></Error>", {}});
  objectstore::S3Target t;
  t.endpoint = s3.endpoint();
  t.bucket = "rec";
  objectstore::S3Client client(t);
  const auto sweep = RecordingRetention::sweep_remote(client, std::chrono::system_clock::now(), 1h);
  EXPECT_EQ(sweep.deleted, 0u);
  EXPECT_EQ(sweep.failed, 1u);
  EXPECT_NE(sweep.error.find("AccessDenied"), std::string::npos);
}

}  // namespace
}  // namespace ct::record
