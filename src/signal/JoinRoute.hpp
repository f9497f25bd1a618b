#pragma once
// Where a join goes once its token checks out: this node, a relay to the node
// that hosts the room (scale-out, docs/operations.md), or a refusal with an
// error code (the node is draining, the cluster cannot place the room).
#include <functional>
#include <string>

namespace ct::signal {

struct JoinRoute {
  enum class Kind { local, relay, refused };
  Kind kind = Kind::local;
  std::string url;      // relay: the hosting node's /rtc, ws://host:port/rtc
  std::string code;     // refused: the error code (docs/protocol.md)
  std::string message;  // refused: for people
};

// Decides the route of one join; calls `done` once, on any thread.
using JoinRouter =
    std::function<void(const std::string& room, bool resume, std::function<void(JoinRoute)> done)>;

}  // namespace ct::signal
