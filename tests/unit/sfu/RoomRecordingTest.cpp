// Recording in the room: who may start and stop it, what everyone hears,
// which publications get a tap (present ones and later ones), the keyframe
// request at the start, a payload-dump tap staying beside the recording's,
// and the recording ending when the room empties. The factory is a fake that
// notes what the room asks of it.
#include "RoomTestSupport.hpp"
#include "rtp/RtcpSenderReport.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/PacketTap.hpp"
#include "sfu/RoomRecordingFactory.hpp"

namespace ct::sfu::testing {
namespace {

struct RecordingLog {
  std::vector<std::string> started;                           // "room/by/e2ee"
  std::vector<std::string> tapped;                            // "participant/kind/codec"
  std::vector<std::string> finished;                          // stopped_by
  std::vector<uint16_t> packets;                              // sequence numbers seen by any recording tap
  std::vector<std::pair<uint64_t, uint32_t>> sender_reports;  // NTP and RTP timestamps
  int keyframe_requests = 0;                                  // for a tap to hand out, one per take
  int live_taps = 0;
  int taps_alive_at_finish = -1;
};

class FakeTap final : public PacketTap {
 public:
  FakeTap(RecordingLog& log, bool video) : log_(log), video_(video) { ++log_.live_taps; }
  ~FakeTap() override { --log_.live_taps; }
  void on_packet(const rtp::RtpPacket& packet) override { log_.packets.push_back(packet.sequence_number()); }
  void on_sender_report(uint64_t ntp, uint32_t rtp_timestamp, TimePoint) override {
    log_.sender_reports.emplace_back(ntp, rtp_timestamp);
  }
  bool take_keyframe_request() override {
    if (!video_ || log_.keyframe_requests == 0) return false;
    --log_.keyframe_requests;
    return true;
  }

 private:
  RecordingLog& log_;
  bool video_;
};

class FakeRecording final : public RoomRecording {
 public:
  explicit FakeRecording(RecordingLog& log) : log_(log) {}
  const std::string& id() const override { return id_; }
  std::unique_ptr<PacketTap> tap_for(const std::string& participant, const TrackInfo& track) override {
    log_.tapped.push_back(participant + "/" + track.kind + "/" + track.codec);
    if (track.codec == "H264") return nullptr;  // as the real one: not recorded
    return std::make_unique<FakeTap>(log_, track.kind == "video");
  }
  void finish(const std::string& stopped_by) override {
    log_.finished.push_back(stopped_by);
    log_.taps_alive_at_finish = log_.live_taps;
  }

 private:
  RecordingLog& log_;
  std::string id_ = "REC1";
};

class FakeFactory final : public RoomRecordingFactory {
 public:
  explicit FakeFactory(RecordingLog& log) : log_(log) {}
  std::unique_ptr<RoomRecording> start(const std::string& room, const std::string& started_by,
                                       bool e2ee) const override {
    log_.started.push_back(room + "/" + started_by + "/" + (e2ee ? "e2ee" : "plain"));
    return std::make_unique<FakeRecording>(log_);
  }

 private:
  RecordingLog& log_;
};

// A payload dump's stand-in: counts what it sees.
class CountingTapFactory final : public PacketTapFactory {
 public:
  explicit CountingTapFactory(std::vector<uint16_t>& seen) : seen_(seen) {}
  std::unique_ptr<PacketTap> tap_for(const std::string&, const std::string&,
                                     const TrackInfo& track) const override {
    if (track.kind != "video") return nullptr;
    struct Tap final : PacketTap {
      explicit Tap(std::vector<uint16_t>& s) : seen(s) {}
      void on_packet(const rtp::RtpPacket& p) override { seen.push_back(p.sequence_number()); }
      std::vector<uint16_t>& seen;
    };
    return std::make_unique<Tap>(seen_);
  }

