#include "signal/RelayedSessions.hpp"

#include <algorithm>
#include <utility>

#include "signal/SignalProtocol.hpp"

namespace ct::signal {

RelayedSessions::Registration& RelayedSessions::Registration::operator=(Registration&& other) noexcept {
  if (this != &other) {
    reset();
    owner_ = std::exchange(other.owner_, nullptr);
    id_ = std::exchange(other.id_, 0);
  }
  return *this;
}

void RelayedSessions::Registration::reset() {
  if (owner_) owner_->remove(id_);
  owner_ = nullptr;
  id_ = 0;
}

RelayedSessions::Registration RelayedSessions::add(const std::string& room, const std::string& identity,
                                                   const std::string& home_url, std::function<bool()> joined,
                                                   std::weak_ptr<MovableSession> session) {
  std::lock_guard lock(mutex_);
  uint64_t id = next_id_++;
  entries_[id] = Entry{room, identity, home_url, std::move(joined), std::move(session), false};
  return Registration(this, id);
}

void RelayedSessions::remove(uint64_t id) {
  std::lock_guard lock(mutex_);
  entries_.erase(id);
}

size_t RelayedSessions::count() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::vector<RelayedSessions::Sent> RelayedSessions::reconnect_all(const std::string& reason) {
  std::vector<std::pair<std::shared_ptr<MovableSession>, std::string>> to_tell;
  std::vector<Sent> sent;
  {
    std::lock_guard lock(mutex_);
    for (auto& entry : entries_) {
      Entry& e = entry.second;
      if (e.told || (e.joined && !e.joined())) continue;
      auto session = e.session.lock();
      if (!session) continue;
      e.told = true;
      to_tell.emplace_back(std::move(session), serialize_reconnect(e.home_url, reason));
      auto it = std::find_if(sent.begin(), sent.end(),
                             [&](const Sent& s) { return s.room == e.room && s.home_url == e.home_url; });
      if (it == sent.end()) it = sent.insert(sent.end(), Sent{e.room, e.home_url, 0});
      ++it->sessions;
    }
  }
  // Sent outside the lock: no lock order between the registry and a session to reason about.
  for (auto& [session, message] : to_tell) session->send_text(std::move(message));
  return sent;
}

std::optional<sfu::event::Error> resume_failed() {
  return sfu::event::Error{"resume_failed", "you are no longer in this room; join it afresh"};
}

}  // namespace ct::signal
