#include "sfu/SubscriberConnection.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "core/Random.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpSenderReport.hpp"
#include "rtp/RtcpTransportCc.hpp"
#include "sdp/DescriptionBuilder.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/Publication.hpp"
#include "sfu/PublicationLayer.hpp"
#include "sfu/SenderReportGenerator.hpp"
#include "webrtc/MediaPort.hpp"
#include "webrtc/TransportDescription.hpp"

namespace ct::sfu {
namespace {

constexpr Duration kReportInterval = seconds(1);
// RTCP the server writes stays well inside one MTU with the SRTCP trailer.
constexpr size_t kRtcpBudget = 1200;

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
  } else if (sdp::iequals(codec, "VP9")) {
    pt = subscriber_pt::kVp9;
    rtx_pt = subscriber_pt::kVp9Rtx;
  }
}

uint32_t random_ssrc() {
  uint32_t ssrc = 0;
  while (ssrc == 0) ssrc = random_u32();
  return ssrc;
}

}  // namespace

SubscriberConnection::SubscriberConnection(const ParticipantContext& context,
                                           webrtc::PeerTransport::Listener& transport_listener,
                                           Listener& listener, uint64_t key, TimePoint now)
    : context_(context), listener_(listener), key_(key), cname_("ciphertalk-" + random_token(8)) {
  webrtc::PeerTransport::Options options = context_.transport_options;
  // The transport waits, unconnected, until there is something to offer;
  // its connect deadline runs from the first offer (tick_transport).
  options.connect_timeout = std::chrono::hours(24 * 365);
  transport_ = std::make_unique<webrtc::PeerTransport>(transport_listener, context_.port,
                                                       context_.certificate, options, now);
  context_.port.add(*transport_);
  std::unique_ptr<bwe::SendSideBandwidthEstimator> estimator;
  if (context_.subscriber_bwe)
    estimator = std::make_unique<bwe::SendSideBandwidthEstimator>(bwe::BandwidthEstimatorConfig{}, now);
  send_path_ = std::make_unique<SubscriberSendPath>(*transport_, std::move(estimator));
  send_path_->set_padding_source(this);
  // The connection always carries data channels, first in its offers, so
  // data reaches participants who receive no media.
  data_mid_ = std::to_string(next_mid_++);
}

SubscriberConnection::~SubscriberConnection() {
  // Subscriptions leave their publications; then no datagram may reach a
  // transport that is going away.
  sections_.clear();
  context_.port.remove(*transport_);
  if (context_.totals) add_own_counters(*context_.totals);
}

void SubscriberConnection::subscribe(Publication& publication) {
  auto kind = publication.video() ? sdp::MediaKind::video : sdp::MediaKind::audio;
  // JSEP §5.2.2: an m-section stopped in both descriptions may be recycled
  // for a new track, with a new mid (RFC 8843 §7.2.2: a mid is never reused
  // for other media). One that never went out in an offer is in no
  // description and is free at once.
  auto free = std::find_if(sections_.begin(), sections_.end(), [&](const Section& s) {
    return !s.subscription && s.kind == kind && (s.recyclable || !s.offered);
  });
  Section& section = free != sections_.end() ? *free : sections_.emplace_back();
  section = Section{};
  section.mid = std::to_string(next_mid_++);
  section.kind = kind;
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
  params.send_path = send_path_.get();
  section.subscription = std::make_unique<Subscription>(publication, *transport_, std::move(params));
}

bool SubscriberConnection::unsubscribe(Publication& publication) {
  for (auto& s : sections_) {
    if (s.subscription && &s.subscription->publication() == &publication) {
      s.subscription.reset();
      return true;
    }
  }
  return false;
}

void SubscriberConnection::clear_subscriptions() {
  for (auto& s : sections_) s.subscription.reset();
}

Subscription* SubscriberConnection::find_subscription_of(std::string_view track_sid) {
  for (auto& s : sections_) {
    if (s.subscription && s.subscription->publication().sid() == track_sid) return s.subscription.get();
  }
  return nullptr;
}

