#pragma once
// This node's part in a cluster that shares one Redis: it keeps its registry
// entry (with its live load) fresh, places rooms, and keeps its room claims
// true. Everything that talks to Redis runs on the node's own cluster thread
// (blocking hiredis calls, each with a timeout), so neither the front thread
// nor a media worker ever waits on Redis; answers go back through callbacks
// that run on the cluster thread and post to whoever asked.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "cluster/ClusterStore.hpp"
#include "cluster/NodeEntry.hpp"
#include "cluster/RoomHandover.hpp"

namespace boost::asio {
class io_context;
}

namespace ct::cluster {

struct ClusterNodeConfig {
  NodeEntry self;                // id, url, region, capacity
  std::chrono::seconds ttl{10};  // a node silent this long is dead
  std::chrono::milliseconds refresh{2000};
  // Waits before each further attempt to place a room while Redis cannot be
  // reached; after the last one the join is refused.
  std::vector<std::chrono::milliseconds> place_retry{
      std::chrono::milliseconds(250), std::chrono::milliseconds(500), std::chrono::milliseconds(1000),
      std::chrono::milliseconds(2000)};
  unsigned recheck_every = 15;  // refreshes between checks of every local room's claim
};

// This node's load, measured by whoever owns the media workers.
struct NodeLoad {
  size_t participants = 0;
  double packets_per_second = 0;
  double cpu = 0;
  std::vector<std::string> rooms;  // the rooms hosted here now
};

struct Placed {
  NodeEntry node;
  bool here = false;  // this node hosts the room
};
struct PlaceFailed {
  std::string code;  // "cluster_unavailable" (Redis unreachable) or "no_node" (every node draining)
};
using PlaceOutcome = std::variant<Placed, PlaceFailed>;

class ClusterNode {
 public:
  ClusterNode(ClusterNodeConfig config, std::unique_ptr<ClusterStore> store);
  ~ClusterNode();  // stop()s
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Starts the cluster thread, which registers the node at once.
  void start();
  // Removes this node's entry (best effort) and joins the thread.
  void stop();

  const std::string& node_id() const { return config_.self.id; }
  const std::string& region() const { return config_.self.region; }
  // Whether the last call to Redis succeeded.
  bool redis_up() const { return redis_up_.load(); }

  // Any thread. Written into the registry entry at once.
  void update_load(NodeLoad load);
  // Any thread. No new rooms come here from now on; re-registers at once.
  void set_draining();

  // Finds (or claims) the node for `room`; `done` runs on the cluster thread.
  void place(std::string room, std::string preferred_region, std::function<void(PlaceOutcome)> done);

  // Drain: hands the rooms hosted here to other live nodes (hand_over_rooms);
  // `done` runs on the cluster thread with the rooms that moved, nothing when
  // Redis cannot be reached or no other node can take a room.
  void hand_over(std::vector<HostedRoom> rooms, std::function<void(std::vector<HandedOverRoom>)> done);

  // The live node other than this one that hosts `room`; nothing when the
  // room is here, unclaimed, its node is gone, or Redis cannot be reached.
  // `done` runs on the cluster thread.
  void host_elsewhere(std::string room, std::function<void(std::optional<NodeEntry>)> done);

  // Every live node, or nothing when Redis cannot be reached; `done` runs on the cluster thread.
  void live_nodes(std::function<void(std::optional<std::vector<NodeEntry>>)> done);

 private:
  void refresh();
  void schedule_refresh();
  void attempt_place(std::string room, std::string region, std::function<void(PlaceOutcome)> done,
                     size_t attempt);
  void check_claims(const std::vector<std::string>& rooms);
  void note_redis(bool up, const char* what);

  ClusterNodeConfig config_;
  std::unique_ptr<ClusterStore> store_;  // cluster thread only
  std::unique_ptr<boost::asio::io_context> io_;
  struct Timers;
  std::unique_ptr<Timers> timers_;
  std::thread thread_;
  std::atomic<bool> redis_up_{false};
  std::atomic<bool> draining_{false};
  std::mutex load_mutex_;  // update_load (any thread) against refresh (cluster thread)
  NodeLoad load_;
  // Cluster thread only.
  bool ever_up_ = false;
  bool recheck_ = true;
  unsigned refreshes_ = 0;
  std::set<std::string> hosted_;       // rooms seen here at the last refresh
  std::set<std::string> handed_over_;  // claims given away by the drain (their people are on the move)
};

}  // namespace ct::cluster
