#include <gtest/gtest.h>

#include "signal/ParticipantStatsJson.hpp"

namespace ct::signal {
namespace {

sfu::ParticipantStats sample() {
  sfu::ParticipantStats s;
  s.identity = "alice";
  s.connection_quality = "good";
  s.rtt_seconds = 0.0125;
  s.estimate_bps = 1'500'000;
  s.publisher = {true, net::SocketAddress::parse("127.0.0.1:50000")};
  s.subscriber = {false, std::nullopt};
  sfu::PublishedTrackStats video;
  video.sid = "TR_v";
  video.kind = "video";
  video.codec = "VP8";
  video.bitrate_bps = 800'000;
  video.packets = 1200;
  video.packets_lost = 3;
  video.loss_fraction = 0.25;
  video.jitter_seconds = 0.004;
  video.nacks_received = 2;
  video.plis_received = 1;
  video.layers = {{"q", 150'000, 300, 320, 180, true}, {"f", 650'000, 900, 1280, 720, false}};
  s.published.push_back(video);
  sfu::SubscribedTrackStats watched;
  watched.sid = "TR_b";
  watched.publisher = "bob";
  watched.kind = "video";
  watched.codec = "VP8";
  watched.bitrate_bps = 300'000;
  watched.packets = 500;
  watched.layer = 1;
  watched.target_layer = 2;
  s.subscribed.push_back(watched);
  sfu::SubscribedTrackStats reported = watched;
  reported.sid = "TR_a";
  reported.kind = "audio";
  reported.reported = true;
  reported.loss_fraction = 0.5;
  reported.packets_lost = 7;
  reported.jitter_seconds = 0.002;
  reported.layer = -1;
  reported.paused = true;
  s.subscribed.push_back(reported);
  return s;
}

TEST(ParticipantStatsJsonTest, RendersTheParticipantItsConnectionsAndUnitsAsDocumented) {
  auto j = ParticipantStatsJson::render("standup", sample());
  EXPECT_EQ(j["room"], "standup");
  EXPECT_EQ(j["identity"], "alice");
  EXPECT_EQ(j["connection_quality"], "good");
  EXPECT_DOUBLE_EQ(j["rtt_ms"].get<double>(), 12.5);
  EXPECT_EQ(j["bandwidth_estimate_bps"], 1'500'000);
  EXPECT_EQ(j["candidate_type"], "host");
  EXPECT_EQ(j["publisher_connection"]["connected"], true);
  EXPECT_EQ(j["publisher_connection"]["address"], "127.0.0.1:50000");
  EXPECT_TRUE(j["subscriber_connection"]["candidate_type"].is_null());
}

TEST(ParticipantStatsJsonTest, PublishedTracksCarryTheirLayers) {
  auto t = ParticipantStatsJson::render("r", sample())["published"][0];
  EXPECT_EQ(t["sid"], "TR_v");
  EXPECT_EQ(t["codec"], "VP8");
  EXPECT_EQ(t["bitrate_bps"], 800'000);
  EXPECT_EQ(t["packets_lost"], 3);
  EXPECT_DOUBLE_EQ(t["jitter_ms"].get<double>(), 4);
  EXPECT_EQ(t["nacks_received"], 2);
  EXPECT_EQ(t["plis_received"], 1);
  ASSERT_EQ(t["layers"].size(), 2u);
  EXPECT_EQ(t["layers"][1]["rid"], "f");
  EXPECT_EQ(t["layers"][1]["width"], 1280);
  EXPECT_EQ(t["layers"][1]["active"], false);
}

TEST(ParticipantStatsJsonTest, ReceiverNumbersAreNullUntilTheBrowserReportsThem) {
  auto subscribed = ParticipantStatsJson::render("r", sample())["subscribed"];
  ASSERT_EQ(subscribed.size(), 2u);
  EXPECT_TRUE(subscribed[0]["loss"].is_null());
  EXPECT_TRUE(subscribed[0]["jitter_ms"].is_null());
  EXPECT_EQ(subscribed[0]["layer"], 1);
  EXPECT_EQ(subscribed[0]["target_layer"], 2);
  EXPECT_DOUBLE_EQ(subscribed[1]["loss"].get<double>(), 0.5);
  EXPECT_EQ(subscribed[1]["packets_lost"], 7);
  EXPECT_DOUBLE_EQ(subscribed[1]["jitter_ms"].get<double>(), 2);
  EXPECT_TRUE(subscribed[1]["layer"].is_null());
  EXPECT_EQ(subscribed[1]["paused"], true);
}

TEST(ParticipantStatsJsonTest, NothingMeasuredYetIsNull) {
  sfu::ParticipantStats empty;
  empty.identity = "x";
  auto j = ParticipantStatsJson::render("r", empty);
  EXPECT_TRUE(j["rtt_ms"].is_null());
  EXPECT_TRUE(j["bandwidth_estimate_bps"].is_null());
  EXPECT_TRUE(j["candidate_type"].is_null());
  EXPECT_TRUE(j["published"].empty());
}

TEST(ParticipantStatsJsonTest, CandidateTypeFollowsTheAddressClass) {
  auto type = [](const char* a) {
    return ParticipantStatsJson::candidate_type(*net::SocketAddress::parse(a));
  };
  EXPECT_EQ(type("127.0.0.1:1"), "host");
  EXPECT_EQ(type("192.168.1.20:5000"), "host");
  EXPECT_EQ(type("10.0.0.7:5000"), "host");
  EXPECT_EQ(type("[fe80::1]:5000"), "host");
  EXPECT_EQ(type("203.0.113.9:40000"), "srflx");
  EXPECT_EQ(type("[2001:db8::1]:40000"), "srflx");
}

// A path through our TURN server comes from one of its relay sockets, which
// are this machine's own addresses: "relay", not "host".
TEST(ParticipantStatsJsonTest, OurTurnRelaySocketIsARelayCandidate) {
  const auto relay = *net::SocketAddress::parse("127.0.0.1:50001");
  ParticipantStatsJson::RelayCheck is_relay = [&](const net::SocketAddress& a) { return a == relay; };
  EXPECT_EQ(ParticipantStatsJson::candidate_type(relay, is_relay), "relay");
  EXPECT_EQ(ParticipantStatsJson::candidate_type(*net::SocketAddress::parse("127.0.0.1:50002"), is_relay),
            "host");
  EXPECT_EQ(ParticipantStatsJson::candidate_type(relay), "host");  // no TURN server to ask

  sfu::ParticipantStats s;
  s.identity = "bob";
  s.publisher.connected = true;
  s.publisher.remote_address = relay;
  auto j = ParticipantStatsJson::render("r", s, is_relay);
  EXPECT_EQ(j["candidate_type"], "relay");
  EXPECT_EQ(j["publisher_connection"]["candidate_type"], "relay");
}

}  // namespace
}  // namespace ct::signal
