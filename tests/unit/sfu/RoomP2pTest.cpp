// A `p2p` room: everyone hears the connection mode on join and on every
// change, and direct-connection signaling reaches exactly the named peer.
#include "RoomTestSupport.hpp"
#include "sfu/P2pRelay.hpp"

namespace ct::sfu::testing {
namespace {

class RoomP2p : public RoomFixture {
 protected:
  void make_p2p_room(uint32_t max = 2) {
    RoomOptions options;
    options.settings.p2p = true;
    options.settings.p2p_max = max;
    make_room(options);
  }
  static P2pSignal offer_to(const std::string& peer, std::string sdp = "v=0\r\n") {
    P2pSignal s;
    s.peer = peer;
    s.sdp = std::move(sdp);
    return s;
  }
  static std::vector<std::string> peers(const event::ConnectionMode& m) { return m.peers; }
};

TEST_F(RoomP2p, EveryoneHearsTheModeOnJoinAndWhenItChanges) {
  make_p2p_room();
  auto& a = join("alice");
  auto mode = a.sink->last<event::ConnectionMode>();
  EXPECT_TRUE(mode.p2p);
  EXPECT_EQ(mode.peers, (std::vector<std::string>{"alice"}));
  auto& b = join("bob");
  EXPECT_EQ(peers(a.sink->last<event::ConnectionMode>()), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(peers(b.sink->last<event::ConnectionMode>()), (std::vector<std::string>{"alice", "bob"}));
  // The joiner hears the mode right after joined, before any offer it may answer.
  EXPECT_TRUE(std::holds_alternative<event::Joined>(b.sink->events.front()));
  EXPECT_TRUE(std::holds_alternative<event::ConnectionMode>(b.sink->events.at(1)));

  auto& c = join("carol");
  for (auto* s : {a.sink.get(), b.sink.get(), c.sink.get()}) {
    EXPECT_FALSE(s->last<event::ConnectionMode>().p2p);
    EXPECT_TRUE(s->last<event::ConnectionMode>().peers.empty());
  }
  EXPECT_EQ(c.sink->count<event::ConnectionMode>(), 1u);

  // Carol leaves: two again, direct only after the delay.
  room->leave("carol", "left");
  const auto heard = a.sink->count<event::ConnectionMode>();
  const TimePoint now = Clock::now();
  room->on_tick(now);
  room->on_tick(now + seconds(4));
  EXPECT_EQ(a.sink->count<event::ConnectionMode>(), heard);
  room->on_tick(now + seconds(6));
  EXPECT_EQ(a.sink->count<event::ConnectionMode>(), heard + 1);
  EXPECT_TRUE(a.sink->last<event::ConnectionMode>().p2p);
  EXPECT_TRUE(b.sink->last<event::ConnectionMode>().p2p);
  EXPECT_EQ(peers(b.sink->last<event::ConnectionMode>()), (std::vector<std::string>{"alice", "bob"}));
}

TEST_F(RoomP2p, APlainRoomSaysNothingAboutModesAndRefusesRelays) {
  make_room();
  auto& a = join("alice");
  auto& b = join("bob");
  room->on_tick(Clock::now());
  EXPECT_EQ(a.sink->count<event::ConnectionMode>(), 0u);
  room->p2p_signal("alice", offer_to("bob"));
  EXPECT_EQ(b.sink->count<P2pSignal>(), 0u);
  EXPECT_EQ(a.sink->last<event::Error>().code, "p2p_not_active");
}

TEST_F(RoomP2p, SignalingGoesToTheNamedPeerOnlyAndSaysWhoFrom) {
  make_p2p_room(3);
  auto& a = join("alice");
  auto& b = join("bob");
  auto& c = join("carol");
  room->p2p_signal("alice", offer_to("bob", "v=0 offer"));
  ASSERT_EQ(b.sink->count<P2pSignal>(), 1u);
  auto got = b.sink->last<P2pSignal>();
  EXPECT_EQ(got.kind, P2pSignal::Kind::offer);
  EXPECT_EQ(got.peer, "alice");
  EXPECT_EQ(got.sdp, "v=0 offer");
  EXPECT_EQ(c.sink->count<P2pSignal>(), 0u);
  EXPECT_EQ(a.sink->count<P2pSignal>(), 0u);

  P2pSignal candidate;
  candidate.kind = P2pSignal::Kind::candidate;
  candidate.peer = "alice";
  candidate.candidate = {"candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host", "0", 0, "ufrag"};
  room->p2p_signal("carol", candidate);
  ASSERT_EQ(a.sink->count<P2pSignal>(), 1u);
  EXPECT_EQ(a.sink->last<P2pSignal>().peer, "carol");
  EXPECT_EQ(a.sink->last<P2pSignal>().candidate.candidate, candidate.candidate.candidate);

  // Nobody by that name, or yourself: refused, nobody hears.
  room->p2p_signal("alice", offer_to("mallory"));
  EXPECT_EQ(a.sink->last<event::Error>().code, "recipient_not_found");
  room->p2p_signal("alice", offer_to("alice"));
  EXPECT_EQ(a.sink->count<event::Error>(), 2u);
  EXPECT_EQ(a.sink->count<P2pSignal>(), 1u);
  // Over the size limit (the parser refuses it first; the room checks again).
  room->p2p_signal("alice", offer_to("bob", std::string(P2pRelay::kMaxSdp + 1, 'x')));
  EXPECT_EQ(a.sink->last<event::Error>().code, "bad_message");
  EXPECT_EQ(b.sink->count<P2pSignal>(), 1u);
}

TEST_F(RoomP2p, NoRelayOnceTheRoomIsOnTheSfu) {
  make_p2p_room();
  auto& a = join("alice");
  auto& b = join("bob");
  join("carol");
  room->p2p_signal("alice", offer_to("bob"));
  EXPECT_EQ(b.sink->count<P2pSignal>(), 0u);
  EXPECT_EQ(a.sink->last<event::Error>().code, "p2p_not_active");
}

TEST_F(RoomP2p, AReportedFailureMovesEveryoneToTheSfuAndKeepsThemThere) {
  make_p2p_room();
  auto& a = join("alice");
  auto& b = join("bob");
  P2pSignal failed;
  failed.kind = P2pSignal::Kind::failed;
  failed.peer = "bob";
  room->p2p_signal("alice", failed);
  EXPECT_FALSE(a.sink->last<event::ConnectionMode>().p2p);
  EXPECT_FALSE(b.sink->last<event::ConnectionMode>().p2p);
  EXPECT_EQ(b.sink->count<P2pSignal>(), 0u);  // a failure is the server's business
  const auto heard = b.sink->count<event::ConnectionMode>();
  room->on_tick(Clock::now() + seconds(30));
  EXPECT_EQ(b.sink->count<event::ConnectionMode>(), heard);
  EXPECT_FALSE(b.sink->last<event::ConnectionMode>().p2p);
}

TEST_F(RoomP2p, AHiddenParticipantNeedsTheSfu) {
  make_p2p_room();
  auto& a = join("alice");
  ParticipantInfo hidden;
  hidden.hidden = true;
  hidden.can_publish = false;
  auto& h = join("monitor", hidden);
  EXPECT_FALSE(a.sink->last<event::ConnectionMode>().p2p);
  EXPECT_FALSE(h.sink->last<event::ConnectionMode>().p2p);
  room->leave("monitor", "left");
  const TimePoint now = Clock::now();
  room->on_tick(now);
  room->on_tick(now + seconds(6));
  EXPECT_TRUE(a.sink->last<event::ConnectionMode>().p2p);
}

TEST_F(RoomP2p, AResumedParticipantHearsTheModeAgain) {
  make_p2p_room();
  join("alice");
  auto& b = join("bob");
  // Bob's socket drops and he resumes on a new one: right after the room as
  // it is, he hears the mode, which the old socket may have lost.
  auto resumed = std::make_shared<RecordingSink>();
  ASSERT_TRUE(room->replace_sink("bob", resumed));
  ASSERT_EQ(resumed->count<event::ConnectionMode>(), 1u);
  EXPECT_TRUE(std::holds_alternative<event::Joined>(resumed->events.front()));
  EXPECT_TRUE(std::holds_alternative<event::ConnectionMode>(resumed->events.at(1)));
  EXPECT_TRUE(resumed->last<event::ConnectionMode>().p2p);
  EXPECT_EQ(peers(resumed->last<event::ConnectionMode>()), (std::vector<std::string>{"alice", "bob"}));

  // The mode changed while he was away (carol came): the resume says so.
  join("carol");
  auto again = std::make_shared<RecordingSink>();
  ASSERT_TRUE(room->replace_sink("bob", again));
  ASSERT_EQ(again->count<event::ConnectionMode>(), 1u);
  EXPECT_FALSE(again->last<event::ConnectionMode>().p2p);
  EXPECT_TRUE(again->last<event::ConnectionMode>().peers.empty());
  EXPECT_EQ(b.sink->count<event::Removed>(), 1u);
}

TEST_F(RoomP2p, APlainRoomSaysNoModeOnResume) {
  make_room();
  join("alice");
  auto resumed = std::make_shared<RecordingSink>();
  ASSERT_TRUE(room->replace_sink("alice", resumed));
  EXPECT_EQ(resumed->count<event::Joined>(), 1u);
  EXPECT_EQ(resumed->count<event::ConnectionMode>(), 0u);
}

std::string quality_of(const RecordingSink& sink, const std::string& identity) {
  std::string last;
  for (const auto& u : sink.all<event::ConnectionQuality>())
    for (const auto& q : u.updates)
      if (q.identity == identity) last = q.quality;
  return last;
}

TEST_F(RoomP2p, TheServerDoesNotJudgeParticipantsWhoseMediaGoesDirect) {
  make_p2p_room();
  auto& a = join("alice");
  join("bob");
  TimePoint now = Clock::now();
  room->on_tick(now);
  room->on_tick(now + seconds(3));
  // Direct: the server sees none of their media, so it says it cannot tell.
  EXPECT_EQ(quality_of(*a.sink, "alice"), "unknown");
  EXPECT_EQ(quality_of(*a.sink, "bob"), "unknown");

  // Carol joins: everyone moves to the SFU. The window of the switch is not
  // judged either (tracks come back to the SFU only now); the next one is.
  join("carol");
  room->on_tick(now + seconds(5));
  EXPECT_EQ(quality_of(*a.sink, "bob"), "unknown");
  EXPECT_EQ(quality_of(*a.sink, "carol"), "excellent");
  room->on_tick(now + seconds(7));
  EXPECT_EQ(quality_of(*a.sink, "bob"), "excellent");
  EXPECT_EQ(quality_of(*a.sink, "alice"), "excellent");
}

}  // namespace
}  // namespace ct::sfu::testing
