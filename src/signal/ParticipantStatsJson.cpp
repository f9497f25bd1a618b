#include "signal/ParticipantStatsJson.hpp"

#include <string>

namespace ct::signal {
namespace {

using Json = nlohmann::json;

Json optional_number(const std::optional<double>& v) { return v ? Json(*v) : Json(nullptr); }

Json connection(const sfu::ConnectionStats& c, const ParticipantStatsJson::RelayCheck& is_relay) {
  return {{"connected", c.connected},
          {"address", c.remote_address ? Json(c.remote_address->to_string()) : Json(nullptr)},
          {"candidate_type", ParticipantStatsJson::candidate_type(c, is_relay)}};
}

}  // namespace

Json ParticipantStatsJson::published_track(const sfu::PublishedTrackStats& t) {
  Json layers = Json::array();
  for (const auto& l : t.layers) {
    layers.push_back({{"rid", l.rid},
                      {"bitrate_bps", l.bitrate_bps},
                      {"packets", l.packets},
                      {"width", l.width},
                      {"height", l.height},
                      {"active", l.live}});
  }
  return {{"sid", t.sid},
          {"kind", t.kind},
          {"codec", t.codec},
          {"muted", t.muted},
          {"bitrate_bps", t.bitrate_bps},
          {"packets", t.packets},
          {"packets_lost", t.packets_lost},
          {"loss", t.loss_fraction},
          {"jitter_ms", t.jitter_seconds * 1000},
          {"nacks_received", t.nacks_received},
          {"plis_received", t.plis_received},
          {"firs_received", t.firs_received},
          {"nacks_sent", t.nacks_sent},
          {"keyframe_requests_sent", t.keyframe_requests_sent},
          {"layers", std::move(layers)}};
}

Json ParticipantStatsJson::subscribed_track(const sfu::SubscribedTrackStats& t) {
  return {{"sid", t.sid},
          {"publisher", t.publisher},
          {"kind", t.kind},
          {"codec", t.codec},
          {"bitrate_bps", t.bitrate_bps},
          {"packets", t.packets},
          {"retransmitted", t.retransmitted},
          {"loss", t.reported ? Json(t.loss_fraction) : Json(nullptr)},
          {"packets_lost", t.reported ? Json(t.packets_lost) : Json(nullptr)},
          {"jitter_ms", t.reported ? Json(t.jitter_seconds * 1000) : Json(nullptr)},
          {"nacks", t.nacks},
          {"plis", t.plis},
          {"firs", t.firs},
          {"layer", t.layer >= 0 ? Json(t.layer) : Json(nullptr)},
          {"target_layer", t.target_layer >= 0 ? Json(t.target_layer) : Json(nullptr)},
          {"paused", t.paused}};
}

Json ParticipantStatsJson::candidate_type(const sfu::ConnectionStats& c, const RelayCheck& is_relay) {
  if (!c.remote_address) return nullptr;
  if (is_relay && is_relay(*c.remote_address)) return "relay";
  return c.candidate_type ? *c.candidate_type : "prflx";
}

Json ParticipantStatsJson::render(std::string_view room, const sfu::ParticipantStats& s,
                                  const RelayCheck& is_relay) {
  Json published_tracks = Json::array(), subscribed_tracks = Json::array();
  for (const auto& t : s.published) published_tracks.push_back(published_track(t));
  for (const auto& t : s.subscribed) subscribed_tracks.push_back(subscribed_track(t));
  // The participant's path: its publisher connection's, or the subscriber's when it does not publish.
  const auto& path = s.publisher.remote_address ? s.publisher : s.subscriber;
  return {{"room", room},
          {"identity", s.identity},
          {"connection_quality", s.connection_quality},
          {"candidate_type", candidate_type(path, is_relay)},
          {"rtt_ms", optional_number(s.rtt_seconds ? std::optional(*s.rtt_seconds * 1000) : std::nullopt)},
          {"bandwidth_estimate_bps", s.estimate_bps ? Json(*s.estimate_bps) : Json(nullptr)},
          {"publisher_connection", connection(s.publisher, is_relay)},
          {"subscriber_connection", connection(s.subscriber, is_relay)},
          {"published", std::move(published_tracks)},
          {"subscribed", std::move(subscribed_tracks)}};
}

}  // namespace ct::signal
