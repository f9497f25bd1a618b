// The load client's SDP against the server's own negotiation and builders.
#include <gtest/gtest.h>

#include "loadtest/ClientSdp.hpp"
#include "sdp/DescriptionBuilder.hpp"
#include "sdp/Negotiation.hpp"
#include "sdp/SessionDescription.hpp"

namespace ct::loadtest {
namespace {

const LocalTransport kLocal{
    "abcd1234", "0123456789abcdefghijkl",
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"};

TEST(ClientSdp, PublisherOfferIsAcceptedByTheServersNegotiation) {
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
  EXPECT_EQ(video.codecs[0].pt, client_sdp::kVp8Pt);
  EXPECT_EQ(video.codecs[0].rtx_pt, client_sdp::kVp8RtxPt);
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

TEST(ClientSdp, VideoOnlyOfferHasOneSection) {
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

TEST(ClientSdp, AnswersTheServersSubscriberOfferAsDtlsClient) {
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

TEST(ClientSdp, ServerSdpWithoutWhatWeNeedIsAnError) {
  RemoteTransport remote;
  EXPECT_NE(read_remote_transport("garbage", remote), std::nullopt);
  auto t = server_transport();
  t.candidates.clear();
  sdp::OfferSection video;
  video.mid = "0";
  video.codecs = {sdp::NegotiatedCodec{96, "VP8", 90000, 0, "", {}, std::nullopt}};
  EXPECT_NE(read_remote_transport(sdp::build_offer({video}, t).serialize(), remote), std::nullopt);
  auto short_pwd = server_transport();
  short_pwd.ice_pwd = "tooshort";
  EXPECT_NE(read_remote_transport(sdp::build_offer({video}, short_pwd).serialize(), remote), std::nullopt);
  auto bad_fingerprint = server_transport();
  bad_fingerprint.fingerprint_sha256 = "AA:BB:CC";
  auto error = read_remote_transport(sdp::build_offer({video}, bad_fingerprint).serialize(), remote);
  ASSERT_NE(error, std::nullopt);
  EXPECT_NE(error->find("fingerprint"), std::string::npos);
  std::string answer;
  EXPECT_NE(answer_subscriber_offer("v=0\r\n", kLocal, answer), std::nullopt);
}

// Every cut of a valid server offer is refused with a reason or read as a
// usable transport (credentials, fingerprint, an IPv4 candidate).
TEST(ClientSdp, TruncatedServerSdpIsRefusedOrUsable) {
  sdp::OfferSection video;
  video.kind = sdp::MediaKind::video;
  video.mid = "0";
  video.codecs = {sdp::NegotiatedCodec{96, "VP8", 90000, 0, "", {"nack"}, 97}};
  video.stream = sdp::LocalStream{5555, 6666, "cname", "stream", "track"};
  const std::string offer = sdp::build_offer({video}, server_transport()).serialize();
  size_t refused = 0;
  for (size_t cut = 0; cut <= offer.size(); ++cut) {
    RemoteTransport remote;
    if (auto error = read_remote_transport(offer.substr(0, cut), remote)) {
      EXPECT_FALSE(error->empty());
      ++refused;
      continue;
    }
    EXPECT_EQ(remote.ice_ufrag, "srvr") << cut;
    EXPECT_EQ(remote.ice_pwd, "serverpasswordserverpw") << cut;
    EXPECT_EQ(remote.fingerprint_value, kLocal.fingerprint_sha256) << cut;
    EXPECT_TRUE(remote.candidate.is_v4()) << cut;
  }
  EXPECT_GT(refused, offer.size() / 2);  // before the candidate line, nothing is usable
  RemoteTransport whole;
  EXPECT_EQ(read_remote_transport(offer, whole), std::nullopt);
}

// As Chromium offers simulcast: RIDs lowest first, the simulcast list, the
// RID extensions, and no SSRC lines for the video.
TEST(ClientSdp, SimulcastOfferListsTheLayersAsChromiumDoes) {
  PublisherOfferParams p{kLocal, "pub0", 1111, 2222, std::nullopt, {"q", "h", "f"}};
  const auto text = build_publisher_offer(p);
  EXPECT_NE(text.find("a=simulcast:send q;h;f\r\n"), std::string::npos);
  EXPECT_EQ(text.find("a=ssrc:"), std::string::npos);
  auto offer = sdp::SessionDescription::parse(text);
  ASSERT_TRUE(offer) << offer.error();
  auto negotiation = sdp::negotiate(*offer, sdp::CodecPolicy::defaults());
  ASSERT_TRUE(negotiation) << negotiation.error();
  const auto& video = negotiation->media[0];
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0].id, "q");
  EXPECT_EQ(video.rids[2].id, "f");
  EXPECT_EQ(video.simulcast_send, "q;h;f");
  EXPECT_TRUE(video.remote_ssrcs.empty());
  bool rid = false, repaired = false;
  for (const auto& e : video.extensions) {
    rid |= e.uri == sdp::ext_uri::rid && e.id == client_sdp::kRidId;
    repaired |= e.uri == sdp::ext_uri::repaired_rid && e.id == client_sdp::kRepairedRidId;
  }
  EXPECT_TRUE(rid);
  EXPECT_TRUE(repaired);
}

}  // namespace
}  // namespace ct::loadtest
