#include "loadtest/ClientSdp.hpp"

#include <cctype>
#include <string_view>

#include "core/Random.hpp"
#include "sdp/DescriptionBuilder.hpp"
#include "sdp/Negotiation.hpp"
#include "sdp/SessionDescription.hpp"

namespace ct::loadtest {
namespace {

using namespace client_sdp;

sdp::MediaDescription transport_section(const LocalTransport& t, std::string media, std::string mid) {
  sdp::MediaDescription m;
  m.media = std::move(media);
  m.port = 9;  // RFC 8829 §5.2.1: no candidates yet (trickle), discard port
  m.proto = "UDP/TLS/RTP/SAVPF";
  m.connection = sdp::Connection{"IN", "IP4", "0.0.0.0"};
  m.rtcp = sdp::Rtcp{9, "IN IP4 0.0.0.0"};
  m.mid = std::move(mid);
  m.direction = sdp::Direction::sendonly;
  m.ice_ufrag = t.ice_ufrag;
  m.ice_pwd = t.ice_pwd;
  m.ice_options = {"trickle"};
  m.fingerprints = {sdp::Fingerprint{"sha-256", t.fingerprint_sha256}};
  m.setup = sdp::Setup::actpass;  // RFC 8842 §5.2: the offerer is actpass; the server answers passive
  m.rtcp_mux = true;
  m.rtcp_rsize = true;
  return m;
}

sdp::Codec codec(uint8_t pt, std::string name, uint32_t clock_rate, std::optional<uint16_t> channels,
                 std::string fmtp, std::vector<std::string> feedback) {
  sdp::Codec c;
  c.pt = pt;
  c.name = std::move(name);
  c.clock_rate = clock_rate;
  c.channels = channels;
  c.params = sdp::parse_fmtp(fmtp);
  c.fmtp = std::move(fmtp);
  c.rtcp_fb = std::move(feedback);
  return c;
}

// RFC 8122 §5: a SHA-256 fingerprint is its 32 octets in upper-case hex,
// colon-separated (lower case is accepted, as browsers do).
bool is_sha256_fingerprint(std::string_view value) {
  if (value.size() != 32 * 3 - 1) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (i % 3 == 2 ? c != ':' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

sdp::SsrcInfo source(uint32_t ssrc, const std::string& cname, const std::string& msid) {
  sdp::SsrcInfo s;
  s.ssrc = ssrc;
  s.cname = cname;
  s.msid = msid;
  return s;
}

}  // namespace

std::string build_publisher_offer(const PublisherOfferParams& p) {
  sdp::SessionDescription d;
  d.origin.session_id = std::to_string(random_u32()) + std::to_string(random_u32());
  d.origin.session_version = 2;
  d.extmap_allow_mixed = true;
  std::string stream_id = "loadtest-" + p.cname;
  d.msid_semantic = sdp::MsidSemantic{"WMS", {stream_id}};
  sdp::Group bundle{"BUNDLE", {kVideoMid}};

  auto video = transport_section(p.transport, "video", kVideoMid);
  video.formats = {std::to_string(kVp8Pt), std::to_string(kVp8RtxPt)};
  video.extmaps = {sdp::Extmap{kTransportCcId, std::nullopt, std::string(sdp::ext_uri::transport_cc), {}},
                   sdp::Extmap{kMidId, std::nullopt, std::string(sdp::ext_uri::mid), {}}};
  video.codecs = {codec(kVp8Pt, "VP8", 90000, std::nullopt, "",
                        {"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"}),
                  codec(kVp8RtxPt, "rtx", 90000, std::nullopt, "apt=" + std::to_string(kVp8Pt), {})};
  std::string video_msid = stream_id + " video-" + p.cname;
  video.msids = {video_msid};
  if (p.video_rids.empty()) {
    video.ssrc_groups = {sdp::SsrcGroup{"FID", {p.video_ssrc, p.video_rtx_ssrc}}};
    video.ssrcs = {source(p.video_ssrc, p.cname, video_msid), source(p.video_rtx_ssrc, p.cname, video_msid)};
  } else {
    // RFC 8851 §4 / RFC 8853 §5.1: one send RID per layer and the simulcast
    // list in the same order; the layers' SSRCs appear in the RID extension.
    video.extmaps.push_back(sdp::Extmap{kRidId, std::nullopt, std::string(sdp::ext_uri::rid), {}});
    video.extmaps.push_back(
        sdp::Extmap{kRepairedRidId, std::nullopt, std::string(sdp::ext_uri::repaired_rid), {}});
    std::string list;
    for (const auto& rid : p.video_rids) {
      video.rids.push_back(sdp::Rid{rid, sdp::RidDirection::send, ""});
      list += (list.empty() ? "" : ";") + rid;
    }
    video.simulcast = "send " + list;
  }
  d.media.push_back(std::move(video));

  if (p.audio_ssrc) {
    auto audio = transport_section(p.transport, "audio", kAudioMid);
    audio.formats = {std::to_string(kOpusPt)};
    audio.extmaps = {sdp::Extmap{kAudioLevelId, std::nullopt, std::string(sdp::ext_uri::audio_level), {}},
                     sdp::Extmap{kTransportCcId, std::nullopt, std::string(sdp::ext_uri::transport_cc), {}},
                     sdp::Extmap{kMidId, std::nullopt, std::string(sdp::ext_uri::mid), {}}};
    audio.codecs = {codec(kOpusPt, "opus", 48000, 2, "minptime=10;useinbandfec=1", {"transport-cc"})};
    std::string audio_msid = stream_id + " audio-" + p.cname;
    audio.msids = {audio_msid};
    audio.ssrcs = {source(*p.audio_ssrc, p.cname, audio_msid)};
    d.media.push_back(std::move(audio));
    bundle.mids.push_back(kAudioMid);
  }
  d.groups = {std::move(bundle)};
  return d.serialize();
}

std::optional<std::string> read_remote_transport(const std::string& sdp_text, RemoteTransport& out) {
  auto parsed = sdp::SessionDescription::parse(sdp_text);
  if (!parsed) return "unparseable SDP from the server: " + parsed.error();
  const auto& d = *parsed;
  // Transport attributes may stand at session level or in the BUNDLE-tagged
  // (first accepted) m-section (RFC 8843 §7).
  const sdp::MediaDescription* tagged = nullptr;
  for (const auto& m : d.media) {
    if (m.port != 0) {
      tagged = &m;
      break;
    }
  }
  if (!tagged) return std::string("the server's SDP has no accepted m-section");
  RemoteTransport t;
  t.ice_ufrag = !tagged->ice_ufrag.empty() ? tagged->ice_ufrag : d.ice_ufrag;
  t.ice_pwd = !tagged->ice_pwd.empty() ? tagged->ice_pwd : d.ice_pwd;
  if (t.ice_ufrag.empty() || t.ice_pwd.empty()) return std::string("the server's SDP has no ICE credentials");
  // RFC 8839 §5.4: ice-ufrag at least 4 characters, ice-pwd at least 22.
  if (t.ice_ufrag.size() < 4 || t.ice_pwd.size() < 22)
    return std::string("the server's ICE credentials are too short (RFC 8839 §5.4)");
  const auto& fingerprints = !tagged->fingerprints.empty() ? tagged->fingerprints : d.fingerprints;
  for (const auto& f : fingerprints) {
    if (sdp::iequals(f.algorithm, "sha-256")) {
      t.fingerprint_algorithm = f.algorithm;
      t.fingerprint_value = f.value;
    }
  }
  if (t.fingerprint_value.empty()) return std::string("the server's SDP has no sha-256 fingerprint");
  if (!is_sha256_fingerprint(t.fingerprint_value))
    return "the server's sha-256 fingerprint is malformed: " + t.fingerprint_value;
  bool found = false;
  for (const auto& c : tagged->candidates) {
    if (!sdp::iequals(c.transport, "udp") || c.component != 1) continue;
    if (auto a = net::SocketAddress::parse_ip(c.address, c.port); a && a->is_v4()) {
      t.candidate = *a;
      found = true;
      break;
    }
  }
  if (!found) return std::string("the server's SDP has no UDP IPv4 candidate");
  const auto setup = tagged->setup ? tagged->setup : d.setup;
  t.remote_dtls_client = setup == sdp::Setup::active;
  out = std::move(t);
  return std::nullopt;
}

std::optional<std::string> answer_subscriber_offer(const std::string& offer_sdp, const LocalTransport& local,
                                                   std::string& answer_sdp) {
  auto offer = sdp::SessionDescription::parse(offer_sdp);
  if (!offer) return "unparseable offer from the server: " + offer.error();
  auto policy = sdp::CodecPolicy::defaults();
  policy.data_channels = false;  // a load participant runs no SCTP
  auto negotiation = sdp::negotiate(*offer, policy);
  if (!negotiation) return "unusable offer from the server: " + negotiation.error();
  sdp::TransportParams transport;
  transport.ice_ufrag = local.ice_ufrag;
  transport.ice_pwd = local.ice_pwd;
  transport.fingerprint_sha256 = local.fingerprint_sha256;
  transport.setup = sdp::Setup::active;  // RFC 8842 §5.3: we open DTLS against the server's actpass
  transport.ice_lite = false;            // a full agent: we send the checks
  auto answer = sdp::build_answer(*offer, *negotiation, transport, [](const sdp::NegotiatedMedia&) {
    return std::optional<sdp::LocalStream>();
  });
  answer_sdp = answer.serialize();
  return std::nullopt;
}

}  // namespace ct::loadtest
