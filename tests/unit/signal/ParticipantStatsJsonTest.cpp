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
  s.publisher = {true, net::SocketAddress::parse("127.0.0.1:50000"), "host"};
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

// The type the browser signaled for the address its checks come from; a
// check from an address it signaled nothing for is peer-reflexive.
TEST(ParticipantStatsJsonTest, CandidateTypeIsTheSignaledOneElsePeerReflexive) {
  sfu::ConnectionStats c{true, net::SocketAddress::parse("203.0.113.9:40000"), "srflx"};
  EXPECT_EQ(ParticipantStatsJson::candidate_type(c), "srflx");
  c.candidate_type = "host";
  EXPECT_EQ(ParticipantStatsJson::candidate_type(c), "host");
  c.candidate_type.reset();
  EXPECT_EQ(ParticipantStatsJson::candidate_type(c), "prflx");
  c.remote_address.reset();
  EXPECT_TRUE(ParticipantStatsJson::candidate_type(c).is_null());  // no path yet

  sfu::ParticipantStats s;
  s.identity = "carol";
  s.publisher = {true, net::SocketAddress::parse("198.51.100.4:6000"), std::nullopt};
  s.subscriber = {true, net::SocketAddress::parse("10.1.1.1:6001"), "host"};
  auto j = ParticipantStatsJson::render("r", s);
  EXPECT_EQ(j["candidate_type"], "prflx");
  EXPECT_EQ(j["publisher_connection"]["candidate_type"], "prflx");
  EXPECT_EQ(j["subscriber_connection"]["candidate_type"], "host");
}

// A path through our TURN server comes from one of its relay sockets, which
// are this machine's own addresses: "relay", not "host".
TEST(ParticipantStatsJsonTest, OurTurnRelaySocketIsARelayCandidate) {
  const auto relay = *net::SocketAddress::parse("127.0.0.1:50001");
  ParticipantStatsJson::RelayCheck is_relay = [&](const net::SocketAddress& a) { return a == relay; };
  EXPECT_EQ(ParticipantStatsJson::candidate_type({true, relay, "relay"}, is_relay), "relay");
  EXPECT_EQ(ParticipantStatsJson::candidate_type({true, relay, std::nullopt}, is_relay), "relay");
  EXPECT_EQ(ParticipantStatsJson::candidate_type(
                {true, *net::SocketAddress::parse("127.0.0.1:50002"), "host"}, is_relay),
            "host");

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
