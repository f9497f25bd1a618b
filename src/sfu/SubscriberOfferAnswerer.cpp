#include "sfu/SubscriberOfferAnswerer.hpp"

#include <algorithm>

#include "sdp/DescriptionBuilder.hpp"
#include "sdp/SessionDescription.hpp"
#include "sfu/Publication.hpp"
#include "sfu/SubscriberConnection.hpp"

namespace ct::sfu {
namespace {

SubscriberOfferAnswerer::OfferableTrack offerable(const Publication& publication) {
  const PublicationParams& p = publication.params();
  return {publication.sid(), p.video, p.codec_name, p.clock_rate, p.channels};
}

bool is_media(const sdp::NegotiatedMedia& m) {
  return !m.rejected && (m.kind == sdp::MediaKind::audio || m.kind == sdp::MediaKind::video);
}

}  // namespace

sdp::CodecPolicy SubscriberOfferAnswerer::policy() {
  sdp::CodecPolicy policy = sdp::CodecPolicy::defaults();
  policy.video.push_back(sdp::CodecSpec{"VP9", 90000, 0, {{"profile-id", {"0", ""}}}});
  // The subscriber connection estimates from transport-cc; it reads no REMB.
  std::erase(policy.rtcp_fb, "goog-remb");
  // GStreamer offers "OPUS/48000" without the channel count (RFC 7587 §7 has "/2").
  for (auto& spec : policy.audio) spec.channels = 0;
  // Players take media only; their data would have nowhere to go.
  policy.data_channels = false;
  return policy;
}

const sdp::NegotiatedCodec* SubscriberOfferAnswerer::codec_for(const sdp::NegotiatedMedia& m,
                                                               const OfferableTrack& track) {
  if ((m.kind == sdp::MediaKind::video) != track.video) return nullptr;
  for (const auto& c : m.codecs) {
    if (!sdp::iequals(c.name, track.codec_name) || c.clock_rate != track.clock_rate) continue;
    // RFC 7587 §7: opus is always "opus/48000/2".
    if (!track.video && track.channels != 0 && c.channels != 0 && c.channels != track.channels) continue;
    return &c;
  }
  return nullptr;
}

std::vector<std::pair<size_t, size_t>> SubscriberOfferAnswerer::assign(
    const sdp::Negotiation& negotiation, std::span<const OfferableTrack> tracks,
    std::span<const std::string> taken_mids) {
  std::vector<std::pair<size_t, size_t>> out;
  std::vector<bool> used(tracks.size(), false);
  for (size_t i = 0; i < negotiation.media.size(); ++i) {
    const sdp::NegotiatedMedia& m = negotiation.media[i];
    if (!is_media(m) || !sdp::sends(m.direction)) continue;
    if (std::find(taken_mids.begin(), taken_mids.end(), m.mid) != taken_mids.end()) continue;
    for (size_t t = 0; t < tracks.size(); ++t) {
      if (used[t] || !codec_for(m, tracks[t])) continue;
      used[t] = true;
      out.emplace_back(i, t);
      break;
    }
  }
  return out;
}

SubscriptionNegotiation SubscriberOfferAnswerer::extensions_of(const sdp::NegotiatedMedia& m) {
  SubscriptionNegotiation n;
  for (const auto& e : m.extensions) {
    if (e.id == 0 || e.id > 14) continue;  // the subscription writes one-byte headers (RFC 8285 §4.2)
    if (e.uri == sdp::ext_uri::mid) n.mid_id = uint8_t(e.id);
    if (e.uri == sdp::ext_uri::audio_level) n.audio_level_id = uint8_t(e.id);
    if (e.uri == sdp::ext_uri::abs_send_time) n.abs_send_time_id = uint8_t(e.id);
    if (e.uri == sdp::ext_uri::transport_cc) n.transport_cc_id = uint8_t(e.id);
  }
  return n;
}

bool SubscriberOfferAnswerer::carries_track(const std::string& mid) const {
  for (const auto& s : connection_.sections())
    if (s.mid == mid && s.subscription) return true;
  return false;
}

void SubscriberOfferAnswerer::bind(AnsweredSection& section, Publication& publication,
                                   const sdp::NegotiatedCodec& codec, TimePoint now) {
  section.sent = codec;
  connection_.add_offered_section(publication, section.mid, codec, section.extensions, now);
  std::erase(waiting_, &publication);
}

void SubscriberOfferAnswerer::offer_track(Publication& publication, TimePoint now) {
  const OfferableTrack track = offerable(publication);
  for (auto& section : answered_) {
    if (carries_track(section.mid)) continue;
    sdp::NegotiatedMedia m;
    m.kind = section.kind;
    m.codecs = section.codecs;
    const sdp::NegotiatedCodec* codec = codec_for(m, track);
    // The answer fixed the section's payload type: a track of another codec cannot take it.
    if (!codec || (section.sent.pt != 0 && codec->pt != section.sent.pt)) continue;
    return bind(section, publication, *codec, now);
  }
  if (std::find(waiting_.begin(), waiting_.end(), &publication) == waiting_.end())
    waiting_.push_back(&publication);
}

void SubscriberOfferAnswerer::withdraw_track(Publication& publication) { std::erase(waiting_, &publication); }

std::variant<event::SubscriberAnswer, event::Error> SubscriberOfferAnswerer::answer(
    const std::string& sdp_text, TimePoint now) {
  auto bad = [](std::string message) { return event::Error{"bad_sdp", std::move(message)}; };
  if (sdp_text.size() > sdp::kMaxSdpSize) return bad("the offer is too large");
  auto offer = sdp::SessionDescription::parse(sdp_text);
  if (!offer) return bad("malformed SDP offer: " + offer.error());
  auto negotiation = sdp::negotiate(*offer, policy());
  if (!negotiation) return bad("unusable SDP offer: " + negotiation.error());

  // Sections answered before (an ICE restart) keep their track and codec.
  std::vector<std::string> taken;
  for (auto& m : negotiation->media) {
    auto it = std::find_if(answered_.begin(), answered_.end(), [&](const auto& a) { return a.mid == m.mid; });
    if (it == answered_.end() || !carries_track(m.mid)) continue;
    if (!m.find_codec(it->sent.pt)) return bad("the offer drops the codec of m-section " + m.mid);
    taken.push_back(m.mid);
  }
  std::vector<OfferableTrack> tracks;
  for (const Publication* p : waiting_) tracks.push_back(offerable(*p));
  auto assigned = assign(*negotiation, tracks, taken);
  if (taken.empty() && assigned.empty())
    return event::Error{"no_matching_tracks",
                        "no m-section of the offer receives a codec of the tracks to play"};
  if (auto error = connection_.accept_offer_transport(*negotiation, now)) return *error;

  std::vector<Publication*> candidates = waiting_;  // bind() takes from waiting_
  for (auto [media_index, track_index] : assigned) {
    const sdp::NegotiatedMedia& m = negotiation->media[media_index];
    auto it = std::find_if(answered_.begin(), answered_.end(), [&](const auto& a) { return a.mid == m.mid; });
    AnsweredSection& section = it != answered_.end() ? *it : answered_.emplace_back();
    section = AnsweredSection{m.mid, m.kind, m.codecs, extensions_of(m), {}};
    bind(section, *candidates[track_index], *codec_for(m, tracks[track_index]), now);
  }
  for (const auto& m : negotiation->media) {
    if (!is_media(m)) continue;
    if (std::none_of(answered_.begin(), answered_.end(), [&](const auto& a) { return a.mid == m.mid; }))
      answered_.push_back(AnsweredSection{m.mid, m.kind, m.codecs, extensions_of(m), {}});
  }

  // One codec per section, sent only; sections without a track are inactive.
  event::SubscriberAnswer result;
  for (auto& m : negotiation->media) {
    if (!is_media(m)) continue;
    const SubscriberConnection::Section* carried = nullptr;
    for (const auto& s : connection_.sections())
      if (s.mid == m.mid && s.subscription) carried = &s;
    if (!carried) {
      m.direction = sdp::Direction::inactive;
      continue;
    }
    const uint8_t pt = carried->subscription->params().payload_type;
    m.codecs.erase(
        std::remove_if(m.codecs.begin(), m.codecs.end(), [&](const auto& c) { return c.pt != pt; }),
        m.codecs.end());
    m.direction = sdp::Direction::sendonly;
    if (!connection_.send_path().estimator()) {
      std::erase_if(m.extensions, [](const sdp::Extmap& e) { return e.uri == sdp::ext_uri::transport_cc; });
      for (auto& c : m.codecs) std::erase(c.rtcp_fb, "transport-cc");
    }
    result.tracks.push_back(carried->track);
  }
  auto description = sdp::build_answer(*offer, *negotiation, connection_.local_transport(),
                                       [&](const sdp::NegotiatedMedia& m) -> std::optional<sdp::LocalStream> {
                                         for (const auto& s : connection_.sections()) {
                                           if (s.mid != m.mid || !s.subscription) continue;
                                           sdp::LocalStream stream;
                                           stream.ssrc = s.subscription->ssrc();
                                           if (s.subscription->rtx_ssrc() != 0)
                                             stream.rtx_ssrc = s.subscription->rtx_ssrc();
                                           stream.cname = connection_.cname();
                                           stream.stream_id = s.track.publisher;
                                           stream.track_id = s.track.sid;
                                           return stream;
                                         }
                                         return std::nullopt;
                                       });
  result.sdp = description.serialize();
  return result;
}

}  // namespace ct::sfu