Subscription* SubscriberConnection::find_subscription(uint32_t ssrc) {
  for (auto& s : sections_) {
    if (s.subscription && (s.subscription->ssrc() == ssrc || s.subscription->rtx_ssrc() == ssrc))
      return s.subscription.get();
  }
  return nullptr;
}

bool SubscriberConnection::restart_ice() {
  if (!remote_set_) return false;
  transport_->restart_ice();
  context_.port.add(*transport_);
  // The next offer carries the new credentials and supersedes one the
  // browser may never have seen.
  offer_pending_ = false;
  pending_offer_.reset();
  dirty_ = true;
  return true;
}

std::optional<event::Error> SubscriberConnection::accept_offer_transport(const sdp::Negotiation& offer,
                                                                         TimePoint now) {
  // RFC 8842 §5.3: the server answers an actpass offer passive and stays the DTLS server.
  if (offer.remote_setup == sdp::Setup::passive)
    return event::Error{"bad_sdp",
                        "the offer must take a=setup:actpass or active (the server is the DTLS server)"};
  if (!remote_set_) {
    transport_->set_remote_parameters(offer.remote_ice_ufrag, offer.remote_ice_pwd,
                                      offer.remote_fingerprint.algorithm, offer.remote_fingerprint.value);
    remote_set_ = true;
    connect_deadline_ = now + context_.transport_options.connect_timeout;
  } else if (offer.remote_ice_ufrag != remote_ufrag_ || offer.remote_ice_pwd != remote_pwd_) {
    if (!sdp::iequals(offer.remote_fingerprint.value, remote_fingerprint_))
      return event::Error{"bad_sdp", "the DTLS fingerprint changed on a live connection"};
    transport_->restart_ice();  // RFC 8445 §9: fresh credentials of ours too
    context_.port.add(*transport_);
    transport_->set_remote_ice_credentials(offer.remote_ice_ufrag, offer.remote_ice_pwd);
  }
  remote_ufrag_ = offer.remote_ice_ufrag;
  remote_pwd_ = offer.remote_ice_pwd;
  remote_fingerprint_ = offer.remote_fingerprint.value;
  return std::nullopt;
}

const Subscription& SubscriberConnection::add_offered_section(Publication& publication,
                                                              const std::string& mid,
                                                              const sdp::NegotiatedCodec& codec,
                                                              SubscriptionNegotiation negotiation,
                                                              TimePoint now) {
  auto it = std::find_if(sections_.begin(), sections_.end(), [&](const Section& s) { return s.mid == mid; });
  Section& section = it != sections_.end() ? *it : sections_.emplace_back();
  auto kind = publication.video() ? sdp::MediaKind::video : sdp::MediaKind::audio;
  section = Section{mid, kind, publication.info(), nullptr, true};
  section.track.mid = mid;
  SubscriptionParams params{mid,
                            random_ssrc(),
                            codec.rtx_pt ? random_ssrc() : 0,
                            codec.pt,
                            codec.rtx_pt,
                            context_.drop_forwarded_fraction,
                            (key_ << 32) ^ sections_.size(),
                            context_.totals,
                            send_path_.get()};
  section.subscription = std::make_unique<Subscription>(publication, *transport_, std::move(params));
  negotiation.rtx = codec.rtx_pt.has_value();
  if (!send_path_->estimator()) negotiation.transport_cc_id = 0;
  if (negotiation.transport_cc_id != 0) send_path_->set_extension_id(negotiation.transport_cc_id);
  section.subscription->activate(negotiation, now);
  if (transport_->state() == webrtc::PeerTransport::State::Connected)
    section.subscription->request_keyframe(now);
  return *section.subscription;
}

sdp::TransportParams SubscriberConnection::local_transport() const {
  return webrtc::describe_transport(*transport_, context_.port);
}

