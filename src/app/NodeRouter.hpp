#pragma once
// This node's place among others: with --redis it runs the cluster client
// (registry entry with live load, room placement) and routes each join here or
// to the node that hosts the room; with or without a cluster it holds the
// drain state (SIGTERM: no new rooms or joins here, calls go on). Lives on the
// front thread; the cluster client has its own.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/Config.hpp"
#include "cluster/ClusterNode.hpp"
#include "cluster/NodeEntry.hpp"
#include "signal/JoinRoute.hpp"

namespace boost::asio {
class io_context;
}
namespace ct::sfu {
class MediaWorker;
}
namespace ct::cluster {
class ClusterNode;
}

namespace ct::app {

class NodeRouter {
 public:
  NodeRouter(const Config& config, boost::asio::io_context& front_io, std::vector<sfu::MediaWorker*> workers);
  ~NodeRouter();

  // Starts the cluster client (with --redis) and the load sampling.
  void start();
  // Leaves the cluster (removes this node's entry); calls are not touched.
  void stop();

  // Where each join goes: here, relayed to the room's node, or refused.
  signal::JoinRouter join_router();

  // Sends every participant of `room` to the same room at `rtc_url` (`move`, reason "drain").
  using RoomMover = std::function<void(const std::string& room, const std::string& rtc_url)>;

  // No new rooms or joins here from now on (resumes of calls here still work).
  // In a cluster with other live nodes, each room hosted here is handed to one
  // of them and `move_room` (front thread) sends its participants there.
  void begin_drain(RoomMover move_room = {});
  bool draining() const { return draining_.load(); }

  // With --redis: the other live node that hosts `room` (nothing: it is here,
  // nowhere, or Redis is away), and every other live node. `done` runs on the
  // cluster thread; without a cluster at once, with nothing.
  void host_elsewhere(const std::string& room, std::function<void(std::optional<cluster::NodeEntry>)> done);
  void other_nodes(std::function<void(std::vector<cluster::NodeEntry>)> done);
  // With --redis: places `room` as its first join here would (claims it for
  // the least-loaded live node that is not draining, this node's region
  // first, or finds the node that has it). `done` runs on the cluster thread;
  // without a cluster at once, with a failure "no_cluster".
  void place_room(const std::string& room, std::function<void(cluster::PlaceOutcome)> done);

  // With --cascade: serves a join here as a cascaded part of `room`, whose
  // home is `home` (cluster::route_room says when). Set before start().
  using CascadeServer = std::function<void(const std::string& room, const cluster::NodeEntry& home)>;
  void set_cascade(CascadeServer serve) { cascade_ = std::move(serve); }

  // Participants in this node's rooms now; `done` runs on the front thread.
  void count_participants(std::function<void(size_t)> done);

  struct Status {
    std::string node_id, region;
    bool cluster = false;  // --redis given
    bool redis_up = false;
    bool draining = false;
  };
  Status status() const;

 private:
  struct Sample;
  void sample(std::function<void(const Sample&)> done);
  void schedule_sampling();
  bool runs_here(const std::string& room) const;                               // any thread
  bool cascade_here(const std::string& room, const cluster::NodeEntry& home);  // any thread

  const Config& config_;
  boost::asio::io_context& front_io_;
  std::vector<sfu::MediaWorker*> workers_;
  std::unique_ptr<cluster::ClusterNode> cluster_;
  struct Timer;
  std::unique_ptr<Timer> timer_;
  std::atomic<bool> draining_{false};
  mutable std::mutex rooms_mutex_;
  std::set<std::string> local_rooms_;  // at the last sample: joins to these need no Redis
  // Rooms served here as a cascaded part of another node's room: not claimed
  // here, so the claim check and the registry's room list leave them out.
  // Each counts the samples it has been missing from (not yet set up, or ended).
  std::map<std::string, unsigned> cascaded_rooms_;
  // The last sample's totals, for rates (front thread only).
  double last_cpu_seconds_ = 0;
  uint64_t last_forwarded_ = 0;
  double last_sample_time_ = 0;
  CascadeServer cascade_;
  std::atomic<size_t> participants_{0};  // at the last sample
};

}  // namespace ct::app
