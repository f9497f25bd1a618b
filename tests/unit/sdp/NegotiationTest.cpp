#include "sdp/Negotiation.hpp"

#include <gtest/gtest.h>

#include "Fixtures.hpp"
#include "sdp/DescriptionBuilder.hpp"
#include "sdp/SessionDescription.hpp"

namespace ct::sdp {
namespace {

using test::load_fixture;

SessionDescription offer_from(const std::string& text) {
  auto r = SessionDescription::parse(text);
  EXPECT_TRUE(r.ok()) << r.error();
  return r.ok() ? std::move(r).value() : SessionDescription{};
}

SessionDescription fixture(const std::string& name) { return offer_from(load_fixture(name)); }

std::string without_lines(const std::string& text, const std::string& prefix) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    if (text.compare(pos, prefix.size(), prefix) != 0) out.append(text, pos, end - pos);
    pos = end;
  }
  return out;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TransportParams server_transport() {
  TransportParams t;
  t.ice_ufrag = "srvU";
  t.ice_pwd = "0123456789abcdefghijklmn";
  t.fingerprint_sha256 =
      "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";
  auto c = Candidate::parse("candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host");
  t.candidates.push_back(c.value());
  return t;
}

std::optional<LocalStream> stream_for(const NegotiatedMedia& m) {
  if (m.kind == MediaKind::audio) return LocalStream{1111, std::nullopt, "srv-cname", "srv-stream", "srv-audio"};
  return LocalStream{2222, 3333, "srv-cname", "srv-stream", "srv-video"};
}

std::optional<LocalStream> no_stream(const NegotiatedMedia&) { return std::nullopt; }

// Answers are themselves valid SDP that round-trips.
SessionDescription reparse(const SessionDescription& sd) {
  auto r = SessionDescription::parse(sd.serialize());
  EXPECT_TRUE(r.ok()) << r.error();
  if (r.ok()) {
    EXPECT_EQ(*r, sd);
  }
  return r.ok() ? std::move(r).value() : SessionDescription{};
}

CodecPolicy h264_only_42e01f() {
  CodecPolicy p = CodecPolicy::defaults();
  p.video = {{"VP8", 90000, 0, {}},
             {"H264", 90000, 0, {{"packetization-mode", {"1"}}, {"profile-level-id", {"42e01f"}}}}};
  return p;
}

TEST(Negotiation, ChromiumAvOffer) {
  auto offer = fixture("chromium-offer-av.sdp");
  auto n = negotiate(offer, h264_only_42e01f());
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->bundle_mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(n->remote_ice_ufrag, "9+SP");
  EXPECT_EQ(n->remote_ice_pwd, "Oq9vIlMetGw209WDxYG9iIFr");
  EXPECT_EQ(n->remote_fingerprint.algorithm, "sha-256");
  EXPECT_EQ(n->remote_setup, Setup::actpass);
  EXPECT_EQ(n->remote_candidates.size(), 8u);
  EXPECT_TRUE(n->extmap_allow_mixed);
  EXPECT_TRUE(n->warnings.empty());
  ASSERT_EQ(n->media.size(), 2u);

  const auto& audio = n->media[0];
  EXPECT_FALSE(audio.rejected);
  EXPECT_EQ(audio.direction, Direction::sendrecv);
  ASSERT_EQ(audio.codecs.size(), 1u);
  EXPECT_EQ(audio.codecs[0].pt, 111);
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].channels, 2);
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.codecs[0].rtcp_fb, (std::vector<std::string>{"transport-cc"}));
  EXPECT_FALSE(audio.codecs[0].rtx_pt);
  EXPECT_EQ(audio.extensions.size(), 4u);
  EXPECT_EQ(audio.remote_ssrcs, (std::vector<uint32_t>{2535666790u}));
  EXPECT_EQ(audio.remote_msid, "e986abb4-34ca-40e2-95a2-1432cd734833 2c562510-8e18-4cb1-9c74-b9cf54d8514d");

  const auto& video = n->media[1];
  ASSERT_EQ(video.codecs.size(), 2u);
  EXPECT_EQ(video.codecs[0].pt, 96);
  EXPECT_EQ(video.codecs[0].name, "VP8");
  EXPECT_EQ(video.codecs[0].rtx_pt, 97);
  EXPECT_EQ(video.codecs[0].rtcp_fb,
            (std::vector<std::string>{"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}));
  EXPECT_EQ(video.codecs[1].pt, 108);  // H.264 42e01f, packetization-mode=1
  EXPECT_EQ(video.codecs[1].rtx_pt, 109);
  std::vector<uint16_t> ids;
  for (const auto& e : video.extensions) ids.push_back(e.id);
  EXPECT_EQ(ids, (std::vector<uint16_t>{14, 2, 13, 3, 4, 10, 11}));  // offerer's ids, accepted URIs only
  EXPECT_EQ(video.remote_ssrcs, (std::vector<uint32_t>{1449542158u}));
  EXPECT_EQ(video.remote_rtx_ssrcs, (std::vector<std::pair<uint32_t, uint32_t>>{{1449542158u, 4145718658u}}));

  auto answer = reparse(build_answer(offer, *n, server_transport(), stream_for));
  std::string text = answer.serialize();
  EXPECT_TRUE(has(text, "a=ice-lite\r\n"));
  EXPECT_LT(text.find("a=ice-lite"), text.find("m=audio"));
  EXPECT_TRUE(has(text, "a=group:BUNDLE 0 1\r\n"));
  EXPECT_TRUE(has(text, "a=extmap-allow-mixed\r\n"));
  EXPECT_TRUE(has(text, "m=audio 40000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 192.0.2.10\r\n"));
  EXPECT_TRUE(has(text, "m=video 40000 UDP/TLS/RTP/SAVPF 96 108 97 109\r\n"));
  EXPECT_TRUE(has(text, "a=rtpmap:111 opus/48000/2\r\n"));
  EXPECT_TRUE(has(text, "a=fmtp:111 minptime=10;useinbandfec=1\r\n"));
  EXPECT_TRUE(has(text, "a=rtpmap:96 VP8/90000\r\n"));
  EXPECT_TRUE(has(text, "a=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"));
  EXPECT_TRUE(has(text, "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"));
  EXPECT_TRUE(has(text, "a=rtcp-fb:96 nack pli\r\n"));
  for (const char* absent : {"AV1", "VP9", "red/", "ulpfec", "a=rtpmap:102", "a=rtpmap:104", "a=extmap:5 ",
                             "playout-delay", "color-space", "telephone-event", "G722", "actpass"})
    EXPECT_FALSE(has(text, absent)) << absent;
  EXPECT_TRUE(has(text, "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset\r\n"));
  EXPECT_TRUE(has(text, "a=setup:passive\r\n"));
  EXPECT_TRUE(has(text, "a=fingerprint:sha-256 AA:BB:CC"));
  EXPECT_TRUE(has(text, "a=ice-ufrag:srvU\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"));
  EXPECT_TRUE(has(text, "a=candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host\r\na=end-of-candidates\r\n"));
  EXPECT_TRUE(has(text, "a=rtcp-mux\r\na=rtcp-rsize\r\n"));
  EXPECT_TRUE(has(text, "a=ssrc-group:FID 2222 3333\r\n"));
  EXPECT_TRUE(has(text, "a=ssrc:2222 cname:srv-cname\r\na=ssrc:2222 msid:srv-stream srv-video\r\n"));
  EXPECT_TRUE(has(text, "a=ssrc:1111 msid:srv-stream srv-audio\r\n"));
  EXPECT_TRUE(has(text, "a=msid:srv-stream srv-video\r\n"));
  ASSERT_EQ(answer.media.size(), 2u);
  for (const auto& m : answer.media) {
    EXPECT_EQ(m.direction, Direction::sendrecv);
    EXPECT_EQ(m.candidates.size(), 1u);
    EXPECT_TRUE(m.end_of_candidates);
  }
  EXPECT_EQ(answer.media[0].mid, "0");
  EXPECT_EQ(answer.media[1].mid, "1");
}

TEST(Negotiation, PolicyDecidesVideoCodecs) {
  auto offer = fixture("chromium-offer-av.sdp");
  CodecPolicy vp8_only = CodecPolicy::defaults();
  vp8_only.video = {{"VP8", 90000, 0, {}}};
  vp8_only.rtx = false;
  auto n = negotiate(offer, vp8_only);
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(n->media[1].codecs.size(), 1u);
  EXPECT_EQ(n->media[1].codecs[0].pt, 96);
  EXPECT_FALSE(n->media[1].codecs[0].rtx_pt);

  CodecPolicy vp9_first = CodecPolicy::defaults();
  vp9_first.video = {{"VP9", 90000, 0, {{"profile-id", {"0", ""}}}}, {"AV1", 90000, 0, {}}, {"VP8", 90000, 0, {}}};
  n = negotiate(offer, vp9_first);
  ASSERT_TRUE(n.ok());
  ASSERT_EQ(n->media[1].codecs.size(), 3u);
  EXPECT_EQ(n->media[1].codecs[0].pt, 98);  // profile-id=0 only; 100 is profile 2
  EXPECT_EQ(n->media[1].codecs[0].rtx_pt, 99);
  EXPECT_EQ(n->media[1].codecs[1].pt, 45);
  EXPECT_EQ(n->media[1].codecs[2].pt, 96);

  // The default policy accepts both H.264 constrained-baseline profiles with packetization-mode=1.
  n = negotiate(offer, CodecPolicy::defaults());
  ASSERT_TRUE(n.ok());
  std::vector<uint8_t> pts;
  for (const auto& c : n->media[1].codecs) pts.push_back(c.pt);
  EXPECT_EQ(pts, (std::vector<uint8_t>{96, 102, 108}));
}

TEST(Negotiation, RecvonlyOfferGetsSendonlyAnswerWithSsrcs) {
  auto offer = fixture("chromium-offer-recvonly.sdp");
  auto n = negotiate(offer, CodecPolicy::defaults());
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->media[0].direction, Direction::sendonly);
  EXPECT_TRUE(n->media[0].remote_ssrcs.empty());

  auto answer = reparse(build_answer(offer, *n, server_transport(), stream_for));
  ASSERT_EQ(answer.media.size(), 2u);
  EXPECT_EQ(answer.media[0].direction, Direction::sendonly);
  EXPECT_EQ(answer.media[1].direction, Direction::sendonly);
  ASSERT_EQ(answer.media[0].ssrcs.size(), 1u);
  EXPECT_EQ(answer.media[0].ssrcs[0].ssrc, 1111u);
  EXPECT_EQ(answer.media[0].ssrcs[0].cname, "srv-cname");
  ASSERT_EQ(answer.media[1].ssrcs.size(), 2u);
  ASSERT_EQ(answer.media[1].ssrc_groups.size(), 1u);
  EXPECT_EQ(answer.media[1].ssrc_groups[0].ssrcs, (std::vector<uint32_t>{2222, 3333}));
  ASSERT_TRUE(answer.msid_semantic);
  EXPECT_EQ(answer.msid_semantic->ids, (std::vector<std::string>{"srv-stream"}));

  // With nothing to send the sections go inactive and declare no sources.
  auto idle = build_answer(offer, *n, server_transport(), no_stream);
  EXPECT_EQ(idle.media[0].direction, Direction::inactive);
  EXPECT_TRUE(idle.media[1].ssrcs.empty());
  EXPECT_TRUE(idle.media[1].msids.empty());
  // A sendrecv offer without a local stream is answered recvonly.
  auto av = fixture("chromium-offer-av.sdp");
  auto nav = negotiate(av, CodecPolicy::defaults());
  ASSERT_TRUE(nav.ok());
  EXPECT_EQ(build_answer(av, *nav, server_transport(), no_stream).media[1].direction, Direction::recvonly);
}

TEST(Negotiation, SimulcastOfferAnsweredAsReceiveSimulcast) {
  auto offer = fixture("chromium-offer-simulcast-datachannel.sdp");
  auto n = negotiate(offer, CodecPolicy::defaults());
  ASSERT_TRUE(n.ok()) << n.error();
  const auto& video = n->media[1];
  EXPECT_EQ(video.direction, Direction::recvonly);
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[1].id, "h");
  EXPECT_EQ(video.simulcast_send, "q;h;f");
  EXPECT_EQ(n->bundle_mids, (std::vector<std::string>{"0", "1", "2"}));

  auto answer = reparse(build_answer(offer, *n, server_transport(), stream_for));
  std::string text = answer.serialize();
  EXPECT_TRUE(has(text, "a=rid:q recv\r\na=rid:h recv\r\na=rid:f recv\r\na=simulcast:recv q;h;f\r\n"));
  EXPECT_TRUE(has(text, "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"));
  EXPECT_TRUE(has(text, "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"));
  EXPECT_FALSE(has(text, "dependency-descriptor"));
  EXPECT_TRUE(answer.media[0].ssrcs.empty());  // recvonly: nothing of ours declared
  const auto& data = answer.media[2];
  EXPECT_EQ(data.port, 40000);
  EXPECT_EQ(data.proto, "UDP/DTLS/SCTP");
  EXPECT_EQ(data.formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_EQ(data.sctp_port, 5000);
  EXPECT_EQ(data.max_message_size, 262144u);
  EXPECT_EQ(data.mid, "2");
  EXPECT_EQ(data.setup, Setup::passive);
  EXPECT_FALSE(data.rtcp_mux);

  // Data channels off: the section stays, rejected, out of BUNDLE.
  CodecPolicy no_data = CodecPolicy::defaults();
  no_data.data_channels = false;
  auto n2 = negotiate(offer, no_data);
  ASSERT_TRUE(n2.ok());
  EXPECT_TRUE(n2->media[2].rejected);
  EXPECT_EQ(n2->bundle_mids, (std::vector<std::string>{"0", "1"}));
  auto answer2 = reparse(build_answer(offer, *n2, server_transport(), stream_for));
  ASSERT_EQ(answer2.media.size(), 3u);
  EXPECT_EQ(answer2.media[2].port, 0);
  EXPECT_EQ(answer2.media[2].mid, "2");
  EXPECT_EQ(answer2.groups[0].mids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(answer2.media[2].candidates.empty());
}

TEST(Negotiation, AiortcExtmapCollisionIsLeftOut) {
  auto offer = fixture("aiortc-offer-av-datachannel.sdp");
  auto n = negotiate(offer, CodecPolicy::defaults());
  ASSERT_TRUE(n.ok()) << n.error();
  ASSERT_EQ(n->warnings.size(), 1u);
  EXPECT_TRUE(has(n->warnings[0], "extmap id 2")) << n->warnings[0];
  for (const auto& m : n->media) {
    for (const auto& e : m.extensions) EXPECT_NE(e.id, 2) << m.mid;
  }
  ASSERT_EQ(n->media[0].extensions.size(), 1u);
  EXPECT_EQ(n->media[0].extensions[0].uri, ext_uri::mid);
  EXPECT_EQ(n->media[0].codecs[0].pt, 96);  // aiortc's Opus payload type, kept
  EXPECT_EQ(n->media[1].codecs[0].pt, 97);
  EXPECT_EQ(n->media[1].codecs[0].rtx_pt, 98);
  EXPECT_EQ(n->media[1].remote_rtx_ssrcs, (std::vector<std::pair<uint32_t, uint32_t>>{{3497082626u, 724709930u}}));
  EXPECT_EQ(n->remote_ice_ufrag, "5OA6");  // the tagged section's, not the others'
  EXPECT_TRUE(n->media[2].legacy_sctpmap);
  EXPECT_EQ(n->media[2].remote_sctp_port, 5000);

  auto answer = reparse(build_answer(offer, *n, server_transport(), stream_for));
  std::string text = answer.serialize();
  EXPECT_FALSE(has(text, "a=extmap:2 "));
  EXPECT_TRUE(has(text, "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"));
  EXPECT_TRUE(has(text, "m=application 40000 DTLS/SCTP 5000\r\n"));
  EXPECT_TRUE(has(text, "a=sctpmap:5000 webrtc-datachannel 65535\r\n"));
  EXPECT_FALSE(has(text, "a=rtcp-rsize"));  // not offered
}

TEST(Negotiation, SectionWithoutAcceptableCodecIsRejected) {
  std::string text = load_fixture("chromium-offer-av.sdp");
  CodecPolicy p = CodecPolicy::defaults();
  p.audio = {{"PCMU", 8000, 0, {}}};
  p.video = {{"H265", 90000, 0, {}}};
  auto offer = offer_from(text);
  auto n = negotiate(offer, p);
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_FALSE(n->media[0].rejected);
  EXPECT_TRUE(n->media[1].rejected);
  EXPECT_EQ(n->bundle_mids, (std::vector<std::string>{"0"}));
  auto answer = reparse(build_answer(offer, *n, server_transport(), stream_for));
  EXPECT_EQ(answer.media[0].formats, (std::vector<std::string>{"0"}));
  EXPECT_EQ(answer.media[1].port, 0);
  EXPECT_EQ(answer.media[1].mid, "1");
  EXPECT_EQ(answer.media[1].direction, Direction::inactive);
  EXPECT_TRUE(has(answer.serialize(), "a=group:BUNDLE 0\r\n"));

  p.audio = {{"AMR", 8000, 0, {}}};
  auto none = negotiate(offer, p);
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(has(none.error(), "nothing in the offer is acceptable")) << none.error();
}

TEST(Negotiation, UnusableOffersAreErrors) {
  const std::string text = load_fixture("chromium-offer-av.sdp");
  struct Case {
    std::string offer;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {without_lines(text, "a=rtcp-mux"), "lacks a=rtcp-mux"},
      {without_lines(text, "a=group:BUNDLE"), "no a=group:BUNDLE"},
      {without_lines(text, "a=ice-ufrag"), "no ICE credentials"},
      {without_lines(text, "a=ice-pwd"), "no ICE credentials"},
      {replace_all(text, "a=fingerprint:sha-256", "a=fingerprint:sha-1"), "no a=fingerprint:sha-256"},
      {without_lines(text, "a=fingerprint"), "no a=fingerprint:sha-256"},
      {without_lines(text, "a=mid"), "has no a=mid"},
      {replace_all(text, "a=mid:1", "a=mid:0"), "repeats mid '0'"},
  };
  for (const auto& c : cases) {
    auto offer = SessionDescription::parse(c.offer);
    ASSERT_TRUE(offer.ok()) << offer.error();
    auto n = negotiate(*offer, CodecPolicy::defaults());
    ASSERT_FALSE(n.ok()) << c.expected;
    EXPECT_TRUE(has(n.error(), c.expected)) << n.error();
  }
}

TEST(Negotiation, SessionLevelTransportAndDtlsRoles) {
  // Credentials and fingerprint at session level apply to every section.
  std::string text = load_fixture("chromium-offer-av.sdp");
  std::string session_level = without_lines(without_lines(text, "a=ice-pwd"), "a=fingerprint");
  session_level = replace_all(session_level, "a=extmap-allow-mixed\r\n",
                              "a=extmap-allow-mixed\r\na=ice-pwd:sessionpwd0123456789abcd\r\n"
                              "a=fingerprint:SHA-256 01:02\r\na=setup:active\r\n");
  session_level = without_lines(session_level, "a=setup:actpass");
  auto offer = offer_from(session_level);
  auto n = negotiate(offer, CodecPolicy::defaults());
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->remote_ice_pwd, "sessionpwd0123456789abcd");
  EXPECT_EQ(n->remote_fingerprint.value, "01:02");
  EXPECT_EQ(n->remote_setup, Setup::active);
  EXPECT_EQ(build_answer(offer, *n, server_transport(), stream_for).media[0].setup, Setup::passive);

  auto passive = offer_from(replace_all(text, "a=setup:actpass", "a=setup:passive"));
  auto np = negotiate(passive, CodecPolicy::defaults());
  ASSERT_TRUE(np.ok());
  EXPECT_EQ(build_answer(passive, *np, server_transport(), stream_for).media[0].setup, Setup::active);
}

TEST(Negotiation, ServerOfferForSubscriber) {
  TransportParams t = server_transport();
  t.setup = Setup::passive;  // ignored: an offerer is always actpass
  std::vector<OfferSection> sections(4);
  sections[0].kind = MediaKind::audio;
  sections[0].mid = "0";
  sections[0].codecs = {{111, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"}, {}}};
  sections[0].extensions = {{1, std::nullopt, std::string(ext_uri::mid), ""},
                            {2, std::nullopt, std::string(ext_uri::audio_level), ""}};
  sections[0].stream = LocalStream{10, std::nullopt, "c", "peer-a", "a-audio"};
  sections[1].kind = MediaKind::video;
  sections[1].mid = "1";
  sections[1].codecs = {{96, "VP8", 90000, 0, "", {"nack", "nack pli", "transport-cc"}, 97}};
  sections[1].extensions = {{1, std::nullopt, std::string(ext_uri::mid), ""}};
  sections[1].stream = LocalStream{20, 21, "c", "peer-a", "a-video"};
  sections[2].kind = MediaKind::video;
  sections[2].mid = "2";
  sections[2].codecs = sections[1].codecs;
  sections[2].stopped = true;
  sections[3].kind = MediaKind::application;
  sections[3].mid = "3";

  auto offer = reparse(build_offer(sections, t));
  std::string text = offer.serialize();
  EXPECT_TRUE(has(text, "a=group:BUNDLE 0 1 3\r\n"));
  EXPECT_TRUE(has(text, "a=ice-lite\r\n"));
  EXPECT_FALSE(has(text, "a=setup:passive"));
  EXPECT_TRUE(has(text, "a=setup:actpass\r\n"));
  EXPECT_TRUE(has(text, "m=video 40000 UDP/TLS/RTP/SAVPF 96 97\r\n"));
  EXPECT_TRUE(has(text, "m=video 0 UDP/TLS/RTP/SAVPF 96 97\r\n"));
  EXPECT_TRUE(has(text, "a=ssrc-group:FID 20 21\r\n"));
  EXPECT_TRUE(has(text, "m=application 40000 UDP/DTLS/SCTP webrtc-datachannel\r\n"));
  EXPECT_EQ(offer.media[0].direction, Direction::sendonly);
  EXPECT_EQ(offer.media[3].sctp_port, 5000);
  EXPECT_EQ(offer.origin.session_version, 1u);

  // Our own offer is one our negotiator accepts, PTs and ids intact.
  auto n = negotiate(offer, CodecPolicy::defaults());
  ASSERT_TRUE(n.ok()) << n.error();
  EXPECT_EQ(n->media[0].direction, Direction::recvonly);
  EXPECT_EQ(n->media[1].codecs[0].rtx_pt, 97);
  EXPECT_TRUE(n->media[2].rejected);
  EXPECT_EQ(n->remote_setup, Setup::actpass);
  EXPECT_EQ(n->remote_fingerprint.value, t.fingerprint_sha256);

  // Renegotiation keeps the session id and bumps the version.
  auto next = build_offer(sections, t, offer.origin);
  EXPECT_EQ(next.origin.session_id, offer.origin.session_id);
  EXPECT_EQ(next.origin.session_version, 2u);

  // A sending section without a stream only receives.
  sections[0].stream.reset();
  sections[0].direction = Direction::sendrecv;
  EXPECT_EQ(build_offer(sections, t).media[0].direction, Direction::recvonly);
}

}  // namespace
}  // namespace ct::sdp
