#include "sfu/PublisherConnection.hpp"

#include <algorithm>
#include <array>

#include "core/Random.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpRemb.hpp"
#include "rtp/RtcpSenderReport.hpp"
#include "rtp/RtcpXr.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/Rtx.hpp"
#include "sdp/DescriptionBuilder.hpp"
#include "sdp/Negotiation.hpp"
#include "sdp/SessionDescription.hpp"
#include "sfu/ActiveSpeakerDetector.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/PublicationLayer.hpp"
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

bool has_feedback(const sdp::NegotiatedCodec& codec, std::string_view fb) {
  return std::find(codec.rtcp_fb.begin(), codec.rtcp_fb.end(), fb) != codec.rtcp_fb.end();
}

std::string codec_label(const std::string& name) {
  if (sdp::iequals(name, "opus")) return "opus";
  if (sdp::iequals(name, "VP8")) return "VP8";
  if (sdp::iequals(name, "H264")) return "H264";
  if (sdp::iequals(name, "VP9")) return "VP9";
  return name;
}

// The defaults, and VP9 profile 0 after them (what Chromium offers, RFC 9628
// §6): taken only from a browser that offers neither VP8 nor H.264.
sdp::CodecPolicy publisher_policy() {
  sdp::CodecPolicy policy = sdp::CodecPolicy::defaults();
  policy.video.push_back(sdp::CodecSpec{"VP9", 90000, 0, {{"profile-id", {"0", ""}}}});
  return policy;
}

bool is_sending(const sdp::NegotiatedMedia& m) {
  return !m.rejected && (m.kind == sdp::MediaKind::audio || m.kind == sdp::MediaKind::video) &&
         sdp::receives(m.direction) && !m.codecs.empty();
}

uint32_t random_ssrc() {
  uint32_t ssrc = 0;
  while (ssrc == 0) ssrc = random_u32();
  return ssrc;
}

}  // namespace

PublisherConnection::PublisherConnection(const ParticipantContext& context,
                                         webrtc::PeerTransport::Listener& transport_listener,
                                         Listener& listener, std::string identity, uint64_t speaker_key)
    : context_(context),
      transport_listener_(transport_listener),
      listener_(listener),
      identity_(std::move(identity)),
      speaker_key_(speaker_key),
      feedback_ssrc_(random_ssrc()),
      transport_cc_(std::make_unique<TransportCcFeedbackGenerator>(feedback_ssrc_)),
      remb_(std::make_unique<RembEstimator>()),
      drop_state_(uint64_t(feedback_ssrc_) | 1) {
  if (context_.drop_received_fraction > 0) {
    const double f = std::min(context_.drop_received_fraction, 1.0);
    drop_threshold_ = f >= 1.0 ? UINT32_MAX : uint32_t(f * 4294967296.0);
  }
}

// TEST ONLY: loss on the publisher's uplink, after SRTP so that the SFU's
// NACKs and the publisher's retransmissions (RTX) repair it.
bool PublisherConnection::drop_for_fault_injection() {
  if (drop_threshold_ == 0) return false;
  // xorshift64*
  drop_state_ ^= drop_state_ >> 12;
  drop_state_ ^= drop_state_ << 25;
  drop_state_ ^= drop_state_ >> 27;
  return uint32_t((drop_state_ * 0x2545F4914F6CDD1DULL) >> 32) < drop_threshold_;
}

PublisherConnection::~PublisherConnection() {
  publications_.clear();
  if (!transport_) return;
  // No datagram may reach a transport that is going away.
  context_.port.remove(*transport_);
  if (context_.totals) add_own_counters(*context_.totals);
}

