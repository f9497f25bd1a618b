#include "sfu/Participant.hpp"

#include <algorithm>
#include <array>

#include "core/Log.hpp"
#include "core/Random.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpRemb.hpp"
#include "rtp/RtcpSenderReport.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/Rtx.hpp"
#include "sctp/DcepMessage.hpp"
#include "sdp/DescriptionBuilder.hpp"
#include "sdp/Negotiation.hpp"
#include "sdp/SessionDescription.hpp"
#include "sfu/ActiveSpeakerDetector.hpp"
#include "sfu/DataPacket.hpp"
#include "sfu/DataRelay.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/RembEstimator.hpp"
#include "sfu/SenderReportGenerator.hpp"
#include "sfu/TransportCcFeedbackGenerator.hpp"
#include "webrtc/MediaPort.hpp"
#include "webrtc/TransportDescription.hpp"

namespace ct::sfu {
namespace {

constexpr Duration kTransportCcInterval = milliseconds(100);
constexpr Duration kReportInterval = seconds(1);
// RTCP the server writes stays well inside one MTU with the SRTCP trailer.
constexpr size_t kRtcpBudget = 1200;

sdp::CodecPolicy publisher_policy() { return sdp::CodecPolicy::defaults(); }

// Channel labels of the CipherTalk client (docs/protocol.md "Data messages").
constexpr std::string_view kReliableLabel = "_reliable";
constexpr std::string_view kLossyLabel = "_lossy";

bool has_feedback(const sdp::NegotiatedCodec& codec, std::string_view fb) {
  return std::find(codec.rtcp_fb.begin(), codec.rtcp_fb.end(), fb) != codec.rtcp_fb.end();
}

std::string codec_label(const std::string& name) {
  if (sdp::iequals(name, "opus")) return "opus";
  if (sdp::iequals(name, "VP8")) return "VP8";
  if (sdp::iequals(name, "H264")) return "H264";
  return name;
}

// The subscriber connection's payload types are the server's own.
void server_payload_types(const std::string& codec, uint8_t& pt, std::optional<uint8_t>& rtx_pt) {
  if (sdp::iequals(codec, "opus")) {
    pt = subscriber_pt::kOpus;
  } else if (sdp::iequals(codec, "VP8")) {
    pt = subscriber_pt::kVp8;
    rtx_pt = subscriber_pt::kVp8Rtx;
  } else if (sdp::iequals(codec, "H264")) {
    pt = subscriber_pt::kH264;
    rtx_pt = subscriber_pt::kH264Rtx;
  }
}

uint32_t random_ssrc() {
  uint32_t ssrc = 0;
  while (ssrc == 0) ssrc = random_u32();
  return ssrc;
}

}  // namespace

Participant::Participant(ParticipantInfo info, std::shared_ptr<ParticipantSink> sink,
                         ParticipantContext context, uint64_t key, TimePoint now)
    : info_(std::move(info)),
      sink_(std::move(sink)),
      context_(std::move(context)),
      key_(key),
      cname_("ciphertalk-" + random_token(8)),
      feedback_ssrc_(random_ssrc()),
      transport_cc_(std::make_unique<TransportCcFeedbackGenerator>(feedback_ssrc_)),
      remb_(std::make_unique<RembEstimator>()) {
  if (info_.can_subscribe) {
    subscriber_ = make_transport(now, true);
    context_.port.add(*subscriber_);
    // The subscriber connection always carries data channels, first in its
    // offers, so data reaches participants who receive no media.
    data_mid_ = std::to_string(next_mid_++);
  }
}

Participant::~Participant() {
  // Subscriptions leave their publications; then no datagram may reach a
  // transport that is going away.
  sections_.clear();
  publications_.clear();
  if (publisher_) context_.port.remove(*publisher_);
  if (subscriber_) context_.port.remove(*subscriber_);
  if (context_.totals) {
    if (publisher_) context_.totals->add(*publisher_);
    if (subscriber_) context_.totals->add(*subscriber_);
    context_.totals->add_data(*this);
  }
}

void Participant::add_counters(MediaCounters& counters) const {
  if (publisher_) counters.add(*publisher_);
  if (subscriber_) counters.add(*subscriber_);
  counters.add_data(*this);
  for (const auto& p : publications_) counters.add(*p);
  for (const auto& s : sections_) {
    if (s.subscription) counters.add(*s.subscription);
  }
}

std::unique_ptr<webrtc::PeerTransport> Participant::make_transport(TimePoint now, bool subscriber) {
  webrtc::PeerTransport::Options options = context_.transport_options;
  // The subscriber transport waits, unconnected, until there is something to
  // offer; its connect deadline runs from the first offer (on_tick).
  if (subscriber) options.connect_timeout = std::chrono::hours(24 * 365);
  return std::make_unique<webrtc::PeerTransport>(*this, context_.port, context_.certificate, options, now);
}

bool Participant::update_info(const std::optional<std::string>& name,
                              const std::optional<std::string>& metadata) {
  bool changed = false;
  if (name && *name != info_.name) {
    info_.name = *name;
    changed = true;
  }
  if (metadata && *metadata != info_.metadata) {
    info_.metadata = *metadata;
    changed = true;
  }
  return changed;
}

void Participant::deliver(RoomEvent event) {
  if (sink_) sink_->deliver(std::move(event));
}

ParticipantState Participant::state() const {
  ParticipantState s;
  s.info = info_;
  for (const auto& p : publications_) s.tracks.push_back(p->info());
  return s;
}

// --- publisher connection ---

Participant::PublishResult Participant::publisher_offer(const std::string& sdp_text,
                                                        const std::vector<TrackMeta>& tracks, TimePoint now) {
  PublishResult result;
  auto fail = [&](std::string message) {
    result.error_code = "bad_sdp";
    result.error_message = std::move(message);
    return std::move(result);
  };
  if (sdp_text.size() > sdp::kMaxSdpSize) return fail("the offer is too large");
  auto offer = sdp::SessionDescription::parse(sdp_text);
  if (!offer) return fail("malformed SDP offer: " + offer.error());
  auto negotiation = sdp::negotiate(*offer, publisher_policy());
  if (!negotiation) return fail("unusable SDP offer: " + negotiation.error());
  // New ICE credentials in an offer are an ICE restart (RFC 8839 §4.4.1.1.1);
  // the DTLS association continues, so its certificate must not change.
  bool ice_restart = publisher_remote_set_ && (negotiation->remote_ice_ufrag != publisher_remote_ufrag_ ||
                                               negotiation->remote_ice_pwd != publisher_remote_pwd_);
  if (ice_restart && !sdp::iequals(negotiation->remote_fingerprint.value, publisher_remote_fingerprint_))
    return fail("the DTLS fingerprint changed on a live publisher connection");
  // Each publication costs every subscriber an m-section and the worker a
  // retransmission buffer: a participant publishes a bounded number.
  size_t sending = 0;
  for (const auto& m : negotiation->media) {
    if (!m.rejected && (m.kind == sdp::MediaKind::audio || m.kind == sdp::MediaKind::video) &&
        sdp::receives(m.direction) && !m.codecs.empty())
      ++sending;
  }
  if (sending > kMaxPublications) {
    result.error_code = "too_many_tracks";
    result.error_message = "at most " + std::to_string(kMaxPublications) + " tracks per participant";
    return result;
  }

  // Answering with one codec per section makes the browser send exactly that
  // one, the codec every subscriber is then offered.
  for (auto& m : negotiation->media) {
    if (m.codecs.size() > 1) m.codecs.resize(1);
  }

  if (!publisher_) {
    publisher_ = make_transport(now, false);
    context_.port.add(*publisher_);
  }
  if (!publisher_remote_set_) {
    publisher_->set_remote_parameters(negotiation->remote_ice_ufrag, negotiation->remote_ice_pwd,
                                      negotiation->remote_fingerprint.algorithm,
                                      negotiation->remote_fingerprint.value);
    publisher_remote_ufrag_ = negotiation->remote_ice_ufrag;
    publisher_remote_pwd_ = negotiation->remote_ice_pwd;
    publisher_remote_fingerprint_ = negotiation->remote_fingerprint.value;
    publisher_remote_set_ = true;
  } else if (ice_restart) {
    // RFC 8445 §9: the answer to a restart carries fresh credentials of ours too.
    publisher_->restart_ice();
    context_.port.add(*publisher_);
    publisher_->set_remote_ice_credentials(negotiation->remote_ice_ufrag, negotiation->remote_ice_pwd);
    publisher_remote_ufrag_ = negotiation->remote_ice_ufrag;
    publisher_remote_pwd_ = negotiation->remote_ice_pwd;
  }

  for (const auto& m : negotiation->media) {
    if (m.kind != sdp::MediaKind::application || m.rejected) continue;
    // RFC 8841 §6.1: without a=max-message-size the peer takes 64 KiB.
    publisher_->enable_data_channels(m.remote_sctp_port.value_or(5000),
                                     m.remote_max_message_size.value_or(65536));
  }

  // Extension ids are BUNDLE-wide (RFC 8843 §9.2).
  for (const auto& m : negotiation->media) {
    if (m.rejected) continue;
    for (const auto& e : m.extensions) {
      if (e.id == 0 || e.id > 255) continue;
      if (e.uri == sdp::ext_uri::mid) mid_extension_id_ = uint8_t(e.id);
      if (e.uri == sdp::ext_uri::transport_cc) transport_cc_extension_id_ = uint8_t(e.id);
    }
  }

  for (const auto& m : negotiation->media) {
    auto existing = std::find_if(publications_.begin(), publications_.end(),
                                 [&](const auto& p) { return p->info().mid == m.mid; });
    bool sending = !m.rejected && (m.kind == sdp::MediaKind::audio || m.kind == sdp::MediaKind::video) &&
                   sdp::receives(m.direction) && !m.codecs.empty();
    if (!sending) {
      if (existing != publications_.end()) {
        result.removed.push_back(std::move(*existing));
        publications_.erase(existing);
      }
      continue;
    }
    uint32_t ssrc = m.remote_ssrcs.empty() ? 0 : m.remote_ssrcs.front();
    uint32_t rtx_ssrc = 0;
    for (auto [media, rtx] : m.remote_rtx_ssrcs) {
      if (media == ssrc) rtx_ssrc = rtx;
    }
    if (existing != publications_.end()) {
      if (ssrc != 0 && (*existing)->params().ssrc == 0) (*existing)->set_ssrcs(ssrc, rtx_ssrc);
      continue;
    }

    const auto& codec = m.codecs.front();
    PublicationParams params;
    params.video = m.kind == sdp::MediaKind::video;
    params.codec_name = codec.name;
    params.clock_rate = codec.clock_rate;
    params.channels = codec.channels;
    params.fmtp = codec.fmtp;
    params.payload_type = codec.pt;
    params.rtx_payload_type = codec.rtx_pt;
    params.nack = has_feedback(codec, "nack");
    params.ssrc = ssrc;
    params.rtx_ssrc = rtx_ssrc;
    params.totals = context_.totals;
    for (const auto& e : m.extensions) {
      if (e.id == 0 || e.id > 255) continue;
      if (e.uri == sdp::ext_uri::mid) params.mid_id = uint8_t(e.id);
      if (e.uri == sdp::ext_uri::audio_level) params.audio_level_id = uint8_t(e.id);
      if (e.uri == sdp::ext_uri::abs_send_time) params.abs_send_time_id = uint8_t(e.id);
    }

    TrackInfo track;
    track.sid = "TR_" + random_token(12);
    track.publisher = info_.identity;
    track.kind = params.video ? "video" : "audio";
    track.source = params.video ? "camera" : "microphone";
    track.mid = m.mid;
    track.codec = codec_label(codec.name);
    for (const auto& meta : tracks) {
      if (meta.mid != m.mid) continue;
      if (!meta.source.empty()) track.source = meta.source;
      track.name = meta.name;
      track.muted = meta.muted;
    }
    publications_.push_back(std::make_unique<Publication>(std::move(track), std::move(params), *publisher_,
                                                          feedback_ssrc_,
                                                          context_.keyframe_request_interval));
    result.added.push_back(publications_.back().get());
  }

  // The server sends nothing on the publisher connection: every section is recvonly.
  auto answer =
      sdp::build_answer(*offer, *negotiation, webrtc::describe_transport(*publisher_, context_.port),
                        [](const sdp::NegotiatedMedia&) { return std::optional<sdp::LocalStream>(); });
  result.answer_sdp = answer.serialize();
  return result;
}

Publication* Participant::find_publication(std::string_view sid) {
  for (auto& p : publications_)
    if (p->sid() == sid) return p.get();
  return nullptr;
}

std::vector<std::unique_ptr<Publication>> Participant::take_publications() {
  return std::move(publications_);
}

Publication* Participant::publication_for(uint32_t ssrc, bool& is_rtx) {
  for (auto& p : publications_) {
    if (p->params().ssrc == ssrc) {
      is_rtx = false;
      return p.get();
    }
    if (p->params().rtx_ssrc == ssrc) {
      is_rtx = true;
      return p.get();
    }
  }
  return nullptr;
}

Publication* Participant::learn_ssrc(uint32_t ssrc, uint8_t payload_type, std::string_view mid) {
  // Sources the offer did not list are bound by their MID header extension
  // (RFC 8843 §9.2) on first sight; the first source of a section wins.
  for (auto& p : publications_) {
    if (p->info().mid != mid) continue;
    const auto& params = p->params();
    if (payload_type == params.payload_type && params.ssrc == 0) {
      p->set_ssrcs(ssrc, params.rtx_ssrc);
      return p.get();
    }
    if (params.rtx_payload_type && payload_type == *params.rtx_payload_type && params.rtx_ssrc == 0) {
      p->set_ssrcs(params.ssrc, ssrc);
      return p.get();
    }
    return nullptr;
  }
  return nullptr;
}

void Participant::on_rtp(webrtc::PeerTransport& transport, std::span<uint8_t> packet, size_t) {
  if (&transport != publisher_.get()) return;  // the subscriber connection only receives from us
  auto now = Clock::now();
  auto rtp = rtp::RtpPacket::parse(packet);
  if (!rtp) return;

  // Bandwidth feedback counts every packet that arrived, RTX and padding too.
  if (transport_cc_extension_id_ != 0) {
    if (auto seq = rtp::read_transport_sequence_number(rtp->find_extension(transport_cc_extension_id_)))
      transport_cc_->on_packet(*seq, rtp->ssrc(), now);
  } else {
    remb_->on_packet(packet.size(), now);
  }

  bool is_rtx = false;
  Publication* publication = publication_for(rtp->ssrc(), is_rtx);
  if (!publication && mid_extension_id_ != 0) {
    if (auto mid = rtp::read_mid(rtp->find_extension(mid_extension_id_))) {
      if (learn_ssrc(rtp->ssrc(), rtp->payload_type(), *mid))
        publication = publication_for(rtp->ssrc(), is_rtx);
    }
  }
  if (!publication) return;
  const auto& params = publication->params();

  if (is_rtx) {
    // An answer to our NACK (RFC 4588 §4): forwarded as the original packet.
    // Padding-only probes carry no OSN and end here.
    auto original = rtp::unwrap_rtx_in_place(*rtp, params.ssrc, params.payload_type);
    if (!original) return;
    publication->on_rtp(*original, now);
    return;
  }
  if (rtp->payload_type() != params.payload_type) return;  // only the answered codec is forwarded
  if (!publication->video() && params.audio_level_id != 0 && context_.speakers) {
    if (auto level = rtp::read_audio_level(rtp->find_extension(params.audio_level_id)))
      context_.speakers->add_level(key_, level->level, level->voice_activity, now);
  }
  publication->on_rtp(*rtp, now);
}

void Participant::on_rtcp(webrtc::PeerTransport& transport, std::span<uint8_t> compound, size_t) {
  auto now = Clock::now();
  if (&transport == publisher_.get()) {
    on_publisher_rtcp(compound, now);
  } else if (&transport == subscriber_.get()) {
    on_subscriber_rtcp(compound, now);
  }
}

void Participant::on_publisher_rtcp(std::span<const uint8_t> compound, TimePoint now) {
  rtp::RtcpCompound packets(compound);
  while (auto packet = packets.next()) {
    if (packet->type() != rtp::rtcp_type::kSenderReport) continue;
    auto sr = rtp::RtcpSenderReport::parse(*packet);
    if (!sr) continue;
    bool is_rtx = false;
    Publication* publication = publication_for(sr->sender_ssrc(), is_rtx);
    if (publication && !is_rtx) publication->on_sender_report(sr->sender_info().ntp_timestamp, now);
  }
}

void Participant::on_subscriber_report_block(const rtp::RtcpReportBlock& block) {
  if (!find_subscription(block.ssrc)) return;
  window_downstream_loss_ = std::max(window_downstream_loss_, block.fraction_lost / 256.0);
  if (block.last_sr == 0) return;
  // RFC 3550 §6.4.1: RTT = A - LSR - DLSR, in 1/65536 s of the NTP clock.
  uint32_t arrival = uint32_t(SenderReportGenerator::to_ntp(std::chrono::system_clock::now()) >> 16);
  uint32_t rtt_units = arrival - block.last_sr - block.delay_since_last_sr;
  if (rtt_units > 10u * 65536u) return;  // a clock step or a stale LSR, not a path
  Duration rtt = microseconds(int64_t(rtt_units) * 1'000'000 / 65536);
  if (!window_rtt_ || rtt > *window_rtt_) window_rtt_ = rtt;
  // The publisher connection runs between the same browser and us, but we
  // send no SR there to measure it: this RTT paces its NACKs (not again
  // before a retransmission could have arrived).
  for (auto& p : publications_) p->set_path_rtt(rtt);
}

void Participant::on_subscriber_rtcp(std::span<const uint8_t> compound, TimePoint now) {
  last_subscriber_rtcp_ = now;
  rtp::RtcpCompound packets(compound);
  while (auto packet = packets.next()) {
    if (packet->type() == rtp::rtcp_type::kReceiverReport) {
      auto rr = rtp::RtcpReceiverReport::parse(*packet);
      if (!rr) continue;
      for (size_t i = 0; i < rr->report_count(); ++i) on_subscriber_report_block(rr->report_block(i));
    } else if (packet->type() == rtp::rtcp_type::kSenderReport) {
      auto sr = rtp::RtcpSenderReport::parse(*packet);
      if (!sr) continue;
      for (size_t i = 0; i < sr->report_count(); ++i) on_subscriber_report_block(sr->report_block(i));
    } else if (packet->type() == rtp::rtcp_type::kTransportFeedback &&
               packet->count() == rtp::rtcp_fmt::kNack) {
      auto nack = rtp::RtcpNack::parse(*packet);
      if (!nack) continue;
      if (Subscription* s = find_subscription(nack->media_ssrc()))
        nack->for_each_lost([&](uint16_t seq) { s->retransmit(seq, now); });
    } else if (packet->type() == rtp::rtcp_type::kPayloadFeedback && packet->count() == rtp::rtcp_fmt::kPli) {
      auto pli = rtp::RtcpPli::parse(*packet);
      if (!pli) continue;
      Subscription* s = find_subscription(pli->media_ssrc());
      if (s && s->allow_keyframe_request(now)) s->publication().request_keyframe(now);
    } else if (packet->type() == rtp::rtcp_type::kPayloadFeedback && packet->count() == rtp::rtcp_fmt::kFir) {
      auto fir = rtp::RtcpFir::parse(*packet);
      if (!fir) continue;
      // The publisher is asked with a PLI: its encoder treats both alike,
      // and one request type keeps one throttle honest.
      for (size_t i = 0; i < fir->entry_count(); ++i) {
        const rtp::RtcpFirEntry entry = fir->entry(i);
        Subscription* s = find_subscription(entry.ssrc);
        if (s && s->is_new_fir(entry.sequence_number) && s->allow_keyframe_request(now))
          s->publication().request_keyframe(now);
      }
    }
  }
}

void Participant::on_transport_connected(webrtc::PeerTransport& transport) {
  if (&transport != subscriber_.get()) return;
  // Packets forwarded before DTLS finished were lost: start from a keyframe.
  auto now = Clock::now();
  last_subscriber_rtcp_ = now;
  for (auto& s : sections_) {
    if (s.subscription && s.subscription->active()) s.subscription->publication().request_keyframe(now);
  }
}

void Participant::on_transport_closed(webrtc::PeerTransport&, std::string_view reason) {
  // Never destroyed from inside its own callback: the Room reaps us on tick.
  if (connection_lost_) return;
  connection_lost_ = true;
  connection_lost_reason_ = std::string(reason);
}

// --- subscriber connection ---

void Participant::subscribe(Publication& publication) {
  if (!subscriber_) return;
  SubscriberSection section;
  section.mid = std::to_string(next_mid_++);
  section.kind = publication.video() ? sdp::MediaKind::video : sdp::MediaKind::audio;
  section.track = publication.info();
  section.track.mid = section.mid;

  SubscriptionParams params;
  params.mid = section.mid;
  params.ssrc = random_ssrc();
  params.payload_type = publication.params().payload_type;
  server_payload_types(publication.params().codec_name, params.payload_type, params.rtx_payload_type);
  if (params.rtx_payload_type) params.rtx_ssrc = random_ssrc();
  params.drop_fraction = context_.drop_forwarded_fraction;
  params.drop_seed = (key_ << 32) ^ next_mid_;
  params.totals = context_.totals;
  section.subscription = std::make_unique<Subscription>(publication, *subscriber_, std::move(params));
  sections_.push_back(std::move(section));
}

bool Participant::unsubscribe(Publication& publication) {
  for (auto& s : sections_) {
    if (s.subscription && &s.subscription->publication() == &publication) {
      s.subscription.reset();
      return true;
    }
  }
  return false;
}

void Participant::clear_subscriptions() {
  for (auto& s : sections_) s.subscription.reset();
}

Subscription* Participant::find_subscription(uint32_t ssrc) {
  for (auto& s : sections_) {
    if (s.subscription && (s.subscription->ssrc() == ssrc || s.subscription->rtx_ssrc() == ssrc))
      return s.subscription.get();
  }
  return nullptr;
}

bool Participant::restart_subscriber_ice() {
  if (!subscriber_ || !subscriber_remote_set_) return false;
  subscriber_->restart_ice();
  context_.port.add(*subscriber_);
  // The next offer carries the new credentials and supersedes one the
  // browser may never have seen.
  offer_pending_ = false;
  pending_offer_.reset();
  dirty_ = true;
  return true;
}

std::optional<event::SubscriberOffer> Participant::make_subscriber_offer(TimePoint now) {
  if (!subscriber_) return std::nullopt;
  event::SubscriberOffer offer;
  std::vector<sdp::OfferSection> sections;
  sdp::OfferSection data;
  data.kind = sdp::MediaKind::application;
  data.mid = data_mid_;
  sections.push_back(std::move(data));
  for (auto& s : sections_) {
    sdp::OfferSection os;
    os.kind = s.kind;
    os.mid = s.mid;
    s.offered = true;
    if (!s.subscription) {
      // JSEP §5.2.2: a stopped section keeps its place, with port 0.
      os.stopped = true;
      os.direction = sdp::Direction::inactive;
      sections.push_back(std::move(os));
      continue;
    }
    const Subscription& sub = *s.subscription;
    const auto& pp = sub.publication().params();
    sdp::NegotiatedCodec codec;
    codec.pt = sub.params().payload_type;
    codec.name = pp.codec_name;
    codec.clock_rate = pp.clock_rate;
    codec.channels = pp.channels;
    codec.fmtp = pp.fmtp;
    codec.rtx_pt = sub.params().rtx_payload_type;
    if (pp.video) codec.rtcp_fb = {"nack", "nack pli", "ccm fir"};
    os.codecs.push_back(std::move(codec));
    os.extensions.push_back(
        sdp::Extmap{subscriber_extension_id::kMid, std::nullopt, std::string(sdp::ext_uri::mid), {}});
    if (!pp.video) {
      os.extensions.push_back(sdp::Extmap{
          subscriber_extension_id::kAudioLevel, std::nullopt, std::string(sdp::ext_uri::audio_level), {}});
    }
    os.extensions.push_back(sdp::Extmap{
        subscriber_extension_id::kAbsSendTime, std::nullopt, std::string(sdp::ext_uri::abs_send_time), {}});
    os.direction = sdp::Direction::sendonly;
    sdp::LocalStream stream;
    stream.ssrc = sub.ssrc();
    if (sub.rtx_ssrc() != 0) stream.rtx_ssrc = sub.rtx_ssrc();
    stream.cname = cname_;
    stream.stream_id = s.track.publisher;
    stream.track_id = s.track.sid;
    os.stream = std::move(stream);
    sections.push_back(std::move(os));
    offer.tracks.push_back(s.track);
  }
  auto description =
      sdp::build_offer(sections, webrtc::describe_transport(*subscriber_, context_.port), last_origin_);
  last_origin_ = description.origin;
  offer.sdp = description.serialize();
  offer_pending_ = true;
  dirty_ = false;
  pending_offer_ = offer;
  if (!subscriber_connect_deadline_ && subscriber_->state() != webrtc::PeerTransport::State::Connected)
    subscriber_connect_deadline_ = now + context_.transport_options.connect_timeout;
  return offer;
}

std::optional<event::Error> Participant::subscriber_answer(const std::string& sdp_text, TimePoint now) {
  if (!offer_pending_ || !subscriber_)
    return event::Error{"no_offer_pending", "there is no subscriber offer to answer"};
  auto bad = [](std::string message) { return event::Error{"bad_sdp", std::move(message)}; };
  if (sdp_text.size() > sdp::kMaxSdpSize) return bad("the answer is too large");
  auto answer = sdp::SessionDescription::parse(sdp_text);
  if (!answer) return bad("malformed SDP answer: " + answer.error());

  // The transport is the first live section's (RFC 8843 §7.3.1), with
  // session-level values where the section has none.
  const sdp::MediaDescription* tagged = nullptr;
  for (const auto& m : answer->media) {
    if (m.port != 0) {
      tagged = &m;
      break;
    }
  }
  if (tagged) {
    auto setup = tagged->setup.value_or(answer->setup.value_or(sdp::Setup::active));
    // RFC 8842 §5.3: we offered actpass; the server stays the DTLS server.
    if (setup != sdp::Setup::active)
      return bad("the answer must take a=setup:active (the server is the DTLS server)");
    std::string ufrag = tagged->ice_ufrag.empty() ? answer->ice_ufrag : tagged->ice_ufrag;
    std::string pwd = tagged->ice_pwd.empty() ? answer->ice_pwd : tagged->ice_pwd;
    if (subscriber_remote_set_ && !ufrag.empty() && !pwd.empty() &&
        (ufrag != subscriber_remote_ufrag_ || pwd != subscriber_remote_pwd_)) {
      // The browser's side of an ICE restart we offered.
      subscriber_->set_remote_ice_credentials(ufrag, pwd);
      subscriber_remote_ufrag_ = ufrag;
      subscriber_remote_pwd_ = pwd;
    }
    if (!subscriber_remote_set_) {
      const sdp::Fingerprint* fingerprint = nullptr;
      const std::vector<sdp::Fingerprint>* lists[] = {&tagged->fingerprints, &answer->fingerprints};
      for (const auto* list : lists) {
        for (const auto& fp : *list)
          if (!fingerprint && sdp::iequals(fp.algorithm, "sha-256")) fingerprint = &fp;
      }
      if (ufrag.empty() || pwd.empty()) return bad("the answer has no ICE credentials");
      if (!fingerprint) return bad("the answer has no a=fingerprint:sha-256 (RFC 8122)");
      subscriber_->set_remote_parameters(ufrag, pwd, fingerprint->algorithm, fingerprint->value);
      subscriber_remote_ufrag_ = ufrag;
      subscriber_remote_pwd_ = pwd;
      subscriber_remote_set_ = true;
    }
  }
  if (const auto* m = answer->find_media(data_mid_); m && m->port != 0 && m->is_sctp())
    subscriber_->enable_data_channels(m->sctp_port.value_or(5000), m->max_message_size.value_or(65536));

  for (auto& s : sections_) {
    if (!s.subscription) continue;
    const sdp::MediaDescription* m = answer->find_media(s.mid);
    if (!m || m->port == 0 || !sdp::receives(m->effective_direction())) continue;
    const auto& params = s.subscription->params();
    if (!m->find_codec(params.payload_type)) continue;
    SubscriptionNegotiation negotiation;
    negotiation.rtx = params.rtx_payload_type && m->find_codec(*params.rtx_payload_type);
    for (const auto& e : m->extmaps) {
      if (e.id == 0 || e.id > 14) continue;  // ours are one-byte ids
      if (e.uri == sdp::ext_uri::mid) negotiation.mid_id = uint8_t(e.id);
      if (e.uri == sdp::ext_uri::audio_level) negotiation.audio_level_id = uint8_t(e.id);
      if (e.uri == sdp::ext_uri::abs_send_time) negotiation.abs_send_time_id = uint8_t(e.id);
    }
    s.subscription->activate(negotiation, now);
  }
  offer_pending_ = false;
  pending_offer_.reset();
  return std::nullopt;
}

// --- data channels ---

void Participant::on_data_connected(webrtc::PeerTransport& transport) {
  if (&transport != subscriber_.get()) return;
  // The channels everyone's data reaches this participant on (RFC 8832 §6:
  // we are the DTLS server, so they take odd stream ids).
  reliable_stream_ = subscriber_->open_data_channel(kReliableLabel, sctp::ChannelType::Reliable);
  lossy_stream_ =
      subscriber_->open_data_channel(kLossyLabel, sctp::ChannelType::PartialReliableRexmitUnordered, 0);
}

void Participant::on_data_channel_open(webrtc::PeerTransport& transport, uint16_t stream,
                                       const sctp::ChannelInfo& info) {
  if (&transport != publisher_.get()) return;
  // `_lossy`, or any channel that does not retransmit, is relayed lossy.
  bool lossy = info.label == kLossyLabel || !sctp::is_reliable(info.type);
  std::erase_if(publisher_channels_, [&](const auto& c) { return c.first == stream; });
  publisher_channels_.emplace_back(stream, lossy);
}

void Participant::on_data_channel_closed(webrtc::PeerTransport& transport, uint16_t stream) {
  if (&transport == publisher_.get()) {
    std::erase_if(publisher_channels_, [&](const auto& c) { return c.first == stream; });
  } else if (&transport == subscriber_.get()) {
    if (reliable_stream_ == stream) reliable_stream_.reset();
    if (lossy_stream_ == stream) lossy_stream_.reset();
  }
}

void Participant::on_data_message(webrtc::PeerTransport& transport, uint16_t stream, bool binary,
                                  std::span<const uint8_t> message) {
  if (&transport != publisher_.get()) return;  // browsers send on their publisher connection
  ++data_stats_.received;
  auto channel = std::find_if(publisher_channels_.begin(), publisher_channels_.end(),
                              [&](const auto& c) { return c.first == stream; });
  bool lossy = channel != publisher_channels_.end() && channel->second;
  if (!info_.can_publish_data) {
    ++data_stats_.dropped_not_allowed;
    if (!data_not_allowed_reported_) {
      data_not_allowed_reported_ = true;
      deliver(event::Error{"data_not_allowed", "the access token does not grant canPublishData"});
    }
    return;
  }
  auto now = Clock::now();
  if (!data_messages_.try_take(now) || !data_bytes_.try_take(now, double(message.size()))) {
    ++data_stats_.dropped_rate;
    return;
  }
  auto packet = binary ? DataPacket::parse(message) : std::nullopt;
  if (!packet) {
    ++data_stats_.dropped_malformed;
    return;
  }
  ++data_stats_.relayed;
  if (context_.data_relay) context_.data_relay->relay(*this, *packet, !lossy);
}

void Participant::deliver_data(std::span<const uint8_t> message, bool reliable) {
  std::optional<uint16_t> stream = reliable ? reliable_stream_ : lossy_stream_;
  if (!stream || !subscriber_ || !subscriber_->send_data(*stream, true, message)) {
    ++data_stats_.dropped_undeliverable;
    return;
  }
  ++data_stats_.delivered;
}

// --- connection quality ---

namespace {
// A browser sends receiver reports every second or so for video and at
// least every 5 s for audio; none for this long means the downlink is gone.
constexpr Duration kSubscriberReportSilence = seconds(6);
}  // namespace

Participant::QualityUpdate Participant::update_quality(TimePoint now) {
  using State = webrtc::PeerTransport::State;
  ConnectionQualityEstimator::Window window;
  window.loss = window_downstream_loss_;
  window.rtt = window_rtt_;
  window_downstream_loss_ = 0;
  window_rtt_.reset();

  // Upstream: loss of what we receive; silence of a track that should be sending.
  uint64_t upstream = 0;
  bool expecting = false;
  for (const auto& p : publications_) {
    if (p->muted()) continue;
    expecting = true;
    upstream += p->stats().packets_in;
    window.loss = std::max(window.loss, p->loss_fraction());
  }
  if (expecting && publisher_ && publisher_->state() == State::Connected &&
      upstream == last_upstream_packets_)
    window.silent = true;
  last_upstream_packets_ = upstream;

  // Downstream: the browser's reports on what we send it.
  bool receiving = false;
  for (const auto& s : sections_) receiving = receiving || (s.subscription && s.subscription->active());
  if (receiving && subscriber_ && subscriber_->state() == State::Connected &&
      now - last_subscriber_rtcp_ > kSubscriberReportSilence)
    window.silent = true;
  if ((publisher_ && publisher_->state() == State::Closed) ||
      (subscriber_ && subscriber_->state() == State::Closed))
    window.silent = true;
  ConnectionQuality quality = quality_.update(window);
  bool changed = reported_quality_ != quality;
  reported_quality_ = quality;
  return {quality, changed};
}

// --- timers ---

void Participant::on_tick(TimePoint now) {
  using State = webrtc::PeerTransport::State;
  if (publisher_) publisher_->on_tick(now);
  if (subscriber_) {
    subscriber_->on_tick(now);
    if (subscriber_connect_deadline_ && subscriber_->state() != State::Connected &&
        subscriber_->state() != State::Closed && now > *subscriber_connect_deadline_) {
      subscriber_->close("no working connection within the connect timeout");
    }
  }
  if (connection_lost_) return;

  if (publisher_ && publisher_->state() == State::Connected) {
    for (auto& p : publications_) p->on_tick(now);
    if (transport_cc_extension_id_ != 0 && now >= next_transport_cc_) {
      next_transport_cc_ = now + kTransportCcInterval;
      std::array<uint8_t, kRtcpBudget + 64> buffer;
      for (int i = 0; i < 4; ++i) {  // a burst may need more than one feedback packet
        size_t length = transport_cc_->build_feedback(std::span<uint8_t>(buffer.data(), kRtcpBudget), now);
        if (length == 0 || !publisher_->send_rtcp(buffer, length)) break;
      }
    }
    if (now >= next_receiver_report_) {
      next_receiver_report_ = now + kReportInterval;
      send_publisher_reports(now);
    }
  }
  if (subscriber_ && subscriber_->state() == State::Connected && now >= next_sender_report_) {
    next_sender_report_ = now + kReportInterval;
    send_sender_reports(now);
  }
}

void Participant::send_publisher_reports(TimePoint now) {
  // RFC 3550 §6.4.2: one RR with a block per received source, then REMB
  // (draft-alvestrand-rmcat-remb-03) when transport-cc is not in use.
  std::array<rtp::RtcpReportBlock, rtp::RtcpReceiverReport::kMaxReportBlocks> blocks;
  std::array<uint32_t, rtp::RtcpReceiverReport::kMaxReportBlocks> ssrcs;
  size_t count = 0;
  double worst_loss = 0;
  for (auto& p : publications_) {
    if (p->params().ssrc == 0 || count == blocks.size()) continue;
    blocks[count] = p->make_report_block(now);
    ssrcs[count] = p->params().ssrc;
    worst_loss = std::max(worst_loss, p->loss_fraction());
    ++count;
  }
  std::array<uint8_t, kRtcpBudget + 64> buffer;
  std::span<uint8_t> room(buffer.data(), kRtcpBudget);
  size_t length = rtp::RtcpReceiverReport::build(room, feedback_ssrc_, std::span(blocks.data(), count));
  if (length == 0) return;
  if (transport_cc_extension_id_ == 0 && count > 0) {
    remb_->on_loss_fraction(worst_loss, now);
    length += rtp::RtcpRemb::build(room.subspan(length), feedback_ssrc_, remb_->estimate_bps(now),
                                   std::span<const uint32_t>(ssrcs.data(), count));
  }
  publisher_->send_rtcp(buffer, length);
}

void Participant::send_sender_reports(TimePoint now) {
  // One compound datagram carries the SRs of many streams.
  std::array<uint8_t, kRtcpBudget + 64> buffer;
  size_t length = 0;
  for (auto& s : sections_) {
    if (!s.subscription || !s.subscription->active()) continue;
    if (length + rtp::RtcpSenderReport::size(0) > kRtcpBudget) {
      subscriber_->send_rtcp(buffer, length);
      length = 0;
    }
    length += s.subscription->build_sender_report(
        std::span<uint8_t>(buffer.data() + length, kRtcpBudget - length), now);
  }
  if (length > 0) subscriber_->send_rtcp(buffer, length);
}

}  // namespace ct::sfu