 private:
  std::vector<uint16_t>& seen_;
};

ParticipantInfo recorder() {
  ParticipantInfo info;
  info.can_record = true;
  return info;
}

class RoomRecordingTest : public RoomFixture {
 protected:
  void make_recording_room() {
    RoomOptions options;
    options.recordings = &factory;
    options.taps = dump_taps;
    make_room(options);
  }
  RecordingLog log;
  FakeFactory factory{log};
  const PacketTapFactory* dump_taps = nullptr;
};

TEST_F(RoomRecordingTest, WithoutAFactoryRecordingIsDisabled) {
  make_room();
  auto& a = join("alice", recorder());
  room->start_recording("alice", Clock::now());
  EXPECT_EQ(a.sink->last<event::Error>().code, "recording_disabled");
  EXPECT_FALSE(room->recording());
}

TEST_F(RoomRecordingTest, WithoutTheGrantRecordingIsNotAllowed) {
  make_recording_room();
  auto& a = join("alice");
  room->start_recording("alice", Clock::now());
  EXPECT_EQ(a.sink->last<event::Error>().code, "recording_not_allowed");
  EXPECT_TRUE(log.started.empty());
  EXPECT_EQ(a.sink->count<event::Recording>(), 0u);
}

TEST_F(RoomRecordingTest, StartTapsEveryPublicationAsksForAKeyframeAndTellsEveryone) {
  make_recording_room();
  auto& a = join("alice", recorder());
  auto& b = join("bob");
  constexpr uint32_t kVideoSsrc = 0x1111;
  publish(b, {{"0", false, 0x2222, 0}, {"1", true, kVideoSsrc, 0x3333}});
  const size_t plis_before = count_plis(b.publisher.peer, kVideoSsrc);

  room->start_recording("alice", Clock::now());
  ASSERT_TRUE(room->recording());
  EXPECT_EQ(log.started, (std::vector<std::string>{"test-room/alice/plain"}));
  EXPECT_EQ(log.tapped, (std::vector<std::string>{"bob/audio/opus", "bob/video/VP8"}));
  for (auto* p : {&a, &b}) {
    auto e = p->sink->last<event::Recording>();
    EXPECT_TRUE(e.active);
    EXPECT_EQ(e.id, "REC1");
  }
  ASSERT_TRUE(run_until([&] { return count_plis(b.publisher.peer, kVideoSsrc) > plis_before; }))
      << "no keyframe request at the start";

  for (uint16_t seq = 20; seq < 23; ++seq)
    b.publisher.peer.send_rtp(video_packet(kVideoSsrc, seq, 1000u * seq, seq, "1"));
  ASSERT_TRUE(run_until([&] { return log.packets.size() >= 3; }));
  EXPECT_EQ(log.packets, (std::vector<uint16_t>{20, 21, 22}));

  // A second start is refused; the one running goes on.
  room->start_recording("alice", Clock::now());
  EXPECT_EQ(a.sink->last<event::Error>().code, "recording_active");
  EXPECT_EQ(log.started.size(), 1u);
}

// The recorder's way back to the publisher: its keyframe requests become
// PLIs on the next tick, and the publisher's sender reports reach it.
TEST_F(RoomRecordingTest, ATapsKeyframeRequestBecomesAPliAndSenderReportsReachTheTaps) {
  make_recording_room();
  join("alice", recorder());
  auto& b = join("bob");
  constexpr uint32_t kVideoSsrc = 0x1111;
  publish(b, {{"0", false, 0x2222, 0}, {"1", true, kVideoSsrc, 0x3333}});
  room->start_recording("alice", Clock::now());
  ASSERT_TRUE(room->recording());
  ASSERT_TRUE(run_until([&] { return count_plis(b.publisher.peer, kVideoSsrc) > 0; }));
  // Let the start's request and its throttle interval pass, and the PLIs settle.
  run_for(milliseconds(700));
  const size_t plis_before = count_plis(b.publisher.peer, kVideoSsrc);
  run_for(milliseconds(100));
  ASSERT_EQ(count_plis(b.publisher.peer, kVideoSsrc), plis_before) << "PLIs without a request";

  log.keyframe_requests = 1;
  ASSERT_TRUE(run_until([&] { return count_plis(b.publisher.peer, kVideoSsrc) > plis_before; }))
      << "the tap's request sent no PLI";
  EXPECT_EQ(log.keyframe_requests, 0);

  const rtp::RtcpSenderInfo info{0xE1234567'80000000ull, 123456789u, 10, 1000};
  std::array<uint8_t, rtp::RtcpSenderReport::size(0)> sr{};
  ASSERT_GT(rtp::RtcpSenderReport::build(sr, kVideoSsrc, info, {}), 0u);
  b.publisher.peer.send_rtcp(sr);
  ASSERT_TRUE(run_until([&] { return !log.sender_reports.empty(); }));
  EXPECT_EQ(log.sender_reports.front(), std::make_pair(info.ntp_timestamp, info.rtp_timestamp));
}

TEST_F(RoomRecordingTest, ALateJoinerSeesTheRecordingAndItsTracksAreRecorded) {
  make_recording_room();
  join("alice", recorder());
  room->start_recording("alice", Clock::now());
  auto& c = join("carol");
  auto joined = c.sink->last<event::Joined>();
  EXPECT_TRUE(joined.recording);
  EXPECT_EQ(joined.recording_id, "REC1");
  publish(c, {{"0", false, 0x4444, 0}});
  EXPECT_EQ(log.tapped, (std::vector<std::string>{"carol/audio/opus"}));
  EXPECT_EQ(log.live_taps, 1);
}

TEST_F(RoomRecordingTest, StopRemovesTheTapsBeforeTheManifestAndLeavesOtherTapsAlone) {
  std::vector<uint16_t> dumped;
  CountingTapFactory dump(dumped);
  dump_taps = &dump;
  make_recording_room();
  auto& a = join("alice", recorder());
  constexpr uint32_t kVideoSsrc = 0x5555;
  publish(a, {{"1", true, kVideoSsrc, 0x6666}});
  room->start_recording("alice", Clock::now());
  EXPECT_EQ(log.live_taps, 1);

  auto& b = join("bob");
  room->stop_recording("bob");  // no grant
  EXPECT_EQ(b.sink->last<event::Error>().code, "recording_not_allowed");
  EXPECT_TRUE(room->recording());

  room->stop_recording("alice");
  EXPECT_FALSE(room->recording());
  EXPECT_EQ(log.finished, (std::vector<std::string>{"alice"}));
  EXPECT_EQ(log.taps_alive_at_finish, 0);
  for (auto* p : {&a, &b}) {
    auto e = p->sink->last<event::Recording>();
    EXPECT_FALSE(e.active);
    EXPECT_EQ(e.id, "REC1");
  }
  room->stop_recording("alice");
  EXPECT_EQ(a.sink->last<event::Error>().code, "recording_not_active");

  // The payload dump's tap still sees the track; the recording's does not.
  a.publisher.peer.send_rtp(video_packet(kVideoSsrc, 7, 7000, 7, "1"));
  ASSERT_TRUE(run_until([&] { return !dumped.empty(); }));
  EXPECT_EQ(dumped, (std::vector<uint16_t>{7}));
  EXPECT_TRUE(log.packets.empty());
}

TEST_F(RoomRecordingTest, TheRecordingEndsWhenTheRoomEmpties) {
  make_recording_room();
  auto& a = join("alice", recorder());
  publish(a, {{"0", false, 0x7777, 0}});
  room->start_recording("alice", Clock::now());
  room->leave("alice", "left");
  EXPECT_FALSE(room->recording());
  EXPECT_EQ(log.finished, (std::vector<std::string>{""}));
  EXPECT_EQ(log.taps_alive_at_finish, 0);
}

TEST_F(RoomRecordingTest, ClosingTheRoomEndsTheRecording) {
  make_recording_room();
  join("alice", recorder());
  room->start_recording("alice", Clock::now());
  room.reset();
  EXPECT_EQ(log.finished, (std::vector<std::string>{""}));
}

// The room service API's path: whoever the caller authorised, in the room or
// not; errors come back instead of going to a participant.
TEST_F(RoomRecordingTest, AnAuthorisedCallerOutsideTheRoomStartsAndStops) {
  make_recording_room();
  auto& a = join("alice");  // no grant: the API caller is checked elsewhere
  EXPECT_EQ(room->recording_id(), "");
  EXPECT_FALSE(room->start_recording_by("backend", Clock::now()).has_value());
  EXPECT_EQ(room->recording_id(), "REC1");
  EXPECT_EQ(log.started, (std::vector<std::string>{"test-room/backend/plain"}));
  EXPECT_TRUE(a.sink->last<event::Recording>().active);
  auto again = room->start_recording_by("backend", Clock::now());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->code, "recording_active");
  EXPECT_EQ(a.sink->count<event::Error>(), 0u) << "the caller gets the error, not the room";

  EXPECT_FALSE(room->stop_recording_by("backend").has_value());
  EXPECT_EQ(log.finished, (std::vector<std::string>{"backend"}));
  EXPECT_FALSE(a.sink->last<event::Recording>().active);
  EXPECT_EQ(room->recording_id(), "");
  auto stopped = room->stop_recording_by("backend");
  ASSERT_TRUE(stopped.has_value());
  EXPECT_EQ(stopped->code, "recording_not_active");
}

TEST_F(RoomRecordingTest, TheApiPathSaysWhenRecordingIsDisabled) {
  make_room();
  join("alice");
  auto start = room->start_recording_by("backend", Clock::now());
  ASSERT_TRUE(start.has_value());
  EXPECT_EQ(start->code, "recording_disabled");
  auto stop = room->stop_recording_by("backend");
  ASSERT_TRUE(stop.has_value());
  EXPECT_EQ(stop->code, "recording_disabled");
}

}  // namespace
}  // namespace ct::sfu::testing
