#include "signal/StatsRequestHandler.hpp"

#include "sfu/Participant.hpp"
#include "sfu/Room.hpp"
#include "sfu/RoomMembers.hpp"

namespace ct::signal {
namespace {

using Json = nlohmann::json;

Json connection(const sfu::ConnectionStats& c, const ParticipantStatsJson::RelayCheck& is_relay) {
  return {{"connected", c.connected}, {"candidate_type", ParticipantStatsJson::candidate_type(c, is_relay)}};
}

void send(const std::weak_ptr<MovableSession>& session, const Json& message) {
  if (auto s = session.lock()) s->send_text(message.dump());
}

}  // namespace

StatsRequestHandler::StatsRequestHandler(std::shared_ptr<RtcSessionListener> service)
    : service_(std::move(service)) {}

std::optional<StatsRequestHandler::Work> StatsRequestHandler::admit(const request::GetStats& request,
                                                                    const std::string& identity,
                                                                    std::weak_ptr<MovableSession> session,
                                                                    TimePoint now) {
  if (!bucket_.try_take(now)) {
    service_->count_error("rate_limited");
    send(session, error(request, "rate_limited", "at most 4 stats requests a second"));
    return std::nullopt;
  }
  request::GetStats r = request;
  if (r.participant == identity) r.participant.reset();  // yourself: the same as no participant
  return [r = std::move(r), identity, session = std::move(session),
          is_relay = service_->config().is_turn_relay,
          post = service_->config().post_to_front](sfu::Room& room) {
    const TimePoint now = Clock::now();
    auto mine = room.participant_stats(identity, now);
    if (!mine) return;
    std::optional<sfu::ParticipantStats> publisher;
    if (r.participant) {
      // Hidden participants (recorders, observers) are nobody's to ask about.
      const sfu::Participant* p = room.members().member(*r.participant);
      if (p && !p->info().hidden) publisher = room.participant_stats(*r.participant, now);
      if (!publisher) {
        return send(session, error(r, "participant_not_found", "no participant " + *r.participant + " here"));
      }
    }
    // Rendered away from the media worker, as the stats endpoint's answer is.
    auto render_and_send = [r, mine = std::move(*mine), publisher = std::move(publisher), session, is_relay] {
      send(session, render(r, mine, publisher ? &*publisher : nullptr, is_relay));
    };
    if (post) return post(std::move(render_and_send));
    render_and_send();
  };
}

Json StatsRequestHandler::render(const request::GetStats& request, const sfu::ParticipantStats& mine,
                                 const sfu::ParticipantStats* publisher,
                                 const ParticipantStatsJson::RelayCheck& is_relay) {
  Json subscribed = Json::array();
  for (const auto& t : mine.subscribed) {
    if (!publisher || t.publisher == publisher->identity)
      subscribed.push_back(ParticipantStatsJson::subscribed_track(t));
  }
  Json j = {{"type", "stats"},
            {"request_id", request.request_id},
            {"participant", request.participant ? Json(*request.participant) : Json(nullptr)},
            {"connection_quality", mine.connection_quality},
            {"rtt_ms", mine.rtt_seconds ? Json(*mine.rtt_seconds * 1000) : Json(nullptr)},
            {"bandwidth_estimate_bps", mine.estimate_bps ? Json(*mine.estimate_bps) : Json(nullptr)},
            {"publisher_connection", connection(mine.publisher, is_relay)},
            {"subscriber_connection", connection(mine.subscriber, is_relay)},
            {"subscribed", std::move(subscribed)}};
  if (!publisher) {
    Json published = Json::array();
    for (const auto& t : mine.published) published.push_back(ParticipantStatsJson::published_track(t));
    j["published"] = std::move(published);
    return j;
  }
  // The publisher's public side: how its media reaches the server, not its addresses or paths.
  Json tracks = Json::array();
  for (const auto& t : publisher->published) tracks.push_back(ParticipantStatsJson::published_track(t));
  j["publisher"] = {{"identity", publisher->identity},
                    {"connection_quality", publisher->connection_quality},
                    {"published", std::move(tracks)}};
  return j;
}

Json StatsRequestHandler::error(const request::GetStats& request, std::string_view code,
                                std::string_view message) {
  return {{"type", "error"},
          {"code", code},
          {"message", message},
          {"request", "get_stats"},
          {"request_id", request.request_id}};
}

}  // namespace ct::signal
