// The uploader against a local listener standing in for S3: a complete
// recording goes up file by file (manifest last), is confirmed, and only
// then deleted; a store that cannot be reached leaves the files and the
// reason; a restart resumes from upload.json. The writer thread says when a
// stopped folder's tracks are closed.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "../objectstore/LocalHttpListener.hpp"
#include "RecordTestSupport.hpp"
#include "record/RecordingUploadState.hpp"
#include "record/RecordingUploader.hpp"
#include "record/RecordingWriterThread.hpp"
#include "record/RoomRecordingFolder.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/PacketTap.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::record {
namespace {

namespace fs = std::filesystem;
using objectstore::test::LocalHttpListener;

constexpr const char* kId = "20261207T001502Z-a1B2c3";
constexpr const char* kManifest = R"({"room": "standup", "stopped_at": "2026-12-07T00:45:10.480Z"})";

fs::path make_recording(const fs::path& root) {
  const auto folder = root / "standup" / kId;
  fs::create_directories(folder);
  std::ofstream(folder / "bob-TR_1.webm") << "0123456789";
  std::ofstream(folder / "manifest.json") << kManifest;
  std::ofstream(folder / "manifest.json.partial") << "{";
  return folder;
}

RecordingUploaderConfig config_for(const fs::path& root, const std::string& endpoint) {
  RecordingUploaderConfig c;
  c.recordings_dir = root;
  objectstore::S3Target t;
  t.endpoint = endpoint;
  t.bucket = "rec";
  t.prefix = "ct/";
  t.access_key_id = "AK";
  t.secret_access_key = "SK";
  c.targets.push_back(t);
  c.request_retry = {2, std::chrono::milliseconds(1), std::chrono::milliseconds(2)};
  c.retry_initial_delay = std::chrono::milliseconds(50);
  c.retry_max_delay = std::chrono::milliseconds(100);
  return c;
}

template <class Predicate>
bool eventually(Predicate done) {
  for (int i = 0; i < 500 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return done();
}

TEST(RecordingUploader, ListsTheFilesManifestLast) {
  test::TempDir dir;
  const auto folder = make_recording(dir.path());
  std::ofstream(folder / "alice-TR_0.rtpdump") << "x";
  std::ofstream(folder / "upload.json") << "{}";
  EXPECT_EQ(RecordingUploader::files_to_upload(folder),
            (std::vector<std::string>{"alice-TR_0.rtpdump", "bob-TR_1.webm", "manifest.json"}));
  objectstore::S3Target t;
  t.prefix = "p/";
  EXPECT_EQ(RecordingUploader::object_key(t, folder, "a.webm"), std::string("p/standup/") + kId + "/a.webm");
}

TEST(RecordingUploader, StoresACompleteRecordingThenDeletesTheLocalCopy) {
  test::TempDir dir;
  LocalHttpListener s3;
  s3.script({200, "", {"ETag: \"1\""}});
  s3.script({200, "", {"Content-Length: 10"}});
  s3.script({200, "", {"ETag: \"2\""}});
  s3.script({200, "", {"Content-Length: " + std::to_string(std::string(kManifest).size())}});
  const auto folder = make_recording(dir.path());
  RecordingUploader uploader(config_for(dir.path(), s3.endpoint()));  // finds it by its scan
  ASSERT_TRUE(eventually([&] { return !fs::exists(folder); }));
  EXPECT_FALSE(fs::exists(dir.path() / "standup")) << "the emptied room folder goes too";
  const auto r = s3.requests();
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].method, "PUT");
  EXPECT_EQ(r[0].target, std::string("/rec/ct/standup/") + kId + "/bob-TR_1.webm");
  EXPECT_EQ(r[0].body, "0123456789");
  EXPECT_EQ(r[1].method, "HEAD");
  EXPECT_EQ(r[2].target, std::string("/rec/ct/standup/") + kId + "/manifest.json");
  EXPECT_EQ(r[2].body, kManifest);
  const auto stats = uploader.stats();
  EXPECT_EQ(stats.files_uploaded, 2u);
  EXPECT_EQ(stats.recordings_stored, 1u);
  EXPECT_EQ(stats.recordings_pending, 0u);
  EXPECT_EQ(stats.bytes_uploaded, 10u + std::string(kManifest).size());
}

