#include "sdp/SessionDescription.hpp"

#include <gtest/gtest.h>

#include <random>

#include "Fixtures.hpp"

namespace ct::sdp {
namespace {

using test::fixture_names;
using test::load_fixture;

SessionDescription parse_ok(const std::string& text) {
  auto r = SessionDescription::parse(text);
  EXPECT_TRUE(r.ok()) << r.error();
  return r.ok() ? std::move(r).value() : SessionDescription{};
}

std::string to_lf(std::string s) {
  std::string out;
  for (char c : s)
    if (c != '\r') out += c;
  return out;
}

// parse(serialize(x)) must give x back for anything parse accepted.
void expect_round_trip(const SessionDescription& sd) {
  std::string text = sd.serialize();
  auto again = SessionDescription::parse(text);
  ASSERT_TRUE(again.ok()) << again.error() << "\n" << text;
  EXPECT_EQ(*again, sd) << text;
  EXPECT_EQ(again->serialize(), text);
}

TEST(SessionDescription, EveryFixtureParses) {
  for (const auto& name : fixture_names()) {
    std::string text = load_fixture(name);
    ASSERT_FALSE(text.empty()) << name;
    auto crlf = SessionDescription::parse(text);
    ASSERT_TRUE(crlf.ok()) << name << ": " << crlf.error();
    auto lf = SessionDescription::parse(to_lf(text));
    ASSERT_TRUE(lf.ok()) << name << ": " << lf.error();
    EXPECT_EQ(*crlf, *lf) << name;
  }
}

TEST(SessionDescription, ChromiumAvOfferModel) {
  auto sd = parse_ok(load_fixture("chromium-offer-av.sdp"));
  EXPECT_EQ(sd.origin.session_id, "5612116754134764018");
  EXPECT_EQ(sd.origin.session_version, 2u);
  EXPECT_EQ(sd.origin.address, "127.0.0.1");
  EXPECT_EQ(sd.session_name, "-");
  EXPECT_EQ(sd.timing, (Timing{0, 0}));
  ASSERT_EQ(sd.groups.size(), 1u);
  EXPECT_EQ(sd.groups[0].semantics, "BUNDLE");
  EXPECT_EQ(sd.groups[0].mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(sd.extmap_allow_mixed);
  ASSERT_TRUE(sd.msid_semantic);
  EXPECT_EQ(sd.msid_semantic->semantic, "WMS");
  EXPECT_EQ(sd.msid_semantic->ids, (std::vector<std::string>{"e986abb4-34ca-40e2-95a2-1432cd734833"}));
  ASSERT_EQ(sd.media.size(), 2u);

  const auto& audio = sd.media[0];
  EXPECT_EQ(audio.kind(), MediaKind::audio);
  EXPECT_EQ(audio.port, 50526);
  EXPECT_EQ(audio.proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.formats, (std::vector<std::string>{"111", "63", "9", "0", "8", "13", "110", "126"}));
  ASSERT_TRUE(audio.connection);
  EXPECT_EQ(audio.connection->address, "127.0.0.1");
  ASSERT_TRUE(audio.rtcp);
  EXPECT_EQ(audio.rtcp->port, 9);
  EXPECT_EQ(audio.rtcp->address, "IN IP4 0.0.0.0");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.ice_ufrag, "9+SP");
  EXPECT_EQ(audio.ice_pwd, "Oq9vIlMetGw209WDxYG9iIFr");
  EXPECT_EQ(audio.ice_options, (std::vector<std::string>{"trickle"}));
  ASSERT_EQ(audio.fingerprints.size(), 1u);
  EXPECT_EQ(audio.fingerprints[0].algorithm, "sha-256");
  EXPECT_EQ(audio.fingerprints[0].value.size(), 95u);
  EXPECT_EQ(audio.setup, Setup::actpass);
  EXPECT_EQ(audio.direction, Direction::sendrecv);
  EXPECT_TRUE(audio.rtcp_mux);
  EXPECT_TRUE(audio.rtcp_rsize);
  ASSERT_EQ(audio.extmaps.size(), 4u);
  EXPECT_EQ(audio.extmaps[0].id, 1);
  EXPECT_EQ(audio.extmaps[0].uri, ext_uri::audio_level);
  EXPECT_EQ(audio.candidates.size(), 8u);
  EXPECT_EQ(audio.candidates[4].tcp_type, "active");
  EXPECT_EQ(audio.candidates[2].address, "::1");
  const Codec* opus = audio.find_codec(111);
  ASSERT_NE(opus, nullptr);
  EXPECT_EQ(opus->name, "opus");
  EXPECT_EQ(opus->clock_rate, 48000u);
  EXPECT_EQ(opus->channels, 2);
  EXPECT_EQ(opus->fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(opus->param("useinbandfec"), "1");
  EXPECT_EQ(opus->rtcp_fb, (std::vector<std::string>{"transport-cc"}));
  EXPECT_EQ(audio.codecs.size(), 8u);
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 2535666790u);
  EXPECT_EQ(audio.ssrcs[0].cname, "qY7zBB8ux+00IISz");
  EXPECT_EQ(audio.ssrcs[0].msid,
            "e986abb4-34ca-40e2-95a2-1432cd734833 2c562510-8e18-4cb1-9c74-b9cf54d8514d");
  EXPECT_EQ(audio.msids.size(), 1u);
  // rtcp-xr is not modeled: kept verbatim.
  ASSERT_EQ(audio.other_attributes.size(), 1u);
  EXPECT_EQ(audio.other_attributes[0], (Attribute{"rtcp-xr", "rcvr-rtt=all"}));

  const auto& video = sd.media[1];
  EXPECT_EQ(video.kind(), MediaKind::video);
  EXPECT_EQ(video.formats.size(), 23u);
  EXPECT_EQ(video.codecs.size(), 23u);
  EXPECT_EQ(video.extmaps.size(), 11u);
  const Codec* vp8 = video.find_codec(96);
  ASSERT_NE(vp8, nullptr);
  EXPECT_EQ(vp8->rtcp_fb, (std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}));
  EXPECT_EQ(video.find_codec(97)->param("apt"), "96");
  EXPECT_EQ(video.find_codec(108)->param("profile-level-id"), "42e01f");
  ASSERT_EQ(video.ssrc_groups.size(), 1u);
  EXPECT_EQ(video.ssrc_groups[0].semantics, "FID");
  EXPECT_EQ(video.ssrc_groups[0].ssrcs, (std::vector<uint32_t>{1449542158u, 4145718658u}));
  EXPECT_EQ(video.ssrcs.size(), 2u);
}

TEST(SessionDescription, SimulcastAndDataChannelOffer) {
  auto sd = parse_ok(load_fixture("chromium-offer-simulcast-datachannel.sdp"));
  ASSERT_EQ(sd.media.size(), 3u);
  EXPECT_EQ(sd.media[0].direction, Direction::sendonly);
  const auto& video = sd.media[1];
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0], (Rid{"q", RidDirection::send, ""}));
  EXPECT_EQ(video.rids[2].id, "f");
  EXPECT_EQ(video.simulcast, "send q;h;f");
  auto sc = parse_simulcast(video.simulcast);
  ASSERT_TRUE(sc);
  EXPECT_EQ(sc->send, "q;h;f");
  EXPECT_EQ(sc->recv, "");
  const auto& data = sd.media[2];
  EXPECT_EQ(data.kind(), MediaKind::application);
  EXPECT_EQ(data.proto, "UDP/DTLS/SCTP");
  EXPECT_EQ(data.formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_TRUE(data.is_sctp());
  EXPECT_EQ(data.sctp_port, 5000);
  EXPECT_EQ(data.max_message_size, 262144u);
}

