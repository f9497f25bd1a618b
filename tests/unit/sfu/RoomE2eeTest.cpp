// End-to-end encryption in the room: the setting fixed at creation, clients
// that cannot encrypt refused, and the key relay — announcements to everyone,
// wrapped keys to exactly one recipient, nothing read or kept beyond the
// latest announcement. Also the packet tap the payload dump hangs on.
#include "RoomTestSupport.hpp"
#include "rtp/RtpPacket.hpp"
#include "sfu/PacketTap.hpp"

namespace ct::sfu::testing {
namespace {

class RoomE2ee : public RoomFixture {
 protected:
  void make_e2ee_room() {
    RoomOptions options;
    options.settings.e2ee_required = true;
    make_room(options);
  }
  static ParticipantInfo capable() {
    ParticipantInfo info;
    info.e2ee_supported = true;
    return info;
  }
};

TEST_F(RoomE2ee, JoinedSaysWhetherTheRoomIsEncrypted) {
  make_e2ee_room();
  auto& a = join("alice", capable());
  EXPECT_TRUE(a.sink->last<event::Joined>().e2ee_required);
  EXPECT_TRUE(room->settings().e2ee_required);

  TearDown();
  make_room();
  auto& b = join("bob");
  EXPECT_FALSE(b.sink->last<event::Joined>().e2ee_required);
}

TEST_F(RoomE2ee, AClientThatCannotEncryptIsRefusedAndNothingIsSent) {
  make_e2ee_room();
  auto& a = join("alice", capable());
  auto sink = std::make_shared<RecordingSink>();
  ParticipantInfo plain;
  plain.identity = "mallory";
  auto error = room->join(plain, sink, Clock::now());
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "e2ee_unsupported");
  EXPECT_TRUE(sink->events.empty());
  EXPECT_EQ(room->participant_count(), 1u);
  EXPECT_EQ(a.sink->count<event::ParticipantJoined>(), 0u);
  // The same connection may join again once it can encrypt.
  plain.e2ee_supported = true;
  EXPECT_FALSE(room->join(plain, sink, Clock::now()));
}

TEST_F(RoomE2ee, AnnouncementsGoToEveryoneElseAndNewcomersFindThemInJoined) {
  make_e2ee_room();
  auto& a = join("alice", capable());
  auto& b = join("bob", capable());
  room->e2ee_announce("alice", "announcement-of-alice-1");
  EXPECT_EQ(a.sink->count<event::E2eeAnnounce>(), 0u);
  ASSERT_EQ(b.sink->count<event::E2eeAnnounce>(), 1u);
  EXPECT_EQ(b.sink->last<event::E2eeAnnounce>().from, "alice");
  EXPECT_EQ(b.sink->last<event::E2eeAnnounce>().announcement, "announcement-of-alice-1");

  // A new announcement replaces the old one; a newcomer sees only the latest.
  room->e2ee_announce("alice", "announcement-of-alice-2");
  auto& c = join("carol", capable());
  auto joined = c.sink->last<event::Joined>();
  ASSERT_EQ(joined.others.size(), 2u);
  for (const auto& o : joined.others) {
    if (o.info.identity == "alice") {
      EXPECT_EQ(o.e2ee_announcement, "announcement-of-alice-2");
    } else {
      EXPECT_EQ(o.e2ee_announcement, "");
    }
  }
}

TEST_F(RoomE2ee, AHiddenParticipantsAnnouncementIsNeverHidden) {
  make_e2ee_room();
  ParticipantInfo hidden = capable();
  hidden.hidden = true;
  join("recorder", hidden);
  room->e2ee_announce("recorder", "recorder-key");
  auto& a = join("alice", capable());
  EXPECT_TRUE(a.sink->last<event::Joined>().others.empty());  // not on the roster...
  ASSERT_EQ(a.sink->count<event::E2eeAnnounce>(), 1u);        // ...but in the key exchange
  EXPECT_EQ(a.sink->last<event::E2eeAnnounce>().from, "recorder");
}

TEST_F(RoomE2ee, AHiddenParticipantThatHeldKeysLeavesVisiblySoKeysRotate) {
  make_e2ee_room();
  auto& a = join("alice", capable());
  ParticipantInfo hidden = capable();
  hidden.hidden = true;
  join("recorder", hidden);
  join("lurker", hidden);  // hidden and never announced: stays invisible
  room->e2ee_announce("recorder", "recorder-key");
  room->leave("recorder", "left");
  room->leave("lurker", "left");
  auto left = a.sink->all<event::ParticipantLeft>();
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].identity, "recorder");
}

