#pragma once
// One media worker's part of the cascade: its link socket (CascadePort) and
// the cascaded rooms it runs (CascadeRoom), fed from the socket and ticked
// with the worker's loop. Every method runs on the worker's thread (post to it).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cascade/CascadeLinkOffer.hpp"
#include "cascade/CascadeMessage.hpp"
#include "cascade/CascadePort.hpp"
#include "cascade/CascadeRoom.hpp"
#include "core/Clock.hpp"
#include "net/SocketAddress.hpp"

namespace ct::sfu {
class MediaWorker;
}

namespace ct::cascade {

class CascadeWorker final : public CascadePort::Listener {
 public:
  // A room whose peers stayed silent this long has lost them (their node left or died).
  static constexpr Duration kPeerSilence = std::chrono::seconds(6);

  // Binds the link socket at once (throws std::system_error naming the
  // address); `worker` outlives this and is where it runs.
  // `drop_sent_fraction`: TEST ONLY, see CascadeRoom.
  CascadeWorker(sfu::MediaWorker& worker, const net::SocketAddress& bind, double drop_sent_fraction = 0);
  ~CascadeWorker() override;
  CascadeWorker(const CascadeWorker&) = delete;
  CascadeWorker& operator=(const CascadeWorker&) = delete;

  uint16_t port() const { return port_.local_address().port(); }

  // What this node sends one peer of a room in a round.
  struct Outgoing {
    std::string peer;
    CascadeLinkOffer offer;
    std::vector<CascadeMessage> messages;
  };
  // The room's state for each of `peers` (the cascade starts for a room
  // that runs here); nothing for a room not on this worker.
  std::optional<std::vector<Outgoing>> prepare(const std::string& room,
                                               const std::vector<std::string>& peers);
  // A peer's offer, link address and messages for `room` (from its request
  // or its answer). With `open_room`, a room not running here starts (the
  // peer's participants join it). The answer to send back: this node's
  // offer and state; nothing when the room is not here and not opened.
  std::optional<Outgoing> receive(const std::string& room, const std::string& peer,
                                  const CascadeLinkOffer& offer, const net::SocketAddress& address,
                                  std::span<const CascadeMessage> messages, bool open_room);
  // What prepare() made for `peer` did not reach it (see CascadeRoom::return_keys).
  void return_keys(const std::string& room, const std::string& peer,
                   std::span<const CascadeMessage> messages);
  // Participants of `room` that joined through this node (0: none, or not here).
  size_t local_participants(const std::string& room);
  // Rooms cascaded here now.
  std::vector<std::string> rooms() const;

  struct PeerTotals {
    size_t streams_sent = 0;
    uint64_t packets_sent = 0;
    uint64_t retransmissions = 0;
    uint64_t keyframe_requests_received = 0;
    uint64_t keyframe_requests_sent = 0;
  };
  // Per peer node, over this worker's rooms.
  std::map<std::string, PeerTotals> totals();

  void on_cascade_packet(uint32_t link_id, CascadeKind kind, std::span<uint8_t> packet) override;

 private:
  // The cascade of `room` if the room still runs (a room that ended takes its cascade along).
  CascadeRoom* find(const std::string& room);
  void on_tick();
  void housekeeping(TimePoint now);

  sfu::MediaWorker& worker_;
  CascadePort port_;
  double drop_sent_fraction_;
  std::map<std::string, std::unique_ptr<CascadeRoom>> rooms_;
  std::map<std::string, PeerTotals> ended_;  // counts of peers' links that are gone
  uint64_t tick_timer_ = 0;
  uint64_t ticks_ = 0;
};

}  // namespace ct::cascade