TEST(SessionDescription, RecvonlyAndAiortcOffers) {
  auto recv = parse_ok(load_fixture("chromium-offer-recvonly.sdp"));
  ASSERT_EQ(recv.media.size(), 2u);
  EXPECT_EQ(recv.media[1].direction, Direction::recvonly);
  EXPECT_TRUE(recv.media[1].ssrcs.empty());
  EXPECT_TRUE(recv.msid_semantic && recv.msid_semantic->ids.empty());

  auto aiortc = parse_ok(load_fixture("aiortc-offer-av-datachannel.sdp"));
  ASSERT_EQ(aiortc.media.size(), 3u);
  EXPECT_TRUE(aiortc.media[0].end_of_candidates);
  EXPECT_EQ(aiortc.media[0].ice_ufrag, "5OA6");
  EXPECT_EQ(aiortc.media[1].ice_ufrag, "sfSV");
  EXPECT_EQ(aiortc.media[2].proto, "DTLS/SCTP");
  EXPECT_TRUE(aiortc.media[2].has_attribute("sctpmap"));
  EXPECT_EQ(aiortc.media[2].max_message_size, 65536u);
  EXPECT_EQ(aiortc.media[1].candidates[0].foundation, "16572de626da4e5384a0ce2d0d93678a");
}

