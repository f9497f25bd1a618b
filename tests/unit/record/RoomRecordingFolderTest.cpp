// A room's recording folder: a tap and files per Opus, VP8 or H.264 track, nothing
// for other codecs, and a manifest that says who, when, which files, and
// whether they hold ciphertext. RoomRecorder makes the folders.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "MediaTestSupport.hpp"
#include "RecordTestSupport.hpp"
#include "record/RecordingWriterThread.hpp"
#include "record/RoomRecorder.hpp"
#include "record/RoomRecordingFolder.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/PacketTap.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::record {
namespace {

using test::TempDir;

sfu::TrackInfo track(std::string sid, std::string kind, std::string codec) {
  sfu::TrackInfo t;
  t.sid = std::move(sid);
  t.kind = std::move(kind);
  t.codec = std::move(codec);
  t.source = t.kind == "video" ? "camera" : "microphone";
  return t;
}

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

TEST(RoomRecordingFolder, RecordsOpusAndVp8AndWritesTheManifest) {
  TempDir dir;
  RecordingWriterThread writer(std::chrono::milliseconds(5));
  RoomRecordingFolder folder(dir.path(), {"standup", "R1", "alice", false}, writer);
  EXPECT_EQ(folder.id(), "R1");

  auto audio = folder.tap_for("bob", track("TR_a", "audio", "opus"));
  auto video = folder.tap_for("bob", track("TR_v", "video", "VP8"));
  auto h264 = folder.tap_for("carol", track("TR_h", "video", "H264"));
  auto g722 = folder.tap_for("carol", track("TR_g", "audio", "G722"));
  ASSERT_TRUE(audio);
  ASSERT_TRUE(video);
  ASSERT_TRUE(h264);
  EXPECT_FALSE(g722) << "only Opus, VP8 and H.264 are recorded";

  const std::vector<uint8_t> opus_payload = {0xfc, 0xff, 0xfe};  // a 20 ms Opus packet's TOC byte and data
  const TimePoint t0 = Clock::now();
  for (uint16_t seq = 1; seq <= 40; ++seq) {
    auto bytes = test::rtp_packet(111, seq, 960u * seq, false, opus_payload);
    const auto packet = rtp::RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    audio->on_packet_at(*packet, t0 + milliseconds(20) * (seq - 1));  // as the SFU received them
  }
  // The writer thread (5 ms polls) writes the first Opus packets and knows the file's time zero.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  audio.reset();
  video.reset();  // never saw a packet
  h264.reset();
  folder.finish("bob");
  folder.finish("nobody");  // once only

  const auto m = read_json(folder.manifest_path());
  EXPECT_EQ(m["room"], "standup");
  EXPECT_EQ(m["id"], "R1");
  EXPECT_EQ(m["started_by"], "alice");
  EXPECT_EQ(m["stopped_by"], "bob");
  EXPECT_EQ(m["e2ee"], false);
  EXPECT_FALSE(m.contains("e2ee_note"));
  EXPECT_TRUE(std::regex_match(m["started_at"].get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  ASSERT_EQ(m["tracks"].size(), 3u);
  const auto& a = m["tracks"][0];
  EXPECT_EQ(a["participant"], "bob");
  EXPECT_EQ(a["sid"], "TR_a");
  EXPECT_EQ(a["kind"], "audio");
  EXPECT_EQ(a["codec"], "opus");
  EXPECT_EQ(a["file"], "bob-TR_a.webm");
  EXPECT_EQ(a["rtpdump"], "bob-TR_a.rtpdump");
  EXPECT_EQ(a["packets"], 40);
  EXPECT_GE(a["first_packet_offset_ms"].get<int64_t>(), 0);
  EXPECT_EQ(a["duration_ms"], 39 * 20) << "from the first packet's arrival to the last's";
  // No sender report came: time zero is the arrival of the first packet written.
  ASSERT_TRUE(a.contains("start_offset_ms"));
  EXPECT_NEAR(a["start_offset_ms"].get<double>(), a["first_packet_offset_ms"].get<double>(), 50.0);
  const auto& v = m["tracks"][1];
  EXPECT_EQ(v["codec"], "VP8");
  EXPECT_TRUE(v["first_packet_offset_ms"].is_null());
  EXPECT_TRUE(v["duration_ms"].is_null());
  EXPECT_FALSE(v.contains("start_offset_ms"));
  EXPECT_EQ(v["packets"], 0);
  const auto& h = m["tracks"][2];
  EXPECT_EQ(h["codec"], "H264");
  EXPECT_EQ(h["file"], "carol-TR_h.mkv");

  writer.stop();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "bob-TR_a.rtpdump"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "bob-TR_a.webm"));
}

TEST(RoomRecordingFolder, AnEncryptedRoomsManifestSaysTheFilesHoldCiphertext) {
  TempDir dir;
  RecordingWriterThread writer;
  {
    RoomRecordingFolder folder(dir.path(), {"vault", "R2", "alice", true}, writer);
  }  // finished by its destructor: the room closed
  const auto m = read_json(dir.path() / "manifest.json");
  EXPECT_EQ(m["e2ee"], true);
  EXPECT_NE(m["e2ee_note"].get<std::string>().find("ciphertext"), std::string::npos);
  EXPECT_TRUE(m["stopped_by"].is_null());
  EXPECT_TRUE(m["tracks"].empty());
}

// A crash must leave a manifest: it is there from the start and lists each
// track as soon as it is added, marked as still recording, and says
// "stopped" once finished. No partial file is left beside it.
TEST(RoomRecordingFolder, TheManifestIsWrittenWhileRecordingAndMarkedStoppedAtTheEnd) {
  TempDir dir;
  RecordingWriterThread writer(std::chrono::milliseconds(5));
  RoomRecordingFolder folder(dir.path(), {"live", "R3", "alice", false}, writer);
  auto m = read_json(folder.manifest_path());
  EXPECT_EQ(m["state"], "recording");
  EXPECT_TRUE(m["stopped_at"].is_null());
  EXPECT_TRUE(m["tracks"].empty());

  auto video = folder.tap_for("bob", track("TR_v", "video", "VP8"));
  ASSERT_TRUE(video);
  m = read_json(folder.manifest_path());
  EXPECT_EQ(m["state"], "recording");
  ASSERT_EQ(m["tracks"].size(), 1u);
  EXPECT_EQ(m["tracks"][0]["file"], "bob-TR_v.webm");
  EXPECT_EQ(m["tracks"][0]["rtpdump"], "bob-TR_v.rtpdump");

  video.reset();
  folder.finish("alice");
  m = read_json(folder.manifest_path());
  EXPECT_EQ(m["state"], "stopped");
  EXPECT_TRUE(m["stopped_at"].is_string());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "manifest.json.partial"));
}

TEST(RoomRecorder, EachRecordingGetsItsOwnFolderUnderTheRoom) {
  TempDir dir;
  RoomRecorder recorder(dir.path());
  auto first = recorder.start("team/../x", "alice", false);
  auto second = recorder.start("team/../x", "alice", false);
  ASSERT_TRUE(first);
  ASSERT_TRUE(second);
  EXPECT_NE(first->id(), second->id());
  EXPECT_TRUE(std::regex_match(first->id(), std::regex(R"(\d{8}T\d{6}Z-[A-Za-z0-9]{6})")));
  // The room name is one safe path component: nothing escapes the directory.
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "team_.._x" / first->id()));
  first->finish("alice");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "team_.._x" / first->id() / "manifest.json"));
}

TEST(RoomRecorder, AFolderThatCannotBeMadeStartsNothing) {
  TempDir dir;
  const auto blocker = dir.path() / "file";
  std::ofstream(blocker) << "not a directory";
  RoomRecorder recorder(blocker);
  EXPECT_FALSE(recorder.start("room", "alice", false));
}

}  // namespace
}  // namespace ct::record
