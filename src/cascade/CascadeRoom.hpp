#pragma once
// One room's cascade on one media worker: its link to each other node that
// serves the room (on the worker's CascadePort), what this node sends there
// (its own participants and tracks as control messages, and each track that
// node's subscribers want once, over the link), and that node's part of the
// room (its participants as members that receive nothing, its tracks fed
// from the link). Lives on the worker's thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cascade/CascadeFanout.hpp"
#include "cascade/CascadeFrame.hpp"
#include "cascade/CascadeLinkOffer.hpp"
#include "cascade/CascadeMessage.hpp"
#include "core/Clock.hpp"
#include "net/SocketAddress.hpp"

namespace ct::sfu {
class Room;
}

namespace ct::cascade {

class CascadePort;

class CascadeRoom {
 public:
  // `room` and `port` outlive this. `drop_sent_fraction`: TEST ONLY, that
  // share of the packets this node sends on its links is dropped (NACK tests).
  CascadeRoom(sfu::Room& room, CascadePort& port, Duration keyframe_request_interval,
              double drop_sent_fraction = 0);
  // The other nodes' participants leave the local room; the links close.
  ~CascadeRoom();
  CascadeRoom(const CascadeRoom&) = delete;
  CascadeRoom& operator=(const CascadeRoom&) = delete;

  // What this node offers `peer` for their link: made on first use, kept
  // while the peer keeps its own.
  const CascadeLinkOffer& own_offer(const std::string& peer, TimePoint now);
  // The peer's offer and where its link socket is: opens the link, or opens
  // it afresh (with a new offer of this node's) when the peer's changed.
  void link(const std::string& peer, const CascadeLinkOffer& theirs, const net::SocketAddress& address,
            TimePoint now);
  // The peer's control messages (its participants, tracks, and what its subscribers want).
  void apply(const std::string& peer, std::span<const CascadeMessage> messages, TimePoint now);
  // This node's part of the room as `peer` should know it now: every local
  // participant and track, those gone since the last call, and how many
  // local subscribers want each of the peer's tracks.
  std::vector<CascadeMessage> state_for(const std::string& peer);
  // `messages` (made by state_for) did not reach `peer`: their keys, the one
  // thing said only once, go with the next state_for.
  void return_keys(const std::string& peer, std::span<const CascadeMessage> messages);

  struct PeerStats;
  // Drops peers not heard from since `before` (their node left the room or
  // died); their last counts.
  std::vector<PeerStats> drop_silent_peers(TimePoint before);
  void drop_peer(const std::string& peer);
  std::vector<std::string> peers() const;

  // A plain packet off the port; false when the link is none of this room's.
  bool on_packet(uint32_t link_id, CascadeKind kind, std::span<uint8_t> packet, TimePoint now);
  void on_tick(TimePoint now);

  // The local room was closed (and its members with it): destroying this
  // touches it no more.
  void room_ended();
  // Whether `live` (the worker's room of this name now) is the room this
  // cascade was made for, and not a new one in its place.
  bool serves(const sfu::Room* live) const;

  // Participants in the room that joined through this node.
  size_t local_participants() const;

  struct PeerStats {
    std::string peer;
    size_t streams_sent = 0;  // this node's tracks on the link
    uint64_t packets_sent = 0;
    uint64_t retransmissions = 0;             // this node's packets sent again on the peer's NACKs
    uint64_t keyframe_requests_received = 0;  // from the peer, for this node's tracks
    uint64_t keyframe_requests_sent = 0;      // to the peer, for its tracks
  };
  std::vector<PeerStats> stats() const;

 private:
  struct Peer;
  Peer& peer_of(const std::string& peer, TimePoint now);
  bool stand_in(const std::string& identity) const;
  void apply_change(Peer& p, const CascadeMessage& message, TimePoint now);
  void apply_want(const std::string& peer, Peer& p, const CascadeWant& want);
  void apply_key(Peer& p, const CascadeKey& key);
  void relay_announcement(const CascadeParticipant& remote);

  sfu::Room& room_;
  CascadePort& port_;
  Duration keyframe_request_interval_;
  double drop_sent_fraction_;
  std::map<std::string, std::unique_ptr<Peer>> peers_;
  CascadeFanout fanout_;
  bool room_gone_ = false;
  std::chrono::system_clock::time_point room_created_;
};

}  // namespace ct::cascade
