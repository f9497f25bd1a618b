// The load client's pure parts: its SDP against the server's own negotiation
// and builders, the URL, the /proc reading and the report.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app/LoadTestCommand.hpp"
#include "app/LoadTestSdp.hpp"
#include "sdp/DescriptionBuilder.hpp"
#include "sdp/Negotiation.hpp"
#include "sdp/SessionDescription.hpp"

namespace ct::app {
namespace {

const LocalTransport kLocal{"abcd1234", "0123456789abcdefghijkl",
                            "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"};

TEST(LoadTestSdp, PublisherOfferIsAcceptedByTheServersNegotiation) {
  PublisherOfferParams p{kLocal, "pub0", 1111, 2222, 3333};
  auto text = build_publisher_offer(p);
  auto offer = sdp::SessionDescription::parse(text);
  ASSERT_TRUE(offer) << offer.error();
  auto negotiation = sdp::negotiate(*offer, sdp::CodecPolicy::defaults());
  ASSERT_TRUE(negotiation) << negotiation.error();
  ASSERT_EQ(negotiation->media.size(), 2u);
  const auto& video = negotiation->media[0];
  EXPECT_FALSE(video.rejected);
  EXPECT_EQ(video.mid, "0");
  ASSERT_FALSE(video.codecs.empty());
  EXPECT_EQ(video.codecs[0].name, "VP8");
  EXPECT_EQ(video.codecs[0].pt, loadtest_sdp::kVp8Pt);
  EXPECT_EQ(video.codecs[0].rtx_pt, loadtest_sdp::kVp8RtxPt);
  EXPECT_EQ(video.remote_ssrcs, std::vector<uint32_t>{1111});
  ASSERT_EQ(video.remote_rtx_ssrcs.size(), 1u);
  EXPECT_EQ(video.remote_rtx_ssrcs[0].second, 2222u);
  const auto& audio = negotiation->media[1];
  EXPECT_FALSE(audio.rejected);
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.remote_ssrcs, std::vector<uint32_t>{3333});
  EXPECT_EQ(negotiation->remote_ice_ufrag, kLocal.ice_ufrag);
  EXPECT_EQ(negotiation->remote_fingerprint.value, kLocal.fingerprint_sha256);
  EXPECT_EQ(negotiation->remote_setup, sdp::Setup::actpass);
}

TEST(LoadTestSdp, VideoOnlyOfferHasOneSection) {
  PublisherOfferParams p{kLocal, "pub0", 1111, 2222, std::nullopt};
  auto offer = sdp::SessionDescription::parse(build_publisher_offer(p));
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->media.size(), 1u);
  ASSERT_NE(offer->find_group("BUNDLE"), nullptr);
  EXPECT_EQ(offer->find_group("BUNDLE")->mids, std::vector<std::string>{"0"});
}

sdp::TransportParams server_transport() {
  sdp::TransportParams t;
  t.ice_ufrag = "srvr";
  t.ice_pwd = "serverpasswordserverpw";
  t.fingerprint_sha256 = kLocal.fingerprint_sha256;
  sdp::Candidate c;
  c.foundation = "1";
  c.priority = 2130706431;
  c.address = "127.0.0.1";
  c.port = 7882;
  t.candidates = {c};
  return t;
}

TEST(LoadTestSdp, AnswersTheServersSubscriberOfferAsDtlsClient) {
  sdp::OfferSection video;
  video.kind = sdp::MediaKind::video;
  video.mid = "0";
  video.codecs = {sdp::NegotiatedCodec{96, "VP8", 90000, 0, "", {"nack", "nack pli"}, 97}};
  video.stream = sdp::LocalStream{5555, 6666, "cname", "stream", "track"};
  auto t = server_transport();
  t.setup = sdp::Setup::actpass;
  std::string offer = sdp::build_offer({video}, t).serialize();

  RemoteTransport remote;
  ASSERT_EQ(read_remote_transport(offer, remote), std::nullopt);
  EXPECT_EQ(remote.ice_ufrag, "srvr");
  EXPECT_EQ(remote.ice_pwd, "serverpasswordserverpw");
  EXPECT_EQ(remote.candidate, *net::SocketAddress::parse("127.0.0.1:7882"));
  EXPECT_EQ(remote.fingerprint_value, kLocal.fingerprint_sha256);

  std::string answer_text;
  ASSERT_EQ(answer_subscriber_offer(offer, kLocal, answer_text), std::nullopt);
  auto answer = sdp::SessionDescription::parse(answer_text);
  ASSERT_TRUE(answer) << answer.error();
  ASSERT_EQ(answer->media.size(), 1u);
  const auto& m = answer->media[0];
  EXPECT_NE(m.port, 0);
  EXPECT_EQ(m.effective_direction(), sdp::Direction::recvonly);
  EXPECT_EQ(m.setup.value_or(answer->setup.value_or(sdp::Setup::holdconn)), sdp::Setup::active);
  EXPECT_EQ(m.ice_ufrag.empty() ? answer->ice_ufrag : m.ice_ufrag, kLocal.ice_ufrag);
  EXPECT_FALSE(answer->ice_lite);
}

