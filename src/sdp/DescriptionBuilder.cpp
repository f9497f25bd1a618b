#include "sdp/DescriptionBuilder.hpp"

#include <algorithm>

#include "core/Random.hpp"

namespace ct::sdp {
namespace {

constexpr uint16_t kSctpPort = 5000;             // RFC 8841 §5: the usual port inside the association
constexpr uint64_t kMaxMessageSize = 262144;     // RFC 8841 §6, what browsers offer
constexpr std::string_view kRtpProfile = "UDP/TLS/RTP/SAVPF";
constexpr std::string_view kSctpProfile = "UDP/DTLS/SCTP";

Origin new_origin(const std::optional<Origin>& previous) {
  if (previous) {
    Origin o = *previous;
    ++o.session_version;
    return o;
  }
  // RFC 8866 §5.2 / JSEP §5.2.1: a random 62-bit session id, version starting low.
  uint64_t id = (uint64_t(random_u32()) << 30) ^ random_u32();
  Origin o;
  o.session_id = std::to_string(id);
  o.session_version = 1;
  return o;
}

// ICE, DTLS and connection data of every live section (candidates in each one,
// as browsers accept them anywhere in a BUNDLE group).
void apply_transport(MediaDescription& md, const TransportParams& transport, Setup setup) {
  md.port = 9;
  md.connection = Connection{};
  for (const auto& c : transport.candidates) {
    if (c.transport == "udp" || c.transport == "UDP") {  // the default candidate (RFC 8839 §4.2.1.1)
      md.port = c.port;
      md.connection->addr_type = c.address.find(':') == std::string::npos ? "IP4" : "IP6";
      md.connection->address = c.address;
      break;
    }
  }
  md.candidates = transport.candidates;
  md.end_of_candidates = true;  // a lite server knows all its candidates up front
  md.ice_ufrag = transport.ice_ufrag;
  md.ice_pwd = transport.ice_pwd;
  md.fingerprints = {Fingerprint{"sha-256", transport.fingerprint_sha256}};
  md.setup = setup;
}

void apply_codecs(MediaDescription& md, const std::vector<NegotiatedCodec>& codecs) {
  md.formats.clear();
  md.codecs.clear();
  for (const auto& nc : codecs) md.formats.push_back(std::to_string(nc.pt));
  for (const auto& nc : codecs)
    if (nc.rtx_pt) md.formats.push_back(std::to_string(*nc.rtx_pt));
  for (const auto& nc : codecs) {
    Codec c;
    c.pt = nc.pt;
    c.name = nc.name;
    c.clock_rate = nc.clock_rate;
    if (nc.channels != 0) c.channels = nc.channels;
    c.fmtp = nc.fmtp;
    c.params = parse_fmtp(nc.fmtp);
    c.rtcp_fb = nc.rtcp_fb;
    md.codecs.push_back(std::move(c));
  }
  for (const auto& nc : codecs) {
    if (!nc.rtx_pt) continue;
    Codec rtx;
    rtx.pt = *nc.rtx_pt;
    rtx.name = "rtx";
    rtx.clock_rate = nc.clock_rate;
    rtx.fmtp = "apt=" + std::to_string(nc.pt);  // RFC 4588 §8.6
    rtx.params = parse_fmtp(rtx.fmtp);
    md.codecs.push_back(std::move(rtx));
  }
}

// a=msid (RFC 8830) and the a=ssrc lines (RFC 5576) that let the peer map our
// SSRCs before the first packet; the FID group pairs media and rtx (RFC 4588).
void apply_stream(MediaDescription& md, const LocalStream& stream, bool with_rtx, std::vector<std::string>& stream_ids) {
  std::string msid = stream.stream_id + ' ' + stream.track_id;
  md.msids = {msid};
  md.ssrcs.push_back(SsrcInfo{stream.ssrc, stream.cname, msid, {}});
  if (with_rtx && stream.rtx_ssrc) {
    md.ssrc_groups.push_back(SsrcGroup{"FID", {stream.ssrc, *stream.rtx_ssrc}});
    md.ssrcs.push_back(SsrcInfo{*stream.rtx_ssrc, stream.cname, msid, {}});
  }
  if (std::find(stream_ids.begin(), stream_ids.end(), stream.stream_id) == stream_ids.end())
    stream_ids.push_back(stream.stream_id);
}

Direction without_sending(Direction d) { return receives(d) ? Direction::recvonly : Direction::inactive; }

bool has_rtx(const std::vector<NegotiatedCodec>& codecs) {
  return std::any_of(codecs.begin(), codecs.end(), [](const auto& c) { return c.rtx_pt.has_value(); });
}

void apply_data_channel(MediaDescription& md, bool legacy) {
  if (legacy) {
    // draft-ietf-mmusic-sctp-sdp-05 form, for peers that offered it.
    md.proto = "DTLS/SCTP";
    md.formats = {std::to_string(kSctpPort)};
    md.other_attributes.push_back(Attribute{"sctpmap", std::to_string(kSctpPort) + " webrtc-datachannel 65535"});
  } else {
    md.proto = std::string(kSctpProfile);
    md.formats = {"webrtc-datachannel"};
    md.sctp_port = kSctpPort;
  }
  md.max_message_size = kMaxMessageSize;
}

}  // namespace

SessionDescription build_answer(
    const SessionDescription& offer, const Negotiation& negotiation, const TransportParams& transport,
    const std::function<std::optional<LocalStream>(const NegotiatedMedia&)>& local_stream_for) {
  SessionDescription sd;
  sd.origin = new_origin(std::nullopt);
  sd.ice_lite = transport.ice_lite;  // RFC 8445 §5.1.1 (session level)
  sd.groups.push_back(Group{"BUNDLE", negotiation.bundle_mids});
  sd.extmap_allow_mixed = negotiation.extmap_allow_mixed;

  // RFC 8842 §5.3: the answerer takes the role the offer leaves it.
  Setup setup = transport.setup == Setup::active ? Setup::active : Setup::passive;
  if (negotiation.remote_setup == Setup::active) setup = Setup::passive;
  if (negotiation.remote_setup == Setup::passive) setup = Setup::active;

  std::vector<std::string> stream_ids;
  for (const auto& offered : offer.media) {
    MediaDescription md;
    md.media = offered.media;
    md.proto = offered.proto;
    md.mid = offered.mid;
    const NegotiatedMedia* nm = negotiation.find(offered.mid);

    if (!nm || nm->rejected) {
      // JSEP §5.3.1: a rejected section stays, with port 0 and its mid.
      md.port = 0;
      md.formats = offered.formats;
      md.connection = Connection{};
      if (offered.is_rtp()) md.direction = Direction::inactive;
      sd.media.push_back(std::move(md));
      continue;
    }

    apply_transport(md, transport, setup);
    if (nm->kind == MediaKind::application) {
      apply_data_channel(md, nm->legacy_sctpmap);
      sd.media.push_back(std::move(md));
      continue;
    }

    md.rtcp = Rtcp{9, "IN IP4 0.0.0.0"};
    md.rtcp_mux = true;
    md.rtcp_rsize = nm->rtcp_rsize;
    md.extmaps = nm->extensions;
    apply_codecs(md, nm->codecs);

    Direction direction = nm->direction;
    if (sends(direction)) {
      std::optional<LocalStream> stream = local_stream_for ? local_stream_for(*nm) : std::nullopt;
      if (stream) {
        apply_stream(md, *stream, has_rtx(nm->codecs), stream_ids);
      } else {
        direction = without_sending(direction);
      }
    }
    md.direction = direction;

    // RFC 8853 §5.3: the answer receives the layers the offer sends.
    if (!nm->rids.empty() && receives(direction)) {
      for (const auto& rid : nm->rids) md.rids.push_back(Rid{rid.id, RidDirection::recv, {}});
      md.simulcast = "recv " + nm->simulcast_send;
    }
    sd.media.push_back(std::move(md));
  }
  sd.msid_semantic = MsidSemantic{"WMS", stream_ids};
  return sd;
}

SessionDescription build_offer(const std::vector<OfferSection>& sections, const TransportParams& transport,
                               const std::optional<Origin>& previous) {
  SessionDescription sd;
  sd.origin = new_origin(previous);
  sd.ice_lite = transport.ice_lite;
  Group bundle{"BUNDLE", {}};
  std::vector<std::string> stream_ids;

  for (const auto& section : sections) {
    MediaDescription md;
    md.media = std::string(to_string(section.kind));
    md.mid = section.mid;
    bool data = section.kind == MediaKind::application;
    if (data) {
      apply_data_channel(md, false);
    } else {
      md.proto = std::string(kRtpProfile);
      apply_codecs(md, section.codecs);
    }

    if (section.stopped || (!data && section.codecs.empty())) {
      md.port = 0;
      md.connection = Connection{};
      if (md.formats.empty()) md.formats = {"0"};
      if (!data) md.direction = Direction::inactive;
      sd.media.push_back(std::move(md));
      continue;
    }

    bundle.mids.push_back(section.mid);
    // RFC 8842 §5.2: the offerer is always actpass.
    apply_transport(md, transport, Setup::actpass);
    if (!data) {
      md.rtcp = Rtcp{9, "IN IP4 0.0.0.0"};
      md.rtcp_mux = true;
      md.rtcp_rsize = true;
      md.extmaps = section.extensions;
      Direction direction = section.direction;
      if (sends(direction)) {
        if (section.stream) {
          apply_stream(md, *section.stream, has_rtx(section.codecs), stream_ids);
        } else {
          direction = without_sending(direction);
        }
      }
      md.direction = direction;
    }
    sd.media.push_back(std::move(md));
  }
  sd.groups.push_back(std::move(bundle));
  sd.msid_semantic = MsidSemantic{"WMS", stream_ids};
  return sd;
}

}  // namespace ct::sdp
