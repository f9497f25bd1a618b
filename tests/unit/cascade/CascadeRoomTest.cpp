// One room on two nodes, each node's part a real Room with its CascadeRoom:
// the control messages each side makes are read by the other, so each node's
// participants appear in the other's room as members that receive nothing,
// never echoed back; a participant who leaves leaves both; a silent peer's
// participants are dropped; a peer that starts afresh gets a fresh link.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <tuple>

#include "../sfu/RoomTestSupport.hpp"
#include "cascade/CascadePort.hpp"
#include "cascade/CascadeRoom.hpp"
#include "sfu/Participant.hpp"
#include "sfu/RoomMembers.hpp"

namespace ct::cascade {
namespace {

using sfu::testing::RecordingSink;

struct NoPackets final : CascadePort::Listener {
  void on_cascade_packet(uint32_t, CascadeKind, std::span<uint8_t>) override {}
};

class CascadeRoomTest : public ::testing::Test {
 protected:
  boost::asio::io_context io;
  dtls::DtlsCertificate certificate;
  net::SocketAddress loopback = *net::SocketAddress::parse("127.0.0.1:0");
  webrtc::MediaPort media{io, loopback, ""};
  NoPackets ignore;
  CascadePort port_a{io, loopback, ignore}, port_b{io, loopback, ignore};
  std::unique_ptr<sfu::Room> room_a =
      std::make_unique<sfu::Room>("standup", sfu::RoomOptions{}, media, certificate);
  std::unique_ptr<sfu::Room> room_b =
      std::make_unique<sfu::Room>("standup", sfu::RoomOptions{}, media, certificate);
  CascadeRoom a{*room_a, port_a, std::chrono::milliseconds(500)};
  CascadeRoom b{*room_b, port_b, std::chrono::milliseconds(500)};
  std::shared_ptr<RecordingSink> alice = std::make_shared<RecordingSink>();
  std::shared_ptr<RecordingSink> carol = std::make_shared<RecordingSink>();

  void SetUp() override { media.start(); }
  void TearDown() override { media.close(); }