PublisherConnection::OfferResult PublisherConnection::negotiate(const std::string& sdp_text,
                                                                const std::vector<TrackMeta>& tracks,
                                                                TimePoint now) {
  OfferResult result;
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
  bool ice_restart = remote_set_ && (negotiation->remote_ice_ufrag != remote_ufrag_ ||
                                     negotiation->remote_ice_pwd != remote_pwd_);
  if (ice_restart && !sdp::iequals(negotiation->remote_fingerprint.value, remote_fingerprint_))
    return fail("the DTLS fingerprint changed on a live publisher connection");
  // Each publication costs every subscriber an m-section and the worker a
  // retransmission buffer: a participant publishes a bounded number.
  size_t sending = std::count_if(negotiation->media.begin(), negotiation->media.end(), is_sending);
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

  if (!transport_) {
    transport_ = std::make_unique<webrtc::PeerTransport>(
        transport_listener_, context_.port, context_.certificate, context_.transport_options, now);
    context_.port.add(*transport_);
  }
  if (!remote_set_) {
    transport_->set_remote_parameters(negotiation->remote_ice_ufrag, negotiation->remote_ice_pwd,
                                      negotiation->remote_fingerprint.algorithm,
                                      negotiation->remote_fingerprint.value);
    remote_ufrag_ = negotiation->remote_ice_ufrag;
    remote_pwd_ = negotiation->remote_ice_pwd;
    remote_fingerprint_ = negotiation->remote_fingerprint.value;
    remote_set_ = true;
  } else if (ice_restart) {
    // RFC 8445 §9: the answer to a restart carries fresh credentials of ours too.
    transport_->restart_ice();
    context_.port.add(*transport_);
    transport_->set_remote_ice_credentials(negotiation->remote_ice_ufrag, negotiation->remote_ice_pwd);
    remote_ufrag_ = negotiation->remote_ice_ufrag;
    remote_pwd_ = negotiation->remote_ice_pwd;
  }

  for (const auto& m : negotiation->media) {
    if (m.kind != sdp::MediaKind::application || m.rejected) continue;
    // RFC 8841 §6.1: without a=max-message-size the peer takes 64 KiB.
    transport_->enable_data_channels(m.remote_sctp_port.value_or(5000),
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
    if (!is_sending(m)) {
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
      if (ssrc != 0 && !(*existing)->simulcast() && (*existing)->params().ssrc == 0)
        (*existing)->set_ssrcs(ssrc, rtx_ssrc);
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
      if (e.uri == sdp::ext_uri::rid) params.rid_id = uint8_t(e.id);
      if (e.uri == sdp::ext_uri::repaired_rid) params.repaired_rid_id = uint8_t(e.id);
      if (e.uri == sdp::ext_uri::transport_cc) params.transport_cc_id = uint8_t(e.id);
    }
    // RFC 8853 §5.1: simulcast layers in the order of the send list, which
    // the client gives lowest first. Without the RID extension the layers
    // could not be told apart: such an offer is forwarded as one stream.
    if (params.video && params.rid_id != 0 && m.rids.size() > 1) {
      for (const auto& rid : m.rids) {
        if (params.rids.size() < Publication::kMaxLayers) params.rids.push_back(rid.id);
      }
    }

    TrackInfo track;
    track.sid = "TR_" + random_token(12);
    track.publisher = identity_;
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
    const bool simulcast = !params.rids.empty();
    track.rids = params.rids;
    if (simulcast) params.ssrc = params.rtx_ssrc = 0;  // learned per layer below or from the RID
    publications_.push_back(std::make_unique<Publication>(std::move(track), std::move(params), *transport_,
                                                          feedback_ssrc_,
                                                          context_.keyframe_request_interval));
    // An offer that lists one SSRC per layer (a=ssrc-group:SIM, RFC 5576
    // §4.2 style) names them in layer order.
    if (simulcast && m.remote_ssrcs.size() == publications_.back()->layer_count()) {
      for (size_t i = 0; i < m.remote_ssrcs.size(); ++i) {
        uint32_t layer_rtx = 0;
        for (auto [media, rtx] : m.remote_rtx_ssrcs)
          if (media == m.remote_ssrcs[i]) layer_rtx = rtx;
        publications_.back()->set_layer_ssrcs(i, m.remote_ssrcs[i], layer_rtx);
      }
    }
    result.added.push_back(publications_.back().get());
  }

  // The server sends nothing on the publisher connection: every section is recvonly.
  auto answer =
      sdp::build_answer(*offer, *negotiation, webrtc::describe_transport(*transport_, context_.port),
                        [](const sdp::NegotiatedMedia&) { return std::optional<sdp::LocalStream>(); });
  result.answer_sdp = answer.serialize();
  return result;
}

Publication* PublisherConnection::find_publication(std::string_view sid) {
  for (auto& p : publications_)
    if (p->sid() == sid) return p.get();
  return nullptr;
}

std::vector<std::unique_ptr<Publication>> PublisherConnection::take_publications() {
  return std::move(publications_);
}

Publication& PublisherConnection::adopt(std::unique_ptr<Publication> publication) {
  publications_.push_back(std::move(publication));
  return *publications_.back();
}

std::unique_ptr<Publication> PublisherConnection::release(std::string_view sid) {
  auto it = std::find_if(publications_.begin(), publications_.end(),
                         [&](const auto& p) { return p->sid() == sid; });
  if (it == publications_.end()) return nullptr;
  std::unique_ptr<Publication> released = std::move(*it);
  publications_.erase(it);
  return released;
}

Publication* PublisherConnection::publication_for(uint32_t ssrc, bool& is_rtx, size_t& layer) {
  for (auto& p : publications_) {
    int index = p->layer_of_ssrc(ssrc, is_rtx);
    if (index >= 0) {
      layer = size_t(index);
      return p.get();
    }
  }
  return nullptr;
}

Publication* PublisherConnection::learn_ssrc(const rtp::RtpPacket& packet, std::string_view mid) {
  // Sources the offer did not list are bound by their MID header extension
  // (RFC 8843 §9.2) on first sight; the first source of a section wins.
  const uint32_t ssrc = packet.ssrc();
  const uint8_t payload_type = packet.payload_type();
  for (auto& p : publications_) {
    if (p->info().mid != mid) continue;
    const auto& params = p->params();
    if (p->simulcast()) {
      // RFC 8852 §3: each layer's packets name their RID; RTX packets name
      // the layer they repair with the repaired RID.
      const bool rtx = params.rtx_payload_type && payload_type == *params.rtx_payload_type;
      if (!rtx && payload_type != params.payload_type) return nullptr;
      const uint8_t id = rtx ? params.repaired_rid_id : params.rid_id;
      auto rid = id != 0 ? rtp::read_rid(packet.find_extension(id)) : std::nullopt;
      if (!rid) return nullptr;
      const int index = p->layer_of_rid(*rid);
      if (index < 0) return nullptr;
      const auto& layer = p->layer(size_t(index));
      if (!rtx && layer.ssrc() == 0) p->set_layer_ssrcs(size_t(index), ssrc, layer.rtx_ssrc());
      if (rtx && layer.rtx_ssrc() == 0) p->set_layer_ssrcs(size_t(index), layer.ssrc(), ssrc);
      return p.get();
    }
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

void PublisherConnection::on_rtp(std::span<uint8_t> packet, TimePoint now, TimePoint arrival) {
  if (drop_for_fault_injection()) [[unlikely]]
    return;
  auto rtp = rtp::RtpPacket::parse(packet);
  if (!rtp) return;

  // Bandwidth feedback counts every packet that arrived, RTX and padding too.
  if (transport_cc_extension_id_ != 0) {
    if (auto seq = rtp::read_transport_sequence_number(rtp->find_extension(transport_cc_extension_id_)))
      transport_cc_->on_packet(*seq, rtp->ssrc(), arrival);
  } else {
    remb_->on_packet(packet.size(), arrival);
  }

  bool is_rtx = false;
  size_t layer = 0;
  Publication* publication = publication_for(rtp->ssrc(), is_rtx, layer);
  if (!publication && mid_extension_id_ != 0) {
    if (auto mid = rtp::read_mid(rtp->find_extension(mid_extension_id_))) {
      if (learn_ssrc(*rtp, *mid)) publication = publication_for(rtp->ssrc(), is_rtx, layer);
    }
  }
  if (!publication) return;
  const auto& params = publication->params();

  if (is_rtx) {
    // An answer to our NACK (RFC 4588 §4): forwarded as the original packet.
    // Padding-only probes carry no OSN and end here.
    auto original = rtp::unwrap_rtx_in_place(*rtp, publication->layer(layer).ssrc(), params.payload_type);
    if (!original) return;
    publication->on_rtp(*original, layer, now, arrival);
    return;
  }
  if (rtp->payload_type() != params.payload_type) return;  // only the answered codec is forwarded
  if (!publication->video() && params.audio_level_id != 0 && context_.speakers) {
    if (auto level = rtp::read_audio_level(rtp->find_extension(params.audio_level_id)))
      context_.speakers->add_level(speaker_key_, level->level, level->voice_activity, now);
  }
  publication->on_rtp(*rtp, layer, now, arrival);
}

void PublisherConnection::on_rtcp(std::span<const uint8_t> compound, TimePoint now) {
  rtp::RtcpCompound packets(compound);
  while (auto packet = packets.next()) {
    if (packet->type() == rtp::rtcp_type::kSenderReport) {
      auto sr = rtp::RtcpSenderReport::parse(*packet);
      if (!sr) continue;
      bool is_rtx = false;
      size_t layer = 0;
      Publication* publication = publication_for(sr->sender_ssrc(), is_rtx, layer);
      if (publication && !is_rtx) {
        const auto info = sr->sender_info();
        publication->on_sender_report(layer, info.ntp_timestamp, info.rtp_timestamp, now);
      }
    } else if (auto xr = rtp::RtcpXr::parse(*packet)) {
      std::optional<uint32_t> rtt_units;
      xr->for_each_dlrr([&](const rtp::RtcpDlrrItem& item) {
        // RFC 3611 §4.5: only the sub-block for our RRTRs; LRR 0 means none arrived yet.
        if (item.ssrc != feedback_ssrc_ || item.last_rr == 0) return;
        uint32_t arrival = uint32_t(SenderReportGenerator::to_ntp(std::chrono::system_clock::now()) >> 16);
        rtt_units = arrival - item.last_rr - item.delay_since_last_rr;
      });
      // More than 10 s is a clock step or a stale LRR, not a path.
      if (rtt_units && *rtt_units <= 10u * 65536u)
        on_round_trip(microseconds(int64_t(*rtt_units) * 1'000'000 / 65536), now);
    }
  }
}

void PublisherConnection::on_round_trip(Duration rtt, TimePoint now) {
  own_rtt_ = rtt;
  own_rtt_at_ = now;
  ++stats_.round_trips;
  stats_.round_trip_us += uint64_t(std::chrono::duration_cast<microseconds>(rtt).count());
  for (auto& p : publications_) p->set_path_rtt(rtt);
  listener_.on_publisher_round_trip(rtt);
}

void PublisherConnection::set_path_rtt(Duration rtt, TimePoint now) {
  if (own_rtt_ && now - own_rtt_at_ < kOwnRoundTripValidity) return;
  for (auto& p : publications_) p->set_path_rtt(rtt);
}

void PublisherConnection::tick_transport(TimePoint now) {
  if (transport_) transport_->on_tick(now);
}

void PublisherConnection::on_tick(TimePoint now) {
  if (!transport_ || transport_->state() != webrtc::PeerTransport::State::Connected) return;
  for (auto& p : publications_) p->on_tick(now);
  if (transport_cc_extension_id_ != 0 && now >= next_transport_cc_) {
    next_transport_cc_ = now + kTransportCcInterval;
    std::array<uint8_t, kRtcpBudget + 64> buffer;
    for (int i = 0; i < 4; ++i) {  // a burst may need more than one feedback packet
      size_t length = transport_cc_->build_feedback(std::span<uint8_t>(buffer.data(), kRtcpBudget), now);
      if (length == 0 || !transport_->send_rtcp(buffer, length)) break;
    }
  }
  if (now >= next_receiver_report_) {
    next_receiver_report_ = now + kReportInterval;
    send_receiver_reports(now);
  }
}

void PublisherConnection::send_receiver_reports(TimePoint now) {
  // RFC 3550 §6.4.2: one RR with a block per received source, then REMB
  // (draft-alvestrand-rmcat-remb-03) when transport-cc is not in use.
  std::array<rtp::RtcpReportBlock, rtp::RtcpReceiverReport::kMaxReportBlocks> blocks;
  std::array<uint32_t, rtp::RtcpReceiverReport::kMaxReportBlocks> ssrcs;
  size_t count = 0;
  double worst_loss = 0;
  for (auto& p : publications_) {
    for (size_t i = 0; i < p->layer_count(); ++i) {
      auto& layer = p->layer(i);
      if (layer.ssrc() == 0 || count == blocks.size()) continue;
      blocks[count] = layer.make_report_block(now);
      if (context_.totals && p->params().clock_rate)
        context_.totals->jitter.observe(double(blocks[count].jitter) / p->params().clock_rate);
      ssrcs[count] = layer.ssrc();
      worst_loss = std::max(worst_loss, layer.loss_fraction());
      ++count;
    }
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
  // RFC 3611 §4.4: the receiver's reference time, which the browser answers with a DLRR.
  length += rtp::RtcpXr::build_rrtr(room.subspan(length), feedback_ssrc_,
                                    SenderReportGenerator::to_ntp(std::chrono::system_clock::now()));
  transport_->send_rtcp(buffer, length);
}

ConnectionQualityWindow::Upstream PublisherConnection::quality_sample() const {
  ConnectionQualityWindow::Upstream sample;
  for (const auto& p : publications_) {
    if (p->muted()) continue;
    sample.expecting = true;
    sample.packets_in += p->stats().packets_in;
    sample.loss = std::max(sample.loss, p->loss_fraction());
  }
  sample.connected = transport_ && transport_->state() == webrtc::PeerTransport::State::Connected;
  sample.closed = transport_ && transport_->state() == webrtc::PeerTransport::State::Closed;
  return sample;
}

void PublisherConnection::add_own_counters(MediaCounters& counters) const {
  if (transport_) counters.add(*transport_);
  counters.publisher_round_trips += stats_.round_trips;
  counters.publisher_round_trip_us += stats_.round_trip_us;
}

void PublisherConnection::add_counters(MediaCounters& counters) const {
  add_own_counters(counters);
  for (const auto& p : publications_) p->add_counters(counters);
}

}  // namespace ct::sfu
