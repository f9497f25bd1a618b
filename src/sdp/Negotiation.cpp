#include "sdp/Negotiation.hpp"

#include <algorithm>
#include <map>

#include "sdp/SessionDescription.hpp"
#include "sdp/Text.hpp"

namespace ct::sdp {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool matches(const CodecSpec& spec, const Codec& codec) {
  if (!iequals(spec.name, codec.name) || spec.clock_rate != codec.clock_rate) return false;
  if (spec.channels != 0 && codec.channels.value_or(1) != spec.channels) return false;
  for (const auto& requirement : spec.fmtp) {
    auto value = codec.param(requirement.key);
    bool ok = false;
    for (const auto& allowed : requirement.allowed)
      if (value ? (!allowed.empty() && iequals(*value, allowed)) : allowed.empty()) ok = true;
    if (!ok) return false;
  }
  return true;
}

void negotiate_rtp(const MediaDescription& m, const SessionDescription& offer, const CodecPolicy& policy,
                   NegotiatedMedia& nm) {
  const auto& specs = m.kind() == MediaKind::audio ? policy.audio : policy.video;

  // Codecs listed on the m= line that have an rtpmap, in the offerer's order.
  std::vector<const Codec*> offered;
  for (const auto& format : m.formats) {
    auto pt = text::parse_uint<uint8_t>(format);
    if (!pt) continue;
    const Codec* codec = m.find_codec(*pt);
    if (codec && !codec->name.empty() &&
        std::find(offered.begin(), offered.end(), codec) == offered.end())
      offered.push_back(codec);
  }

  // JSEP §5.3.1: the answer uses the offerer's payload types; its order is our preference.
  std::vector<const Codec*> taken;
  for (const auto& spec : specs) {
    for (const Codec* codec : offered) {
      if (std::find(taken.begin(), taken.end(), codec) != taken.end() || !matches(spec, *codec)) continue;
      taken.push_back(codec);
      NegotiatedCodec nc{codec->pt, codec->name, codec->clock_rate, codec->channels.value_or(0), codec->fmtp, {}, {}};
      auto add_feedback = [&](const std::string& fb) {
        if (contains(policy.rtcp_fb, fb) && !contains(nc.rtcp_fb, fb)) nc.rtcp_fb.push_back(fb);
      };
      for (const auto& fb : codec->rtcp_fb) add_feedback(fb);
      for (const auto& fb : m.rtcp_fb_all) add_feedback(fb);
      if (policy.rtx) {
        // RFC 4588 §8.6: the rtx payload type names its media payload type with apt.
        std::string apt = std::to_string(codec->pt);
        for (const Codec* rtx : offered) {
          auto rtx_apt = rtx->param("apt");
          if (iequals(rtx->name, "rtx") && rtx->clock_rate == codec->clock_rate && rtx_apt && *rtx_apt == apt) {
            nc.rtx_pt = rtx->pt;
            break;
          }
        }
      }
      nm.codecs.push_back(std::move(nc));
    }
  }

  // RFC 8285 §6: the answer keeps the offerer's ids for what it accepts.
  auto accept_extension = [&](const Extmap& e) {
    if (!contains(policy.header_extensions, e.uri)) return;
    for (const auto& existing : nm.extensions)
      if (existing.id == e.id) return;
    Extmap accepted = e;
    if (accepted.direction) accepted.direction = reverse(*accepted.direction);
    nm.extensions.push_back(std::move(accepted));
  };
  for (const auto& e : m.extmaps) accept_extension(e);
  for (const auto& e : offer.extmaps) accept_extension(e);
  nm.rtcp_rsize = m.rtcp_rsize;

  // The offerer's sources; repair streams (FID, FEC-FR) are not media streams of their own.
  std::vector<uint32_t> repair;
  for (const auto& group : m.ssrc_groups) {
    if ((group.semantics == "FID" || group.semantics == "FEC-FR") && group.ssrcs.size() >= 2) {
      repair.insert(repair.end(), group.ssrcs.begin() + 1, group.ssrcs.end());
      if (group.semantics == "FID") nm.remote_rtx_ssrcs.emplace_back(group.ssrcs[0], group.ssrcs[1]);
    }
  }
  for (const auto& s : m.ssrcs)
    if (std::find(repair.begin(), repair.end(), s.ssrc) == repair.end()) nm.remote_ssrcs.push_back(s.ssrc);
  if (!m.msids.empty()) {
    nm.remote_msid = m.msids.front();
  } else if (!m.ssrcs.empty()) {
    nm.remote_msid = m.ssrcs.front().msid;
  }

  // RFC 8853: layers the offerer sends; we receive them.
  if (auto simulcast = parse_simulcast(m.simulcast); simulcast && !simulcast->send.empty()) {
    nm.simulcast_send = simulcast->send;
    for (const auto& rid : m.rids)
      if (rid.direction == RidDirection::send) nm.rids.push_back(rid);
  }
}

}  // namespace

