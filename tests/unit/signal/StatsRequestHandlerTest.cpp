// get_stats: the reply a participant gets about itself and about one
// publisher, what it must never contain, and the per-connection rate limit.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include "dtls/DtlsCertificate.hpp"
#include "sfu/Room.hpp"
#include "signal/RtcService.hpp"
#include "signal/StatsRequestHandler.hpp"
#include "webrtc/MediaPort.hpp"

namespace ct::signal {
namespace {

using Json = nlohmann::json;

// What a connection would send: every message, parsed.
struct SentMessages final : MovableSession {
  void send_text(std::string message) override { messages.push_back(Json::parse(message)); }
  void send_move(std::string) override {}
  void moved_away() override {}
  std::vector<Json> messages;
};

struct NoEvents final : sfu::ParticipantSink {
  void deliver(sfu::RoomEvent) override {}
};

sfu::ParticipantStats alice() {
  sfu::ParticipantStats s;
  s.identity = "alice";
  s.connection_quality = "good";
  s.rtt_seconds = 0.020;
  s.estimate_bps = 2'000'000;
  s.publisher = {true, net::SocketAddress::parse("203.0.113.7:50000"), "srflx"};
  s.subscriber = {true, net::SocketAddress::parse("192.168.1.20:50001"), "host"};
  sfu::PublishedTrackStats camera;
  camera.sid = "TR_alice_cam";
  camera.kind = "video";
  camera.bitrate_bps = 700'000;
  s.published.push_back(camera);
  for (const char* publisher : {"bob", "carol"}) {
    sfu::SubscribedTrackStats t;
    t.sid = std::string("TR_") + publisher;
    t.publisher = publisher;
    t.kind = "video";
    t.bitrate_bps = 300'000;
    t.layer = 1;
    t.target_layer = 2;
    t.nacks = 4;
    t.plis = 1;
    s.subscribed.push_back(t);
  }
  return s;
}

sfu::ParticipantStats bob() {
  sfu::ParticipantStats s;
  s.identity = "bob";
  s.connection_quality = "poor";
  s.rtt_seconds = 0.150;
  s.estimate_bps = 400'000;
  s.publisher = {true, net::SocketAddress::parse("198.51.100.9:40000")};
  sfu::PublishedTrackStats camera;
  camera.sid = "TR_bob";
  camera.kind = "video";
  camera.bitrate_bps = 310'000;
  camera.loss_fraction = 0.05;
  camera.layers = {{"q", 100'000, 200, 320, 180, true}, {"h", 210'000, 400, 640, 360, true}};
  s.published.push_back(camera);
  return s;
}

TEST(StatsRequestHandler, YourOwnViewHasYourConnectionsAndTracksButNoAddresses) {
  request::GetStats r{"7", std::nullopt};
  const Json j = StatsRequestHandler::render(r, alice(), nullptr);
  EXPECT_EQ(j["type"], "stats");
  EXPECT_EQ(j["request_id"], "7");
  EXPECT_TRUE(j["participant"].is_null());
  EXPECT_EQ(j["connection_quality"], "good");
  EXPECT_DOUBLE_EQ(j["rtt_ms"].get<double>(), 20);
  EXPECT_EQ(j["bandwidth_estimate_bps"], 2'000'000);
  EXPECT_EQ(j["publisher_connection"]["candidate_type"], "srflx");
  EXPECT_EQ(j["subscriber_connection"]["candidate_type"], "host");
  ASSERT_EQ(j["published"].size(), 1u);
  EXPECT_EQ(j["published"][0]["sid"], "TR_alice_cam");
  EXPECT_EQ(j["subscribed"].size(), 2u);
  EXPECT_FALSE(j.contains("publisher"));
  const std::string text = j.dump();
  EXPECT_EQ(text.find("203.0.113.7"), std::string::npos);
  EXPECT_EQ(text.find("192.168.1.20"), std::string::npos);
}

TEST(StatsRequestHandler, AboutAPublisherWhatYouReceiveOfItAndItsPublicQualityOnly) {
  request::GetStats r{"8", "bob"};
  const auto b = bob();
  const Json j = StatsRequestHandler::render(r, alice(), &b);
  EXPECT_EQ(j["participant"], "bob");
  // What the server sends me of bob: his track only, with the layer and my feedback.
  ASSERT_EQ(j["subscribed"].size(), 1u);
  EXPECT_EQ(j["subscribed"][0]["sid"], "TR_bob");
  EXPECT_EQ(j["subscribed"][0]["bitrate_bps"], 300'000);
  EXPECT_EQ(j["subscribed"][0]["layer"], 1);
  EXPECT_EQ(j["subscribed"][0]["nacks"], 4);
  EXPECT_EQ(j["subscribed"][0]["plis"], 1);
  // My own path still (it is the one bob's media reaches me on).
  EXPECT_EQ(j["subscriber_connection"]["candidate_type"], "host");
  EXPECT_DOUBLE_EQ(j["rtt_ms"].get<double>(), 20);
  EXPECT_FALSE(j.contains("published"));
  // Bob: how his media reaches the server, nothing of his paths.
  EXPECT_EQ(j["publisher"]["identity"], "bob");
  EXPECT_EQ(j["publisher"]["connection_quality"], "poor");
  ASSERT_EQ(j["publisher"]["published"].size(), 1u);
  EXPECT_EQ(j["publisher"]["published"][0]["bitrate_bps"], 310'000);
  EXPECT_EQ(j["publisher"]["published"][0]["layers"].size(), 2u);
  for (const char* key : {"rtt_ms", "candidate_type", "publisher_connection", "subscriber_connection",
                          "bandwidth_estimate_bps", "subscribed", "address"})
    EXPECT_FALSE(j["publisher"].contains(key)) << key;
  EXPECT_EQ(j.dump().find("198.51.100.9"), std::string::npos);
}

TEST(StatsRequestHandler, ErrorsNameTheRequestTheyAnswer) {
  const Json e = StatsRequestHandler::error(request::GetStats{"x1", "bob"}, "rate_limited", "slow down");
  EXPECT_EQ(e["type"], "error");
  EXPECT_EQ(e["code"], "rate_limited");
  EXPECT_EQ(e["request"], "get_stats");
  EXPECT_EQ(e["request_id"], "x1");
}

class StatsRequestHandlerInRoom : public ::testing::Test {
 protected:
  void SetUp() override {
    port = std::make_unique<webrtc::MediaPort>(io, *net::SocketAddress::parse("127.0.0.1:0"), "");
    port->start();
    room = std::make_unique<sfu::Room>("standup", sfu::RoomOptions{}, *port, certificate);
    for (const char* identity : {"alice", "bob", "observer"}) {
      sfu::ParticipantInfo info;
      info.identity = info.name = identity;
      info.can_publish = info.can_subscribe = true;
      info.hidden = std::string(identity) == "observer";
      ASSERT_FALSE(room->join(info, std::make_shared<NoEvents>(), Clock::now()));
    }
  }
  void TearDown() override {
    room.reset();
    port->close();
  }
  // Runs alice's request the way a connection does: admitted, then on the room.
  Json ask(std::optional<std::string> participant) {
    auto work = handler.admit(request::GetStats{"r", std::move(participant)}, "alice", session, Clock::now());
    EXPECT_TRUE(work);
    if (work) (*work)(*room);
    EXPECT_FALSE(session->messages.empty());
    return session->messages.empty() ? Json() : session->messages.back();
  }

  boost::asio::io_context io;
  dtls::DtlsCertificate certificate;
  std::unique_ptr<webrtc::MediaPort> port;
  std::unique_ptr<sfu::Room> room;
  std::shared_ptr<RtcService> service =
      std::make_shared<RtcService>(RtcServiceConfig{}, std::vector<sfu::MediaWorker*>{});
  std::shared_ptr<SentMessages> session = std::make_shared<SentMessages>();
  StatsRequestHandler handler{service};
};

TEST_F(StatsRequestHandlerInRoom, AnswersForYourselfAndForAnotherParticipant) {
  Json mine = ask(std::nullopt);
  EXPECT_EQ(mine["type"], "stats");
  EXPECT_TRUE(mine["participant"].is_null());
  EXPECT_EQ(mine["publisher_connection"]["connected"], false);
  Json yourself = ask("alice");  // the same as asking without a participant
  EXPECT_TRUE(yourself["participant"].is_null());
  EXPECT_TRUE(yourself.contains("published"));
  Json about_bob = ask("bob");
  EXPECT_EQ(about_bob["type"], "stats");
  EXPECT_EQ(about_bob["publisher"]["identity"], "bob");
}

TEST_F(StatsRequestHandlerInRoom, NobodyAndHiddenParticipantsAreNotFound) {
  for (const char* who : {"nobody", "observer"}) {
    Json j = ask(who);
    EXPECT_EQ(j["type"], "error") << who;
    EXPECT_EQ(j["code"], "participant_not_found") << who;
    EXPECT_EQ(j["request_id"], "r");
  }
}

TEST(StatsRequestHandlerRate, RefusesBeyondTheRateWithAnErrorAndRecoversInTime) {
  auto service = std::make_shared<RtcService>(RtcServiceConfig{}, std::vector<sfu::MediaWorker*>{});
  auto session = std::make_shared<SentMessages>();
  StatsRequestHandler handler(service);
  const TimePoint t0 = Clock::now();
  const auto errors_before = service->stats().errors.at("rate_limited");
  size_t admitted = 0;
  for (int i = 0; i < 20; ++i)
    admitted +=
        handler.admit(request::GetStats{std::to_string(i), std::nullopt}, "alice", session, t0) ? 1 : 0;
  EXPECT_EQ(admitted, size_t(StatsRequestHandler::kBurst));
  ASSERT_EQ(session->messages.size(), 20u - admitted);
  EXPECT_EQ(session->messages.front()["code"], "rate_limited");
  EXPECT_EQ(session->messages.front()["request_id"], std::to_string(admitted));
  EXPECT_EQ(service->stats().errors.at("rate_limited"), errors_before + 20 - admitted);
  // A panel asking once a second is never refused.
  for (int s = 1; s <= 30; ++s)
    EXPECT_TRUE(handler.admit(request::GetStats{"p", "bob"}, "alice", session, t0 + seconds(s))) << s;
}

}  // namespace
}  // namespace ct::signal