TEST_F(RoomE2ee, WrappedKeysReachOnlyTheirRecipient) {
  make_e2ee_room();
  auto& a = join("alice", capable());
  auto& b = join("bob", capable());
  auto& c = join("carol", capable());
  room->e2ee_keys("alice", {{"bob", "blob-for-bob"}, {"carol", "blob-for-carol"}});
  ASSERT_EQ(b.sink->count<event::E2eeKey>(), 1u);
  EXPECT_EQ(b.sink->last<event::E2eeKey>().from, "alice");
  EXPECT_EQ(b.sink->last<event::E2eeKey>().blob, "blob-for-bob");
  ASSERT_EQ(c.sink->count<event::E2eeKey>(), 1u);
  EXPECT_EQ(c.sink->last<event::E2eeKey>().blob, "blob-for-carol");
  EXPECT_EQ(a.sink->count<event::E2eeKey>(), 0u);
  EXPECT_EQ(a.sink->count<event::Error>(), 0u);
}

TEST_F(RoomE2ee, AKeyForNobodyIsReportedAndTheOthersStillGo) {
  make_e2ee_room();
  auto& a = join("alice", capable());
  auto& b = join("bob", capable());
  room->e2ee_keys("alice", {{"ghost", "x"}, {"bob", "blob-for-bob"}, {"alice", "to-myself"}});
  EXPECT_EQ(b.sink->count<event::E2eeKey>(), 1u);
  EXPECT_EQ(a.sink->count<event::E2eeKey>(), 0u);
  auto error = a.sink->last<event::Error>();
  EXPECT_EQ(error.code, "recipient_not_found");
  EXPECT_NE(error.message.find("ghost"), std::string::npos);
}

TEST_F(RoomE2ee, APlainRoomRelaysNoKeys) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  room->e2ee_announce("alice", "announcement");
  room->e2ee_keys("alice", {{"bob", "blob"}});
  EXPECT_EQ(b.sink->count<event::E2eeAnnounce>(), 0u);
  EXPECT_EQ(b.sink->count<event::E2eeKey>(), 0u);
  auto errors = a.sink->all<event::Error>();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].code, "e2ee_not_enabled");
  EXPECT_EQ(errors[1].code, "e2ee_not_enabled");
}

// A tap that remembers what it saw (a fake inside a unit test).
struct SeenPackets {
  std::vector<std::string> taps;  // "room/participant/kind/codec"
  std::vector<uint16_t> sequence_numbers;
};
class CountingTap final : public PacketTap {
 public:
  explicit CountingTap(SeenPackets& seen) : seen_(seen) {}
  void on_packet(const rtp::RtpPacket& packet) override {
    seen_.sequence_numbers.push_back(packet.sequence_number());
  }

 private:
  SeenPackets& seen_;
};
class CountingTapFactory final : public PacketTapFactory {
 public:
  explicit CountingTapFactory(SeenPackets& seen) : seen_(seen) {}
  std::unique_ptr<PacketTap> tap_for(const std::string& room_name, const std::string& participant,
                                     const TrackInfo& track) const override {
    seen_.taps.push_back(room_name + "/" + participant + "/" + track.kind + "/" + track.codec);
    if (track.kind != "video") return nullptr;
    return std::make_unique<CountingTap>(seen_);
  }

 private:
  SeenPackets& seen_;
};

TEST_F(RoomE2ee, ATapSeesEachNewPacketOfAPublicationOnceButNotWhileMuted) {
  SeenPackets seen;
  CountingTapFactory taps(seen);
  RoomOptions options;
  options.taps = &taps;
  make_room(options);
  auto& a = join("alice");
  join("bob");
  constexpr uint32_t kSsrc = 0x1111;
  publish(a, {{"0", false, 0x2222, 0}, {"1", true, kSsrc, 0x3333}});
  ASSERT_EQ(seen.taps.size(), 2u);
  EXPECT_EQ(seen.taps[0], "test-room/alice/audio/opus");
  EXPECT_EQ(seen.taps[1], "test-room/alice/video/VP8");
  for (uint16_t seq = 10; seq < 15; ++seq)
    a.publisher.peer.send_rtp(video_packet(kSsrc, seq, 1000u * seq, seq, "1"));
  a.publisher.peer.send_rtp(video_packet(kSsrc, 12, 12000, 99, "1"));  // a duplicate
  ASSERT_TRUE(run_until([&] { return seen.sequence_numbers.size() >= 5; }));
  run_for(milliseconds(50));
  EXPECT_EQ(seen.sequence_numbers, (std::vector<uint16_t>{10, 11, 12, 13, 14}));

  std::string sid;
  for (const auto& t : a.sink->last<event::PublisherAnswer>().tracks)
    if (t.kind == "video") sid = t.sid;
  room->set_track_muted("alice", sid, true);
  a.publisher.peer.send_rtp(video_packet(kSsrc, 15, 15000, 15, "1"));
  run_for(milliseconds(50));
  EXPECT_EQ(seen.sequence_numbers.size(), 5u);
}

}  // namespace
}  // namespace ct::sfu::testing