TEST(RecordingUploader, AnUnreachableStoreKeepsTheFilesAndSaysWhy) {
  test::TempDir dir;
  std::string endpoint;
  {
    LocalHttpListener gone;
    endpoint = gone.endpoint();
  }
  const auto folder = make_recording(dir.path());
  RecordingUploader uploader(config_for(dir.path(), endpoint));
  ASSERT_TRUE(eventually([&] { return uploader.stats().file_upload_failures >= 2; }));
  uploader.stop();
  EXPECT_TRUE(fs::exists(folder / "bob-TR_1.webm"));
  EXPECT_TRUE(fs::exists(folder / "manifest.json"));
  const auto stats = uploader.stats();
  EXPECT_GE(stats.retries, 2u);
  EXPECT_EQ(stats.recordings_pending, 1u);
  EXPECT_EQ(stats.recordings_stored, 0u);
  const auto state = RecordingUploadState::load(folder);
  EXPECT_FALSE(state.stored());
  const auto& file = state.targets().at(endpoint + "/rec").at("bob-TR_1.webm");
  EXPECT_FALSE(file.done);
  EXPECT_GE(file.attempts, 2u);
  EXPECT_FALSE(file.last_error.empty());
}

TEST(RecordingUploader, ResumesFromTheUploadStateAndKeepsLocalWhenAsked) {
  test::TempDir dir;
  LocalHttpListener s3;
  const auto folder = make_recording(dir.path());
  auto config = config_for(dir.path(), s3.endpoint());
  config.keep_local = true;
  RecordingUploadState state;
  state.file(config.targets[0].name(), "bob-TR_1.webm") = {true, 10, 1, ""};
  ASSERT_TRUE(state.save(folder));
  s3.script({200, "", {"ETag: \"2\""}});
  s3.script({200, "", {"Content-Length: " + std::to_string(std::string(kManifest).size())}});
  {
    RecordingUploader uploader(config);
    ASSERT_TRUE(eventually([&] { return uploader.stats().recordings_stored == 1; }));
  }
  const auto r = s3.requests();
  ASSERT_EQ(r.size(), 2u) << "the confirmed file is not sent again";
  EXPECT_EQ(r[0].target, std::string("/rec/ct/standup/") + kId + "/manifest.json");
  EXPECT_TRUE(fs::exists(folder / "bob-TR_1.webm"));
  EXPECT_TRUE(RecordingUploadState::load(folder).stored());
  // A restart finds nothing more to do.
  RecordingUploader again(config);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(s3.requests().size(), 2u);
}

TEST(RecordingUploader, IgnoresARecordingStillRunning) {
  test::TempDir dir;
  LocalHttpListener s3;
  const auto folder = dir.path() / "standup" / kId;
  fs::create_directories(folder);
  std::ofstream(folder / "manifest.json") << R"({"state": "recording"})";
  RecordingUploader uploader(config_for(dir.path(), s3.endpoint()));
  uploader.enqueue(folder);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(s3.requests().empty());
  EXPECT_TRUE(fs::exists(folder));
}

TEST(RecordingWriterThread, SaysWhenAStoppedFolderHasItsTracksClosed) {
  test::TempDir dir;
  RecordingWriterThread writer(std::chrono::milliseconds(5));
  std::mutex mutex;
  std::vector<fs::path> closed;
  bool dump_there_when_told = false;
  writer.set_folder_closed_listener([&](const fs::path& folder) {
    std::lock_guard lock(mutex);
    closed.push_back(folder);
    dump_there_when_told = fs::exists(folder / "bob-TR_a.rtpdump") && writer.active() == 0;
  });
  {
    RoomRecordingFolder folder(dir.path(), {"standup", "R1", "alice", false}, writer);
    sfu::TrackInfo t;
    t.sid = "TR_a";
    t.kind = "audio";
    t.codec = "opus";
    auto tap = folder.tap_for("bob", t);
    ASSERT_TRUE(tap);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    {
      std::lock_guard lock(mutex);
      EXPECT_TRUE(closed.empty());
    }
    tap.reset();
    folder.finish("alice");
  }
  ASSERT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return !closed.empty();
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  std::lock_guard lock(mutex);
  ASSERT_EQ(closed.size(), 1u) << "once per folder";
  EXPECT_EQ(closed[0], dir.path());
  EXPECT_TRUE(dump_there_when_told);
}

}  // namespace
}  // namespace ct::record