CodecPolicy CodecPolicy::defaults() {
  CodecPolicy p;
  p.audio = {{"opus", 48000, 2, {}}};
  p.video = {{"VP8", 90000, 0, {}},
             {"H264", 90000, 0, {{"packetization-mode", {"1"}}, {"profile-level-id", {"42e01f", "42001f"}}}}};
  p.rtx = true;
  p.rtcp_fb = {"nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"};
  p.header_extensions = {std::string(ext_uri::mid),           std::string(ext_uri::audio_level),
                         std::string(ext_uri::abs_send_time), std::string(ext_uri::transport_cc),
                         std::string(ext_uri::rid),           std::string(ext_uri::repaired_rid),
                         std::string(ext_uri::toffset),       std::string(ext_uri::video_orientation)};
  p.data_channels = true;
  return p;
}

const NegotiatedCodec* NegotiatedMedia::find_codec(uint8_t pt) const {
  for (const auto& c : codecs)
    if (c.pt == pt) return &c;
  return nullptr;
}

const NegotiatedMedia* Negotiation::find(std::string_view mid) const {
  for (const auto& m : media)
    if (m.mid == mid) return &m;
  return nullptr;
}

Result<Negotiation> negotiate(const SessionDescription& offer, const CodecPolicy& policy) {
  Negotiation n;
  if (offer.media.empty()) return Error{"the offer has no m= sections"};

  // JSEP §5.2.1 (Unified Plan): every m-section carries a unique mid.
  for (size_t i = 0; i < offer.media.size(); ++i) {
    const auto& m = offer.media[i];
    std::string where = "m-section " + std::to_string(i + 1) + " (" + m.media + ")";
    if (m.mid.empty()) return Error{where + " has no a=mid"};
    for (size_t j = 0; j < i; ++j)
      if (offer.media[j].mid == m.mid) return Error{where + " repeats mid '" + m.mid + "'"};
  }
  const Group* bundle = offer.find_group("BUNDLE");
  if (!bundle || bundle->mids.empty())
    return Error{"the offer has no a=group:BUNDLE; all media must share one transport (RFC 8843)"};
  n.extmap_allow_mixed = offer.extmap_allow_mixed;
  n.remote_ice_lite = offer.ice_lite;

  for (const auto& m : offer.media) {
    NegotiatedMedia nm;
    nm.mid = m.mid;
    nm.kind = m.kind();
    nm.media = m.media;
    nm.proto = m.proto;
    nm.direction = reverse(m.effective_direction());
    auto reject = [&](std::string reason) {
      nm = NegotiatedMedia{.mid = m.mid, .kind = m.kind(), .media = m.media, .proto = m.proto, .rejected = true};
      nm.reject_reason = reason;
      n.warnings.push_back("mid " + m.mid + " rejected: " + reason);
    };
    // RFC 8843 §7.5.3: port 0 with a=bundle-only is a live bundled section.
    if (m.port == 0 && !m.has_attribute("bundle-only")) {
      reject("the offerer disabled it (port 0)");
    } else if (!contains(bundle->mids, m.mid)) {
      reject("it is not in the BUNDLE group");
    } else if ((nm.kind == MediaKind::audio || nm.kind == MediaKind::video) && m.is_rtp()) {
      if (m.proto.find("SAVPF") == std::string::npos) {
        reject("profile " + m.proto + " is not SRTP with feedback (UDP/TLS/RTP/SAVPF)");
      } else {
        negotiate_rtp(m, offer, policy, nm);
        if (nm.codecs.empty()) {
          reject("no offered " + m.media + " codec is acceptable");
        } else if (!m.rtcp_mux) {
          // JSEP §4.1.1's "require" rtcp-mux policy: one port carries RTP and RTCP.
          return Error{"m-section mid " + m.mid + " lacks a=rtcp-mux; RTP and RTCP must share one port (RFC 5761)"};
        }
      }
    } else if (nm.kind == MediaKind::application && m.is_sctp()) {
      if (!policy.data_channels) {
        reject("data channels are not enabled");
      } else {
        nm.direction = Direction::sendrecv;
        nm.remote_sctp_port = m.sctp_port;
        nm.remote_max_message_size = m.max_message_size;
        // Pre-RFC 8841 form: "m=application <port> DTLS/SCTP <sctp port>" + a=sctpmap.
        if (m.proto == "DTLS/SCTP") {
          nm.legacy_sctpmap = true;
          if (!m.formats.empty()) nm.remote_sctp_port = text::parse_uint<uint16_t>(m.formats.front());
        }
      }
    } else {
      reject("media '" + m.media + "' over '" + m.proto + "' is not supported");
    }
    n.media.push_back(std::move(nm));
  }

  // RFC 8843 §9.2: within a BUNDLE group an extmap id names one extension.
  // Some offers (aiortc's) give an id two URIs in two sections; the receiver
  // could not tell them apart, so such ids are left out of the answer and the
  // offerer will not send them.
  std::map<uint16_t, std::vector<std::string>> uris_by_id;
  for (const auto& nm : n.media) {
    if (nm.rejected) continue;
    for (const auto& e : nm.extensions) {
      auto& uris = uris_by_id[e.id];
      if (!contains(uris, e.uri)) uris.push_back(e.uri);
    }
  }
  for (const auto& [id, uris] : uris_by_id) {
    if (uris.size() < 2) continue;
    std::string names;
    for (const auto& uri : uris) names += (names.empty() ? "" : ", ") + uri;
    n.warnings.push_back("extmap id " + std::to_string(id) + " names " + names +
                         " in one BUNDLE group; left out of the answer");
    for (auto& nm : n.media)
      std::erase_if(nm.extensions, [id = id](const Extmap& e) { return e.id == id; });
  }

  for (const auto& mid : bundle->mids) {
    const NegotiatedMedia* nm = n.find(mid);
    if (nm && !nm->rejected && !contains(n.bundle_mids, mid)) n.bundle_mids.push_back(mid);
  }
  if (n.bundle_mids.empty()) {
    std::string reasons;
    for (const auto& w : n.warnings) reasons += (reasons.empty() ? "" : "; ") + w;
    return Error{"nothing in the offer is acceptable: " + reasons};
  }

  // RFC 8843 §7.3.1: the transport is the tagged (first accepted) section's;
  // session-level values apply where the section has none.
  const MediaDescription* tagged = offer.find_media(n.bundle_mids.front());
  n.remote_ice_ufrag = tagged->ice_ufrag.empty() ? offer.ice_ufrag : tagged->ice_ufrag;
  n.remote_ice_pwd = tagged->ice_pwd.empty() ? offer.ice_pwd : tagged->ice_pwd;
  if (n.remote_ice_ufrag.empty() || n.remote_ice_pwd.empty())
    return Error{"the offer has no ICE credentials (a=ice-ufrag, a=ice-pwd) for mid " + tagged->mid};
  bool have_fingerprint = false;
  for (const auto* list : {&tagged->fingerprints, &offer.fingerprints}) {
    for (const auto& fp : *list) {
      if (!have_fingerprint && iequals(fp.algorithm, "sha-256")) {
        n.remote_fingerprint = fp;
        have_fingerprint = true;
      }
    }
  }
  if (!have_fingerprint)
    return Error{"the offer has no a=fingerprint:sha-256 for mid " + tagged->mid + " (RFC 8122)"};
  n.remote_setup = tagged->setup.value_or(offer.setup.value_or(Setup::actpass));
  n.remote_candidates = tagged->candidates;
  return n;
}

}  // namespace ct::sdp