  void join(sfu::Room& room, const std::string& identity, std::shared_ptr<RecordingSink> sink) {
    sfu::ParticipantInfo info;
    info.identity = info.name = identity;
    ASSERT_FALSE(room.join(info, std::move(sink), Clock::now()));
  }
  // Both nodes link, as the control channel's first request and its answer do.
  void link() {
    TimePoint now = Clock::now();
    CascadeLinkOffer from_a = a.own_offer("node-b", now);
    b.link("node-a", from_a, port_a.local_address(), now);
    a.link("node-b", b.own_offer("node-a", now), port_b.local_address(), now);
  }
  // One turn: a tells b its part, b answers with its own.
  void turn() {
    auto to_b = a.state_for("node-b");
    b.apply("node-a", to_b, Clock::now());
    auto to_a = b.state_for("node-a");
    a.apply("node-b", to_a, Clock::now());
  }
  bool member(sfu::Room& room, const std::string& identity) {
    return room.members().member(identity) != nullptr;
  }
};

TEST_F(CascadeRoomTest, EachNodesParticipantsJoinTheOtherOnceAndLeaveIt) {
  join(*room_a, "alice", alice);
  join(*room_b, "carol", carol);
  link();
  turn();
  EXPECT_TRUE(member(*room_b, "alice"));
  EXPECT_TRUE(member(*room_a, "carol"));
  ASSERT_EQ(carol->count<sfu::event::ParticipantJoined>(), 1u);
  EXPECT_EQ(carol->last<sfu::event::ParticipantJoined>().participant.identity, "alice");
  EXPECT_EQ(alice->count<sfu::event::ParticipantJoined>(), 1u);
  EXPECT_EQ(a.local_participants(), 1u);
  EXPECT_EQ(b.local_participants(), 1u);
  // A stand-in is never told back to its own node.
  for (const auto& m : b.state_for("node-a"))
    if (auto* p = std::get_if<CascadeParticipant>(&m)) {
      EXPECT_NE(p->identity, "alice");
    }
  turn();
  EXPECT_EQ(carol->count<sfu::event::ParticipantJoined>(), 1u);  // said again: nothing new

  room_a->leave("alice", "left");
  turn();
  EXPECT_FALSE(member(*room_b, "alice"));
  ASSERT_EQ(carol->count<sfu::event::ParticipantLeft>(), 1u);
  EXPECT_EQ(carol->last<sfu::event::ParticipantLeft>().identity, "alice");
  EXPECT_EQ(a.local_participants(), 0u);
}

TEST_F(CascadeRoomTest, ARemoteTracksMuteReachesLocalSubscribersAsTheOriginsOwn) {
  join(*room_b, "carol", carol);
  link();
  CascadeTrack camera;
  camera.sid = "TR_cam";
  camera.participant = "alice";
  camera.kind = "video";
  camera.source = "camera";
  camera.name = "Camera";
  camera.codec = "VP8";
  camera.clock_rate = 90000;
  camera.payload_type = 96;
  camera.layers = {CascadeLayer{"", 0x1111, 0}};
  std::vector<CascadeMessage> from_a{CascadeParticipant{"alice", "Alice", R"({"team":"eu"})", true}, camera};
  b.apply("node-a", from_a, Clock::now());
  ASSERT_EQ(carol->count<sfu::event::TrackPublished>(), 1u);
  const auto published = carol->last<sfu::event::TrackPublished>().track;
  EXPECT_EQ(published.source, "camera");
  EXPECT_EQ(published.name, "Camera");
  EXPECT_FALSE(published.muted);
  EXPECT_EQ(room_b->members().member("alice")->info().metadata, R"({"team":"eu"})");

  camera.muted = true;
  b.apply("node-a", std::vector<CascadeMessage>{camera}, Clock::now());
  ASSERT_EQ(carol->count<sfu::event::TrackMuted>(), 1u);
  EXPECT_EQ(carol->last<sfu::event::TrackMuted>().publisher, "alice");
  EXPECT_EQ(carol->last<sfu::event::TrackMuted>().sid, "TR_cam");
  EXPECT_TRUE(carol->last<sfu::event::TrackMuted>().muted);
  EXPECT_TRUE(room_b->members().member("alice")->find_publication("TR_cam")->muted());
  b.apply("node-a", std::vector<CascadeMessage>{camera}, Clock::now());  // said again: nothing new
  EXPECT_EQ(carol->count<sfu::event::TrackMuted>(), 1u);

  camera.muted = false;
  b.apply("node-a", std::vector<CascadeMessage>{camera}, Clock::now());
  ASSERT_EQ(carol->count<sfu::event::TrackMuted>(), 2u);
  EXPECT_FALSE(carol->last<sfu::event::TrackMuted>().muted);
  EXPECT_FALSE(room_b->members().member("alice")->find_publication("TR_cam")->muted());
}

TEST_F(CascadeRoomTest, AnEncryptedRoomsAnnouncementsAndKeysReachTheOtherNodeOpaque) {
  sfu::RoomOptions encrypted;
  encrypted.settings.e2ee_required = true;
  sfu::Room secret_a("vault", encrypted, media, certificate),
      secret_b("vault", encrypted, media, certificate);
  CascadeRoom ca{secret_a, port_a, std::chrono::milliseconds(500)};
  CascadeRoom cb{secret_b, port_b, std::chrono::milliseconds(500)};
  for (auto [room, identity, sink] :
       {std::tuple{&secret_a, "alice", alice}, std::tuple{&secret_b, "carol", carol}}) {
    sfu::ParticipantInfo info;
    info.identity = info.name = identity;
    info.e2ee_supported = true;
    ASSERT_FALSE(room->join(info, sink, Clock::now()));
  }
  auto turn_encrypted = [&] {
    cb.apply("node-a", ca.state_for("node-b"), Clock::now());
    ca.apply("node-b", cb.state_for("node-a"), Clock::now());
  };
  TimePoint now = Clock::now();
  cb.link("node-a", ca.own_offer("node-b", now), port_a.local_address(), now);
  ca.link("node-b", cb.own_offer("node-a", now), port_b.local_address(), now);
  turn_encrypted();
  ASSERT_TRUE(secret_b.members().member("alice"))
      << "a participant who can encrypt joins the other node's room";

  secret_a.e2ee_announce("alice", "ANNOUNCEMENT-A");
  turn_encrypted();
  ASSERT_EQ(carol->count<sfu::event::E2eeAnnounce>(), 1u);
  EXPECT_EQ(carol->last<sfu::event::E2eeAnnounce>().from, "alice");
  EXPECT_EQ(carol->last<sfu::event::E2eeAnnounce>().announcement, "ANNOUNCEMENT-A");
  EXPECT_EQ(secret_b.members().member("alice")->e2ee_announcement(), "ANNOUNCEMENT-A");  // for later joiners
  turn_encrypted();
  EXPECT_EQ(carol->count<sfu::event::E2eeAnnounce>(), 1u);  // said again: nothing new

  // Carol wraps her key for alice, on the other node: relayed once, as sent.
  secret_b.e2ee_keys("carol", {sfu::E2eeKeyEnvelope{"alice", "WRAPPED-FOR-ALICE"}});
  EXPECT_EQ(carol->count<sfu::event::Error>(), 0u) << "alice is in carol's room";
  turn_encrypted();
  ASSERT_EQ(alice->count<sfu::event::E2eeKey>(), 1u);
  EXPECT_EQ(alice->last<sfu::event::E2eeKey>().from, "carol");
  EXPECT_EQ(alice->last<sfu::event::E2eeKey>().blob, "WRAPPED-FOR-ALICE");
  turn_encrypted();
  EXPECT_EQ(alice->count<sfu::event::E2eeKey>(), 1u);

  // A control POST that fails: its keys go with the next one.
  secret_b.e2ee_keys("carol", {sfu::E2eeKeyEnvelope{"alice", "SECOND"}});
  const auto lost = cb.state_for("node-a");
  cb.return_keys("node-a", lost);
  ca.apply("node-b", cb.state_for("node-a"), Clock::now());
  ASSERT_EQ(alice->count<sfu::event::E2eeKey>(), 2u);
  EXPECT_EQ(alice->last<sfu::event::E2eeKey>().blob, "SECOND");

  // A peer speaks only for its own participants, to this node's own.
  std::vector<CascadeMessage> forged{CascadeKey{"mallory", "alice", "X"}, CascadeKey{"alice", "alice", "X"}};
  ca.apply("node-b", forged, Clock::now());
  EXPECT_EQ(alice->count<sfu::event::E2eeKey>(), 2u);
}

TEST_F(CascadeRoomTest, ASilentPeerIsDroppedWithItsParticipants) {
  join(*room_a, "alice", alice);
  join(*room_b, "carol", carol);
  link();
  turn();
  ASSERT_TRUE(member(*room_a, "carol"));
  EXPECT_TRUE(a.drop_silent_peers(Clock::now() - std::chrono::seconds(6)).empty());
  auto dropped = a.drop_silent_peers(Clock::now() + std::chrono::seconds(1));
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].peer, "node-b");
  EXPECT_FALSE(member(*room_a, "carol"));
  EXPECT_TRUE(a.peers().empty());
  EXPECT_EQ(alice->last<sfu::event::ParticipantLeft>().identity, "carol");
}

TEST_F(CascadeRoomTest, APeerThatStartsAfreshGetsAFreshLink) {
  join(*room_a, "alice", alice);
  link();
  TimePoint now = Clock::now();
  const CascadeLinkOffer before = a.own_offer("node-b", now);
  a.link("node-b", b.own_offer("node-a", now), port_b.local_address(), now);  // the same again
  EXPECT_EQ(a.own_offer("node-b", now), before);
  EXPECT_NE(port_a.link(before.link_id), nullptr);
  CascadeLinkOffer restarted{port_b.unused_link_id(),
                             CascadeKeys::generate(srtp::SrtpProfile::AeadAes128Gcm)};
  a.link("node-b", restarted, port_b.local_address(), now);
  const CascadeLinkOffer after = a.own_offer("node-b", now);
  EXPECT_NE(after.link_id, before.link_id);
  EXPECT_NE(after.keys, before.keys);
  EXPECT_EQ(port_a.link(before.link_id), nullptr);
  EXPECT_NE(port_a.link(after.link_id), nullptr);
}

}  // namespace
}  // namespace ct::cascade