event::SubscriberOffer SubscriberConnection::make_offer(TimePoint now) {
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
      s.stop_offered = true;
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
    // The browser reports every packet of the transport (audio too) once it
    // accepts this feedback and the extension below.
    const bool estimate = send_path_->estimator() != nullptr;
    if (estimate) codec.rtcp_fb.emplace_back("transport-cc");
    os.codecs.push_back(std::move(codec));
    os.extensions.push_back(
        sdp::Extmap{subscriber_extension_id::kMid, std::nullopt, std::string(sdp::ext_uri::mid), {}});
    if (!pp.video) {
      os.extensions.push_back(sdp::Extmap{
          subscriber_extension_id::kAudioLevel, std::nullopt, std::string(sdp::ext_uri::audio_level), {}});
    }
    os.extensions.push_back(sdp::Extmap{
        subscriber_extension_id::kAbsSendTime, std::nullopt, std::string(sdp::ext_uri::abs_send_time), {}});
    if (estimate) {
      os.extensions.push_back(sdp::Extmap{
          subscriber_extension_id::kTransportCc, std::nullopt, std::string(sdp::ext_uri::transport_cc), {}});
    }
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
      sdp::build_offer(sections, webrtc::describe_transport(*transport_, context_.port), last_origin_);
  last_origin_ = description.origin;
  offer.sdp = description.serialize();
  offer_pending_ = true;
  dirty_ = false;
  pending_offer_ = offer;
  if (!connect_deadline_ && transport_->state() != webrtc::PeerTransport::State::Connected)
    connect_deadline_ = now + context_.transport_options.connect_timeout;
  return offer;
}

std::optional<event::Error> SubscriberConnection::apply_answer(const std::string& sdp_text, TimePoint now) {
  if (!offer_pending_) return event::Error{"no_offer_pending", "there is no subscriber offer to answer"};
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
    if (remote_set_ && !ufrag.empty() && !pwd.empty() && (ufrag != remote_ufrag_ || pwd != remote_pwd_)) {
      // The browser's side of an ICE restart we offered.
      transport_->set_remote_ice_credentials(ufrag, pwd);
      remote_ufrag_ = ufrag;
      remote_pwd_ = pwd;
    }
    if (!remote_set_) {
      const sdp::Fingerprint* fingerprint = nullptr;
      const std::vector<sdp::Fingerprint>* lists[] = {&tagged->fingerprints, &answer->fingerprints};
      for (const auto* list : lists) {
        for (const auto& fp : *list)
          if (!fingerprint && sdp::iequals(fp.algorithm, "sha-256")) fingerprint = &fp;
      }
      if (ufrag.empty() || pwd.empty()) return bad("the answer has no ICE credentials");
      if (!fingerprint) return bad("the answer has no a=fingerprint:sha-256 (RFC 8122)");
      transport_->set_remote_parameters(ufrag, pwd, fingerprint->algorithm, fingerprint->value);
      remote_ufrag_ = ufrag;
      remote_pwd_ = pwd;
      remote_set_ = true;
    }
  }
  if (const auto* m = answer->find_media(data_mid_); m && m->port != 0 && m->is_sctp())
    transport_->enable_data_channels(m->sctp_port.value_or(5000), m->max_message_size.value_or(65536));

  for (auto& s : sections_) {
    if (!s.subscription) {
      // Every offer carries every section, so a stop that went out was in the offer answered here.
      s.recyclable = s.stop_offered;
      continue;
    }
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
      if (e.uri == sdp::ext_uri::transport_cc && send_path_->estimator())
        negotiation.transport_cc_id = uint8_t(e.id);
    }
    // Extension ids are BUNDLE-wide (RFC 8843 §9.2): one numbering for the connection.
    if (negotiation.transport_cc_id != 0) send_path_->set_extension_id(negotiation.transport_cc_id);
    s.subscription->activate(negotiation, now);
  }
  offer_pending_ = false;
  pending_offer_.reset();
  return std::nullopt;
}

