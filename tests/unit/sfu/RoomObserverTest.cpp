// What a room tells its observer (the webhooks' source): the room's start
// and end, participants joining and leaving, tracks published and
// unpublished (also by renegotiation and by leaving), a recording's start,
// each once and in the order it happened, on the calling thread.
#include "RoomTestSupport.hpp"
#include "sfu/PacketTap.hpp"
#include "sfu/RoomObserver.hpp"
#include "sfu/RoomRecordingFactory.hpp"

namespace ct::sfu::testing {
namespace {

using Kind = RoomActivity::Kind;

struct ActivityLog final : RoomObserver {
  void on_room_activity(const RoomActivity& activity) override { seen.push_back(activity); }
  std::vector<Kind> kinds() const {
    std::vector<Kind> out;
    for (const auto& a : seen) out.push_back(a.kind);
    return out;
  }
  std::vector<RoomActivity> seen;
};

class NoTapRecording final : public RoomRecording {
 public:
  const std::string& id() const override { return id_; }
  std::unique_ptr<PacketTap> tap_for(const std::string&, const TrackInfo&) override { return nullptr; }
  void finish(const std::string&) override {}

 private:
  std::string id_ = "REC7";
};

class NoTapFactory final : public RoomRecordingFactory {
 public:
  std::unique_ptr<RoomRecording> start(const std::string&, const std::string&, bool) const override {
    return std::make_unique<NoTapRecording>();
  }
};

class RoomObserverTest : public RoomFixture {
 protected:
  void make_observed_room() {
    RoomOptions options;
    options.observer = &log;
    options.recordings = &recordings;
    make_room(options);
  }
  ActivityLog log;
  NoTapFactory recordings;
};

TEST_F(RoomObserverTest, ACallFromStartToEndIsToldInOrder) {
  make_observed_room();
  auto& a = join("alice");
  publish(a, {{"0", false, 0x2222, 0}, {"1", true, 0x1111, 0x3333}});
  room->leave("alice", "client_left");
  room.reset();

  EXPECT_EQ(log.kinds(),
            (std::vector<Kind>{Kind::room_started, Kind::participant_joined, Kind::track_published,
                               Kind::track_published, Kind::track_unpublished, Kind::track_unpublished,
                               Kind::participant_left, Kind::room_finished}));
  const std::string sid = log.seen.front().room_sid;
  EXPECT_EQ(sid.rfind("RM_", 0), 0u);
  for (const auto& e : log.seen) {
    EXPECT_EQ(e.room, "test-room");
    EXPECT_EQ(e.room_sid, sid) << "one life of the room, one sid";
    EXPECT_GE(e.at, e.room_created);
  }
  EXPECT_EQ(log.seen[1].participant.identity, "alice");
  EXPECT_EQ(log.seen[2].track.kind, "audio");
  EXPECT_EQ(log.seen[3].track.kind, "video");
  EXPECT_EQ(log.seen[3].participant.identity, "alice");
  EXPECT_FALSE(log.seen[3].track.sid.empty());
  EXPECT_EQ(log.seen[6].reason, "client_left");
}

TEST_F(RoomObserverTest, RenegotiationUnpublishesOneTrack) {
  make_observed_room();
  auto& a = join("alice");
  std::vector<Track> tracks{{"0", false, 0x2222, 0}, {"1", true, 0x1111, 0x3333}};
  publish(a, tracks);
  const std::string video_sid = log.seen.back().track.sid;
  tracks[1].sending = false;
  publish(a, tracks);
  ASSERT_EQ(log.seen.back().kind, Kind::track_unpublished);
  EXPECT_EQ(log.seen.back().track.sid, video_sid);
  const auto kinds = log.kinds();
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), Kind::track_unpublished), 1);
}

TEST_F(RoomObserverTest, ADuplicateIdentityLeavesThenJoinsAgain) {
  make_observed_room();
  join("alice");
  join("alice");
  EXPECT_EQ(log.kinds(), (std::vector<Kind>{Kind::room_started, Kind::participant_joined,
                                            Kind::participant_left, Kind::participant_joined}));
  EXPECT_EQ(log.seen[2].reason, "duplicate_identity");
}

TEST_F(RoomObserverTest, ARecordingStartNamesItsIdAndWhoStartedIt) {
  make_observed_room();
  join("alice");
  ASSERT_FALSE(room->start_recording_by("api:backend", Clock::now()).has_value());
  ASSERT_EQ(log.seen.back().kind, Kind::recording_started);
  EXPECT_EQ(log.seen.back().recording_id, "REC7");
  EXPECT_EQ(log.seen.back().started_by, "api:backend");
  // A refused start is not an event.
  const size_t n = log.seen.size();
  EXPECT_TRUE(room->start_recording_by("api:backend", Clock::now()).has_value());
  EXPECT_EQ(log.seen.size(), n);
}

TEST_F(RoomObserverTest, ARoomClosedWithPeopleInItTellsEachOneLeaving) {
  make_observed_room();
  auto& a = join("alice");
  join("bob");
  publish(a, {{"0", false, 0x2222, 0}});
  log.seen.clear();
  room.reset();
  EXPECT_EQ(log.kinds(), (std::vector<Kind>{Kind::track_unpublished, Kind::participant_left,
                                            Kind::participant_left, Kind::room_finished}));
  EXPECT_EQ(log.seen[1].participant.identity, "alice");
  EXPECT_EQ(log.seen[1].reason, "room_closed");
  EXPECT_EQ(log.seen[2].participant.identity, "bob");
}

TEST_F(RoomObserverTest, ARoomWithoutObserverRunsAsBefore) {
  make_room();
  auto& a = join("alice");
  publish(a, {{"0", false, 0x2222, 0}});
  room->leave("alice", "client_left");
  EXPECT_TRUE(log.seen.empty());
}

}  // namespace
}  // namespace ct::sfu::testing
