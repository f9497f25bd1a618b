#include "sfu/ParticipantStatsCollector.hpp"

#include <algorithm>

#include "sfu/Participant.hpp"
#include "sfu/Publication.hpp"
#include "sfu/PublicationLayer.hpp"
#include "sfu/ReceiveStreamStats.hpp"
#include "sfu/Subscription.hpp"

namespace ct::sfu {
namespace {

ConnectionStats connection_of(const webrtc::PeerTransport* transport) {
  ConnectionStats c;
  if (!transport) return c;
  c.connected = transport->state() == webrtc::PeerTransport::State::Connected;
  c.remote_address = transport->remote_address();
  if (auto type = transport->remote_candidate_type()) c.candidate_type = std::string(*type);
  return c;
}

PublishedTrackStats published(const Publication& p, TimePoint now) {
  PublishedTrackStats t;
  t.sid = p.sid();
  t.kind = p.video() ? "video" : "audio";
  t.codec = p.params().codec_name;
  t.muted = p.muted();
  const Publication::Stats stats = p.stats();
  t.packets = stats.packets_in;
  t.nacks_sent = stats.nacks_sent;
  t.keyframe_requests_sent = stats.keyframe_requests_sent;
  for (size_t i = 0; i < p.layer_count(); ++i) {
    const PublicationLayer& layer = p.layer(i);
    const ReceiveStreamStats& receive = layer.receive_stats();
    LayerStats l{layer.rid(),
                 layer.bitrate().total_bitrate(now),
                 layer.stats().packets_in,
                 layer.width(),
                 layer.height(),
                 layer.live(now)};
    t.bitrate_bps += l.bitrate_bps;
    t.packets_lost += std::max<int64_t>(receive.cumulative_lost(), 0);
    t.loss_fraction = std::max(t.loss_fraction, receive.loss_fraction());
    if (p.params().clock_rate)
      t.jitter_seconds = std::max(t.jitter_seconds, receive.jitter() / double(p.params().clock_rate));
    t.layers.push_back(std::move(l));
  }
  for (const Subscription* s : p.subscriptions()) {
    t.nacks_received += s->stats().nacks_received;
    t.plis_received += s->stats().plis_received;
    t.firs_received += s->stats().firs_received;
  }
  return t;
}

SubscribedTrackStats subscribed(const Subscription& s, const std::string& publisher, TimePoint now) {
  const Publication& p = s.publication();
  SubscribedTrackStats t;
  t.sid = p.sid();
  t.publisher = publisher;
  t.kind = p.video() ? "video" : "audio";
  t.codec = p.params().codec_name;
  t.packets = s.stats().forwarded;
  t.retransmitted = s.stats().retransmitted;
  const Subscription::ReceiverReport& report = s.receiver_report();
  t.reported = report.received;
  t.loss_fraction = report.loss_fraction;
  t.packets_lost = report.packets_lost;
  if (p.params().clock_rate) t.jitter_seconds = double(report.jitter) / p.params().clock_rate;
  t.nacks = s.stats().nacks_received;
  t.plis = s.stats().plis_received;
  t.firs = s.stats().firs_received;
  t.layer = s.current_layer();
  t.target_layer = s.target_layer();
  t.paused = s.paused();
  if (!t.paused && s.active() && t.layer >= 0 && size_t(t.layer) < p.layer_count())
    t.bitrate_bps = p.layer(size_t(t.layer)).bitrate().total_bitrate(now);
  return t;
}

}  // namespace

ParticipantStats ParticipantStatsCollector::collect(const Participant& participant, TimePoint now) {
  ParticipantStats s;
  s.identity = participant.identity();
  s.connection_quality = std::string(to_string(participant.quality()));
  if (auto rtt = participant.last_round_trip()) s.rtt_seconds = std::chrono::duration<double>(*rtt).count();
  s.publisher = connection_of(participant.publisher().transport());
  if (const SubscriberConnection* sub = participant.subscriber()) {
    s.subscriber = connection_of(&sub->transport());
    s.estimate_bps = sub->estimated_bitrate();
    for (const auto& section : sub->sections()) {
      if (!section.subscription) continue;
      s.subscribed.push_back(subscribed(*section.subscription, section.track.publisher, now));
    }
  }
  for (const auto& p : participant.publications()) s.published.push_back(published(*p, now));
  return s;
}

}  // namespace ct::sfu
