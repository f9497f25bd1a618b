#include "sfu/RoomAdministration.hpp"

#include <algorithm>

#include "sfu/DataPacket.hpp"
#include "sfu/Participant.hpp"
#include "sfu/ParticipantStatsCollector.hpp"
#include "sfu/Room.hpp"
#include "sfu/RoomMembers.hpp"

namespace ct::sfu {

event::Error RoomAdministration::participant_not_found(const std::string& identity) const {
  return event::Error{"participant_not_found",
                      "no participant " + identity + " in room " + room_.room_name()};
}

std::vector<ParticipantState> RoomAdministration::participants() const {
  std::vector<ParticipantState> out;
  for (const auto& p : room_.members()) out.push_back(p->state());
  return out;
}

bool RoomAdministration::remove_participant(const std::string& identity, std::string_view reason) {
  Participant* p = room_.member(identity);
  if (!p) return false;
  p->deliver(event::Removed{std::string(reason)});
  room_.remove_member(*p, reason, Clock::now());
  return true;
}

std::optional<event::Error> RoomAdministration::mute_track(const std::string& identity,
                                                           const std::string& track_sid, bool muted) {
  Participant* p = room_.member(identity);
  if (!p) return participant_not_found(identity);
  Publication* publication = p->find_publication(track_sid);
  if (!publication) return event::Error{"track_not_found", identity + " publishes no track " + track_sid};
  if (publication->muted() != muted) publication->set_muted(muted, Clock::now());
  room_.announce(nullptr, event::TrackMuted{identity, track_sid, muted});  // the publisher's UI shows it too
  return std::nullopt;
}

std::optional<event::Error> RoomAdministration::update_participant(const std::string& identity,
                                                                   const ParticipantUpdate& u) {
  Participant* p = room_.member(identity);
  if (!p) return participant_not_found(identity);
  auto now = Clock::now();
  p->update_info(u.name, u.metadata);
  const ParticipantInfo& was = p->info();
  bool publish = u.can_publish.value_or(was.can_publish);
  bool subscribe = u.can_subscribe.value_or(was.can_subscribe);
  bool unpublish = was.can_publish && !publish;
  bool unsubscribe = was.can_subscribe && !subscribe, start_subscribing = !was.can_subscribe && subscribe;
  p->set_permissions(publish, subscribe, u.can_publish_data.value_or(was.can_publish_data), now);

  std::vector<Participant*> changed;
  if (unpublish) {
    auto publications = p->take_publications();
    for (auto& publication : publications) room_.withdraw(*p, *publication, changed);
  }
  if (unsubscribe || start_subscribing) {
    for (const auto& q : room_.members()) {
      if (q.get() == p) continue;
      for (auto& publication : q->publications()) {
        if (unsubscribe) p->unsubscribe(*publication);
        if (start_subscribing) p->subscribe(*publication);
      }
    }
    changed.push_back(p);
  }
  // A hidden participant is announced to nobody but itself.
  if (p->info().hidden)
    p->deliver(event::ParticipantUpdated{p->info()});
  else
    room_.announce(nullptr, event::ParticipantUpdated{p->info()});
  for (auto* q : changed) room_.offer_again(*q, now);
  return std::nullopt;
}

size_t RoomAdministration::send_server_data(std::string_view topic, std::span<const uint8_t> payload,
                                            const std::vector<std::string>& destinations, bool reliable) {
  std::vector<uint8_t> envelope(DataPacket::size({}, topic, payload));
  if (DataPacket::write_from_server(envelope, topic, payload) == 0) return 0;
  size_t sent = 0;
  for (const auto& q : room_.members()) {
    bool named = std::find(destinations.begin(), destinations.end(), q->identity()) != destinations.end();
    if (!destinations.empty() && !named) continue;
    q->deliver_data(envelope, reliable);
    ++sent;
  }
  return sent;
}

std::optional<ParticipantStats> RoomAdministration::participant_stats(const std::string& identity,
                                                                      TimePoint now) {
  if (const Participant* p = room_.member(identity)) return ParticipantStatsCollector::collect(*p, now);
  return std::nullopt;
}

}  // namespace ct::sfu