void SubscriberConnection::on_report_block(const rtp::RtcpReportBlock& block, TimePoint now) {
  Subscription* subscription = find_subscription(block.ssrc);
  if (!subscription) return;
  double loss = block.fraction_lost / 256.0;
  subscription->on_receiver_report({loss, block.cumulative_lost, block.jitter, true});
  if (block.last_sr == 0) return listener_.on_receiver_report(loss, std::nullopt, now);
  // RFC 3550 §6.4.1: RTT = A - LSR - DLSR, in 1/65536 s of the NTP clock.
  uint32_t arrival = uint32_t(SenderReportGenerator::to_ntp(std::chrono::system_clock::now()) >> 16);
  uint32_t rtt_units = arrival - block.last_sr - block.delay_since_last_sr;
  // More than 10 s is a clock step or a stale LSR, not a path.
  if (rtt_units > 10u * 65536u) return listener_.on_receiver_report(loss, std::nullopt, now);
  Duration rtt = microseconds(int64_t(rtt_units) * 1'000'000 / 65536);
  ++stats_.round_trips;
  stats_.round_trip_us += uint64_t(std::chrono::duration_cast<microseconds>(rtt).count());
  send_path_->on_rtt(rtt);
  listener_.on_receiver_report(loss, rtt, now);
}

void SubscriberConnection::on_rtcp(std::span<const uint8_t> compound, TimePoint now) {
  last_rtcp_ = now;
  rtp::RtcpCompound packets(compound);
  while (auto packet = packets.next()) {
    if (packet->type() == rtp::rtcp_type::kReceiverReport) {
      auto rr = rtp::RtcpReceiverReport::parse(*packet);
      if (!rr) continue;
      for (size_t i = 0; i < rr->report_count(); ++i) on_report_block(rr->report_block(i), now);
    } else if (packet->type() == rtp::rtcp_type::kSenderReport) {
      auto sr = rtp::RtcpSenderReport::parse(*packet);
      if (!sr) continue;
      for (size_t i = 0; i < sr->report_count(); ++i) on_report_block(sr->report_block(i), now);
    } else if (packet->type() == rtp::rtcp_type::kTransportFeedback &&
               packet->count() == rtp::rtcp_fmt::kNack) {
      auto nack = rtp::RtcpNack::parse(*packet);
      if (!nack) continue;
      if (Subscription* s = find_subscription(nack->media_ssrc())) {
        s->count_nack();
        nack->for_each_lost([&](uint16_t seq) { s->retransmit(seq, now); });
      }
    } else if (packet->type() == rtp::rtcp_type::kTransportFeedback &&
               packet->count() == rtp::rtcp_fmt::kTransportCc) {
      send_path_->on_feedback(*packet, now);
    } else if (packet->type() == rtp::rtcp_type::kPayloadFeedback && packet->count() == rtp::rtcp_fmt::kPli) {
      auto pli = rtp::RtcpPli::parse(*packet);
      if (!pli) continue;
      Subscription* s = find_subscription(pli->media_ssrc());
      if (s) s->count_pli();
      if (s && s->allow_keyframe_request(now)) s->request_keyframe(now);
    } else if (packet->type() == rtp::rtcp_type::kPayloadFeedback && packet->count() == rtp::rtcp_fmt::kFir) {
      auto fir = rtp::RtcpFir::parse(*packet);
      if (!fir) continue;
      // The publisher is asked with a PLI: its encoder treats both alike,
      // and one request type keeps one throttle honest.
      for (size_t i = 0; i < fir->entry_count(); ++i) {
        const rtp::RtcpFirEntry entry = fir->entry(i);
        Subscription* s = find_subscription(entry.ssrc);
        if (s) s->count_fir();
        if (s && s->is_new_fir(entry.sequence_number) && s->allow_keyframe_request(now))
          s->request_keyframe(now);
      }
    }
  }
}

void SubscriberConnection::on_connected(TimePoint now) {
  last_rtcp_ = now;
  for (auto& s : sections_) {
    if (s.subscription && s.subscription->active()) s.subscription->request_keyframe(now);
  }
}