TEST(SessionDescription, FixturesRoundTrip) {
  for (const auto& name : fixture_names()) {
    SCOPED_TRACE(name);
    auto sd = parse_ok(load_fixture(name));
    expect_round_trip(sd);
  }
}

TEST(SessionDescription, SerializeWritesRfcOrderWithCrlf) {
  auto sd = parse_ok(load_fixture("chromium-offer-av.sdp"));
  std::string text = sd.serialize();
  EXPECT_EQ(text.rfind("v=0\r\no=- 5612116754134764018 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n", 0),
            0u);
  size_t first_m = text.find("\r\nm=");
  ASSERT_NE(first_m, std::string::npos);
  EXPECT_LT(text.find("a=msid-semantic:WMS"), first_m);
  EXPECT_NE(text.find("m=audio 50526 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 127.0.0.1\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"),
            std::string::npos);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') {
      ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

TEST(SessionDescription, KeepsUnknownLinesAndAttributes) {
  std::string text =
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=x\r\ni=info\r\nb=AS:30\r\nt=0 0\r\nr=7d 1h 0 25h\r\n"
      "a=tool:foo\r\na=x-flag\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\ni=cam\r\nc=IN IP4 0.0.0.0\r\nb=TIAS:500000\r\n"
      "a=mid:v\r\na=rtpmap:96 VP8/90000\r\na=rtcp-fb:* nack\r\na=x-google-flag:conference\r\na=bundle-only\r\n"
      "a=ssrc:5 label:foo\r\na=ssrc:5 mslabel\r\n";
  auto sd = parse_ok(text);
  EXPECT_EQ(sd.extra_lines.size(), 3u);
  EXPECT_EQ(sd.other_attributes.size(), 2u);
  EXPECT_EQ(sd.other_attributes[1], (Attribute{"x-flag", std::nullopt}));
  ASSERT_EQ(sd.media.size(), 1u);
  EXPECT_EQ(sd.media[0].extra_lines.size(), 2u);
  EXPECT_EQ(sd.media[0].rtcp_fb_all, (std::vector<std::string>{"nack"}));
  EXPECT_TRUE(sd.media[0].has_attribute("bundle-only"));
  ASSERT_EQ(sd.media[0].ssrcs.size(), 1u);
  EXPECT_EQ(sd.media[0].ssrcs[0].attributes.size(), 2u);
  std::string out = sd.serialize();
  for (const char* needle : {"i=info\r\nb=AS:30\r\nt=0 0\r\nr=7d 1h 0 25h\r\n", "a=tool:foo\r\n", "a=x-flag\r\n",
                             "m=video 9 UDP/TLS/RTP/SAVPF 96\r\ni=cam\r\nc=IN IP4 0.0.0.0\r\nb=TIAS:500000\r\n",
                             "a=x-google-flag:conference\r\n", "a=ssrc:5 label:foo\r\n", "a=ssrc:5 mslabel\r\n"})
    EXPECT_NE(out.find(needle), std::string::npos) << needle;
  expect_round_trip(sd);
}

struct BadCase {
  std::string text;
  std::string expected;
};

TEST(SessionDescription, RejectsMalformedWithLineNumbers) {
  const std::string head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";  // lines 1-4
  const std::string m = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";                         // line 5
  const std::vector<BadCase> cases = {
      {"", "missing v= line"},
      {"o=- 1 1 IN IP4 0.0.0.0\r\n", "line 1: the description must start with v=0"},
      {"v=1\r\n", "line 1: unsupported SDP version"},
      {"v=0\r\ns=-\r\nt=0 0\r\n", "missing o= line"},
      {"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nt=0 0\r\n", "missing s= line"},
      {"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n", "missing t= line"},
      {"v=0\r\no=- 1 x IN IP4 0.0.0.0\r\n", "line 2: o= session version 'x' is not a number"},
      {"v=0\r\no=- 1 1 IN IP4\r\n", "line 2: o= needs"},
      {head + "garbage\r\n", "line 5: expected '<type>=<value>'"},
      {head + "m=audio\r\n", "line 5: bad m= line"},
      {head + "m=audio 9 UDP/TLS/RTP/SAVPF\r\n", "line 5: bad m= line"},
      {head + "m=audio abc UDP/TLS/RTP/SAVPF 111\r\n", "line 5: bad m= line: port 'abc' is not 0..65535"},
      {head + "m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n", "line 5: bad m= line: port '70000'"},
      {head + "m=audio -1 UDP/TLS/RTP/SAVPF 111\r\n", "line 5: bad m= line: port '-1'"},
      {head + "m=audio 9 UDP/TLS/RTP/SAVPF x\r\n", "line 5: bad m= line: payload type 'x'"},
      {head + "m=audio 9 UDP/TLS/RTP/SAVPF 200\r\n", "line 5: bad m= line: payload type '200'"},
      {head + m + "a=extmap:0 urn:x\r\n", "line 6: extmap id '0' is not in 1..255"},
      {head + m + "a=extmap:256 urn:x\r\n", "line 6: extmap id '256' is not in 1..255"},
      {head + m + "a=extmap:x urn:x\r\n", "line 6: extmap id 'x'"},
      {head + m + "a=extmap:3/sideways urn:x\r\n", "line 6: bad extmap direction"},
      {head + m + "a=extmap:3\r\n", "line 6: extmap has no URI"},
      {head + m + "a=extmap:3 urn:x\r\na=extmap:3 urn:y\r\n", "line 7: extmap id 3 used twice"},
      {head + "a=extmap:300 urn:x\r\n", "line 5: extmap id '300'"},
      {head + m + "a=rtpmap:111 opus\r\n", "line 6: rtpmap needs <name>/<clock rate>"},
      {head + m + "a=rtpmap:128 opus/48000\r\n", "line 6: rtpmap payload type '128'"},
      {head + m + "a=rtpmap:111 opus/fast\r\n", "line 6: rtpmap clock rate 'fast'"},
      {head + m + "a=rtpmap:111 opus/48000/2\r\na=rtpmap:111 opus/48000/2\r\n", "line 7: payload type 111 has two"},
      {head + m + "a=fmtp:x a=1\r\n", "line 6: fmtp payload type 'x'"},
      {head + m + "a=rtcp-fb:111\r\n", "line 6: rtcp-fb has no feedback type"},
      {head + m + "a=ssrc:abc cname:x\r\n", "line 6: ssrc 'abc' is not a 32-bit number"},
      {head + m + "a=ssrc:1 cname:\r\n", "line 6: a=ssrc cname is empty"},
      {head + m + "a=ssrc-group:FID 1 x\r\n", "line 6: ssrc-group member 'x'"},
      {head + m + "a=rid:q sideways\r\n", "line 6: rid direction 'sideways'"},
      {head + m + "a=simulcast:up q;h\r\n", "line 6: bad simulcast value"},
      {head + m + "a=setup:maybe\r\n", "line 6: bad setup value 'maybe'"},
      {head + m + "a=fingerprint:sha-256\r\n", "line 6: fingerprint needs"},
      {head + m + "a=mid:\r\n", "line 6: a=mid needs a value"},
      {head + m + "a=candidate:1 1 udp 1 1.2.3.4 x typ host\r\n", "line 6: candidate port"},
      {head + m + "a=sctp-port:x\r\n", "line 6: sctp-port 'x'"},
      {head + m + "a=rtcp:x\r\n", "line 6: rtcp port 'x'"},
      {head + m + "o=- 1 1 IN IP4 0.0.0.0\r\n", "line 6: o= is not allowed inside a media section"},
      {head + m + "c=IN IP4\r\n", "line 6: c= needs"},
      {head + m + "c=IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n", "line 7: second c= line"},
      {head + "v=0\r\n", "line 5: second v= line"},
      {"v=0\r\nm=audio 9 RTP/AVP 0\r\n", "line 2: m= before o="},
      {"v=0\n\no=- 1 1 IN IP4 0.0.0.0\nx\n", "line 4: expected"},  // blank lines still count
  };
  for (const auto& c : cases) {
    auto r = SessionDescription::parse(c.text);
    ASSERT_FALSE(r.ok()) << "accepted: " << c.text;
    EXPECT_NE(r.error().find(c.expected), std::string::npos) << "got: " << r.error() << "\nwant: " << c.expected;
  }
}

TEST(SessionDescription, RejectsOversizedInput) {
  std::string big = "v=0\r\n" + std::string(kMaxSdpSize, 'x');
  auto r = SessionDescription::parse(big);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("larger than"), std::string::npos);
}