TEST(LoadTestSdp, ServerSdpWithoutWhatWeNeedIsAnError) {
  RemoteTransport remote;
  EXPECT_NE(read_remote_transport("garbage", remote), std::nullopt);
  auto t = server_transport();
  t.candidates.clear();
  sdp::OfferSection video;
  video.mid = "0";
  video.codecs = {sdp::NegotiatedCodec{96, "VP8", 90000, 0, "", {}, std::nullopt}};
  EXPECT_NE(read_remote_transport(sdp::build_offer({video}, t).serialize(), remote), std::nullopt);
  std::string answer;
  EXPECT_NE(answer_subscriber_offer("v=0\r\n", kLocal, answer), std::nullopt);
}

TEST(LoadTestCommand, ParsesWebSocketUrls) {
  auto u = parse_ws_url("ws://127.0.0.1:7880");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 7880);
  EXPECT_EQ(u->path, "/rtc");
  u = parse_ws_url("ws://example.com/custom/rtc");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->path, "/custom/rtc");
  u = parse_ws_url("ws://[::1]:9000/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->path, "/rtc");
  for (const char* bad : {"", "http://x", "wss://x:1", "ws://", "ws://:80", "ws://h:0", "ws://h:99999", "ws://h:8a",
                          "ws://[::1", "ws://[::1]x"}) {
    EXPECT_FALSE(parse_ws_url(bad)) << bad;
  }
}

TEST(LoadTestCommand, ReadsOwnCpuTimeFromProc) {
  volatile double x = 0;
  for (int i = 0; i < 20000000; ++i) x = x + 1.0;
  auto cpu = process_cpu_seconds(int(::getpid()));
  ASSERT_TRUE(cpu);
  EXPECT_GT(*cpu, 0.0);
  EXPECT_FALSE(process_cpu_seconds(-5));
}

TEST(LoadTestCommand, ReportsAsTextAndJson) {
  LoadTestResult r;
  r.ok = true;
  r.publishers = 1;
  r.subscribers = 2;
  r.packets_sent = 1000;
  r.received_min = 990;
  r.received_max = 1000;
  r.received_total = 1990;
  r.received_avg = 995;
  r.loss_percent = 0.5;
  r.server_cpu_s = 0.01;
  auto j = nlohmann::json::parse(format_result_json(r));
  EXPECT_EQ(j["packets_sent"], 1000);
  EXPECT_EQ(j["received_min"], 990);
  EXPECT_DOUBLE_EQ(j["server_packets_per_cpu_s"].get<double>(), 199000.0);
  EXPECT_NEAR(j["server_us_per_packet"].get<double>(), 5.025, 0.001);
  EXPECT_NE(format_result_text(r).find("min 990"), std::string::npos);

  LoadTestResult failed;
  failed.error = "no server";
  EXPECT_EQ(nlohmann::json::parse(format_result_json(failed))["error"], "no server");
  EXPECT_NE(format_result_text(failed).find("no server"), std::string::npos);
}

TEST(LoadTestCommand, RefusesABadUrlWithoutConnecting) {
  LoadTestOptions o;
  o.url = "http://127.0.0.1:1";
  auto r = run_load_test(o);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("--url"), std::string::npos);
}

}  // namespace
}  // namespace ct::app