void SubscriberConnection::tick_transport(TimePoint now) {
  using State = webrtc::PeerTransport::State;
  transport_->on_tick(now);
  if (connect_deadline_ && transport_->state() != State::Connected && transport_->state() != State::Closed &&
      now > *connect_deadline_) {
    transport_->close("no working connection within the connect timeout");
  }
}

void SubscriberConnection::on_tick(TimePoint now) {
  if (budget_bps_ && now >= next_allocation_) {
    next_allocation_ = now + kAllocationInterval;
    allocate_bandwidth(*budget_bps_, now);
  }
  // Simulcast layer choice follows what the publishers send.
  for (auto& s : sections_) {
    if (s.subscription) s.subscription->on_tick(now);
  }
  send_path_->send_probes(now);
  if (transport_->state() != webrtc::PeerTransport::State::Connected || now < next_sender_report_) return;
  next_sender_report_ = now + kReportInterval;
  send_sender_reports(now);
}

void SubscriberConnection::send_sender_reports(TimePoint now) {
  // One compound datagram carries the SRs of many streams.
  std::array<uint8_t, kRtcpBudget + 64> buffer;
  size_t length = 0;
  for (auto& s : sections_) {
    if (!s.subscription || !s.subscription->active()) continue;
    if (length + rtp::RtcpSenderReport::size(0) > kRtcpBudget) {
      transport_->send_rtcp(buffer, length);
      length = 0;
    }
    length += s.subscription->build_sender_report(
        std::span<uint8_t>(buffer.data() + length, kRtcpBudget - length), now);
  }
  if (length > 0) transport_->send_rtcp(buffer, length);
}

void SubscriberConnection::set_bandwidth_budget(std::optional<uint64_t> budget_bps, TimePoint now) {
  budget_bps_ = budget_bps;
  next_allocation_ = now;  // shared out again at the next tick
  if (budget_bps_) return;
  allocator_.reset();
  for (auto& s : sections_) {
    Subscription* sub = s.subscription.get();
    if (!sub) continue;
    sub->set_max_temporal_layer(SimulcastRewriter::kAllTemporalLayers);
    sub->set_budget_max_layer(LayerSelector::kAnyLayer, now);
    if (sub->paused()) {
      sub->set_paused(false, now);
      listener_.on_track_paused(sub->publication().sid(), false);
    }
  }
}

uint64_t SubscriberConnection::wanted_bitrate() const {
  // What every viewer's wanted layer costs, measured; probing stops a margin
  // above it, so an upgrade (which needs BandwidthAllocator's headroom) can
  // be proven affordable and nothing more is probed.
  uint64_t wanted = 0;
  for (const auto& d : demands_) {
    if (d.audio) {
      wanted += d.audio_bps;
    } else if (d.desired_layer >= 0) {
      const auto cost = BandwidthAllocator::layer_cost(d, d.desired_layer);
      // Not measured yet: probing is not held back.
      if (!cost) return UINT64_MAX;
      wanted += *cost;
    }
  }
  return uint64_t(double(wanted) * kProbeMargin);
}

