#pragma once
// The /rtc connections this node relays to the nodes that host their rooms
// (SignalRelay), by room and hosting node. A draining node tells each of them
// to take its signaling to the hosting node directly (`reconnect`, docs/
// protocol.md): their media already goes there, so only the WebSocket moves,
// and the node can exit once none is left. Thread-safe: sessions register
// from their own strands, the drain runs on the front thread; the lock guards
// bookkeeping only.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sfu/RoomEvents.hpp"
#include "signal/MovableSession.hpp"

namespace ct::signal {

class RelayedSessions {
 public:
  // One relayed connection's place in the registry; unregisters when destroyed.
  class Registration {
   public:
    Registration() = default;
    Registration(RelayedSessions* owner, uint64_t id) : owner_(owner), id_(id) {}
    Registration(Registration&& other) noexcept { *this = std::move(other); }
    Registration& operator=(Registration&& other) noexcept;
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration() { reset(); }
    void reset();

   private:
    RelayedSessions* owner_ = nullptr;
    uint64_t id_ = 0;
  };

  // `home_url`: the hosting node's /rtc (ws://host:port/rtc), where the
  // client's signaling goes instead when asked. `joined` says whether the
  // hosting node has answered its join yet (a client still joining is not
  // told); called under the registry's lock, so it must not call back here.
  Registration add(const std::string& room, const std::string& identity, const std::string& home_url,
                   std::function<bool()> joined, std::weak_ptr<MovableSession> session);

  // Connections relayed now (closed ones are gone already).
  size_t count() const;

  // What reconnect_all sent, per room and hosting node.
  struct Sent {
    std::string room, home_url;
    size_t sessions = 0;
  };
  // Sends every relayed connection that has joined `reconnect` to its hosting
  // node (reason "drain"), once each: a later call reaches only those that
  // have joined since.
  std::vector<Sent> reconnect_all(const std::string& reason);

 private:
  struct Entry {
    std::string room, identity, home_url;
    std::function<bool()> joined;
    std::weak_ptr<MovableSession> session;
    bool told = false;  // `reconnect` sent
  };
  void remove(uint64_t id);

  mutable std::mutex mutex_;
  std::map<uint64_t, Entry> entries_;
  uint64_t next_id_ = 1;
};

// What the hosting node answers a resume_only join (the one that follows
// `reconnect`) when the participant is not in the room: it left, or its
// reconnect window passed. The client joins afresh instead.
std::optional<sfu::event::Error> resume_failed();

}  // namespace ct::signal