TEST(SessionDescription, EveryPrefixOfEveryFixtureIsSafe) {
  for (const auto& name : fixture_names()) {
    std::string text = load_fixture(name);
    size_t accepted = 0;
    for (size_t n = 0; n <= text.size(); ++n) {
      auto r = SessionDescription::parse(std::string_view(text).substr(0, n));
      if (!r.ok()) {
        EXPECT_FALSE(r.error().empty());
        continue;
      }
      ++accepted;
      auto again = SessionDescription::parse(r->serialize());
      ASSERT_TRUE(again.ok()) << name << " prefix " << n << ": " << again.error();
      ASSERT_EQ(*again, *r) << name << " prefix " << n;
    }
    EXPECT_GT(accepted, 0u) << name;
  }
}

TEST(SessionDescription, RandomGarbageAndMutationsAreSafe) {
  std::mt19937 rng(12345);
  const std::string alphabet = "vosctma=:/ ;\r\n0123456789abcxyzIPN-*~";
  for (int i = 0; i < 3000; ++i) {
    std::string junk(rng() % 300, ' ');
    for (auto& ch : junk) ch = (i % 2) ? alphabet[rng() % alphabet.size()] : char(rng());
    auto r = SessionDescription::parse(junk);
    if (r.ok()) {
      auto again = SessionDescription::parse(r->serialize());
      ASSERT_TRUE(again.ok()) << again.error();
      ASSERT_EQ(*again, *r);
    }
  }
  for (const auto& name : fixture_names()) {
    const std::string original = load_fixture(name);
    for (int i = 0; i < 500; ++i) {
      std::string text = original;
      int edits = 1 + int(rng() % 8);
      for (int e = 0; e < edits; ++e) {
        size_t at = rng() % text.size();
        switch (rng() % 3) {
          case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
          case 1: text.erase(at, 1 + rng() % 20); break;
          default: text.insert(at, 1, alphabet[rng() % alphabet.size()]);
        }
        if (text.empty()) text = "v";
      }
      auto r = SessionDescription::parse(text);
      if (r.ok()) {
        auto again = SessionDescription::parse(r->serialize());
        ASSERT_TRUE(again.ok()) << again.error();
        ASSERT_EQ(*again, *r) << text;
      }
    }
  }
}

}  // namespace
}  // namespace ct::sdp