void SubscriberConnection::allocate_bandwidth(uint64_t budget_bps, TimePoint now) {
  demands_.clear();
  allocated_.clear();
  for (auto& s : sections_) {
    Subscription* sub = s.subscription.get();
    if (!sub || !sub->active()) continue;
    const Publication& publication = sub->publication();
    BandwidthAllocator::Demand d;
    d.id = sub->ssrc();
    d.audio = !publication.video();
    d.desired_layer = publication.muted() ? BandwidthAllocator::kNoLayer : sub->viewer_layer();
    d.layer_count = std::min(publication.layer_count(), BandwidthAllocator::kMaxLayers);
    for (size_t i = 0; i < d.layer_count; ++i) {
      const PublicationLayer& layer = publication.layer(i);
      // A layer dynacast paused can be had again: the publisher resumes
      // it once a viewer's allocation reaches it.
      d.layers[i].live = layer.live(now) || (publication.announced_layers() & (1u << i)) == 0;
      d.layers[i].bps = layer.bitrate().total_bitrate(now);
      d.layers[i].base_bps = layer.bitrate().has_temporal_layers(now) ? layer.bitrate().base_bitrate(now) : 0;
    }
    d.audio_bps = d.audio ? d.layers[0].bps : 0;
    if (publication.info().source == "screen_share") {
      d.priority = BandwidthAllocator::Priority::screen_share;
    } else if (std::find(active_speakers_.begin(), active_speakers_.end(), publication.info().publisher) !=
               active_speakers_.end()) {
      d.priority = BandwidthAllocator::Priority::active_speaker;
    }
    const TrackSettings& settings = sub->settings();
    // A tile of unknown size wants the best: it ranks with the biggest.
    d.tile_area =
        settings.width == 0 && settings.height == 0 ? UINT64_MAX : uint64_t(settings.width) * settings.height;
    demands_.push_back(d);
    allocated_.push_back(sub);
  }
  allocations_.resize(demands_.size());
  allocator_.allocate(budget_bps, demands_, now, allocations_);
  send_path_->set_wanted_bitrate(wanted_bitrate());
  for (size_t i = 0; i < allocated_.size(); ++i) {
    Subscription& sub = *allocated_[i];
    const BandwidthAllocator::Allocation& a = allocations_[i];
    if (demands_[i].audio) continue;  // always sent
    sub.set_max_temporal_layer(a.max_temporal_layer);
    if (!a.paused) sub.set_budget_max_layer(a.layer < 0 ? LayerSelector::kAnyLayer : a.layer, now);
    if (a.paused != sub.paused()) {
      sub.set_paused(a.paused, now);
      listener_.on_track_paused(sub.publication().sid(), a.paused);
    }
  }
}

size_t SubscriberConnection::send_padding(size_t padding, int32_t cluster, TimePoint now) {
  for (auto& s : sections_) {
    if (s.kind != sdp::MediaKind::video || !s.subscription) continue;
    if (size_t sent = s.subscription->send_padding(padding, cluster, now)) return sent;
  }
  return 0;
}

std::optional<uint64_t> SubscriberConnection::bandwidth_to_report(TimePoint now) {
  const std::optional<uint64_t> estimate = estimated_bitrate();
  if (!estimate || (reported_estimate_ && now - reported_at_ < kReportEvery)) return std::nullopt;
  if (reported_estimate_) {
    const double change = double(*estimate) - double(*reported_estimate_);
    if (std::abs(change) <= kReportChange * double(*reported_estimate_)) return std::nullopt;
  }
  reported_estimate_ = estimate;
  reported_at_ = now;
  return estimate;
}

ConnectionQualityWindow::Downstream SubscriberConnection::quality_sample() const {
  ConnectionQualityWindow::Downstream sample;
  for (const auto& s : sections_)
    sample.receiving = sample.receiving || (s.subscription && s.subscription->active());
  sample.connected = transport_->state() == webrtc::PeerTransport::State::Connected;
  sample.closed = transport_->state() == webrtc::PeerTransport::State::Closed;
  sample.last_report = last_rtcp_;
  return sample;
}

void SubscriberConnection::add_own_counters(MediaCounters& counters) const {
  counters.add(*transport_);
  counters.subscriber_round_trips += stats_.round_trips;
  counters.subscriber_round_trip_us += stats_.round_trip_us;
  counters.bandwidth_paused += allocator_.stats().paused;
  counters.bandwidth_downgraded += allocator_.stats().downgraded;
  counters.bandwidth_upgraded += allocator_.stats().upgraded;
  send_path_->add_counters(counters);
}

void SubscriberConnection::add_counters(MediaCounters& counters) const {
  add_own_counters(counters);
  if (const auto estimate = estimated_bitrate()) counters.add_estimate(*estimate);
  for (const auto& s : sections_) {
    if (s.subscription) s.subscription->add_counters(counters);
  }
}

}  // namespace ct::sfu
