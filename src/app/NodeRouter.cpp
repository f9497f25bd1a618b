#include "app/NodeRouter.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

#include "cluster/ClusterNode.hpp"
#include "cluster/RedisClusterStore.hpp"
#include "cluster/RedisUrl.hpp"
#include "cluster/RoomRoute.hpp"
#include "core/Log.hpp"
#include "metrics/ProcessMetrics.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"
#include "sfu/WorkerMetrics.hpp"

namespace ct::app {

namespace asio = boost::asio;

namespace {

constexpr auto kSampleEvery = std::chrono::seconds(2);
// Samples a cascaded part may be missing before it counts as ended (it may not run yet).
constexpr unsigned kCascadedPartGrace = 5;

signal::JoinRoute refused(std::string code, std::string message) {
  signal::JoinRoute r;
  r.kind = signal::JoinRoute::Kind::refused;
  r.code = std::move(code);
  r.message = std::move(message);
  return r;
}

signal::JoinRoute draining_refusal() {
  return refused("node_draining", "this server is shutting down and takes no new joins; try again");
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

struct NodeRouter::Timer {
  explicit Timer(asio::io_context& io) : timer(io) {}
  asio::steady_timer timer;
};

struct NodeRouter::Sample {
  size_t participants = 0;
  uint64_t forwarded = 0;
  std::vector<std::string> rooms;
  std::vector<size_t> room_participants;  // of each room in `rooms`
};

NodeRouter::NodeRouter(const Config& config, asio::io_context& front_io,
                       std::vector<sfu::MediaWorker*> workers)
    : config_(config),
      front_io_(front_io),
      workers_(std::move(workers)),
      timer_(std::make_unique<Timer>(front_io)) {
  if (config_.cluster_redis.empty()) return;
  cluster::ClusterNodeConfig cc;
  cc.self.id = config_.node_id();
  cc.self.url = config_.node_url();
  cc.self.region = config_.cluster_region;
  cc.self.capacity = config_.cluster_capacity;
  auto url = cluster::RedisUrl::parse(config_.cluster_redis);  // checked by Config::validate
  cluster_ = std::make_unique<cluster::ClusterNode>(
      cc, std::make_unique<cluster::RedisClusterStore>(*url, std::chrono::milliseconds(1000)));
  spdlog::info("cluster: node '{}' ({}{}) with Redis at {}", cc.self.id, cc.self.url,
               cc.self.region.empty() ? "" : ", region " + cc.self.region, url->endpoint());
}

NodeRouter::~NodeRouter() { stop(); }

void NodeRouter::start() {
  if (!cluster_) return;
  cluster_->start();
  last_cpu_seconds_ = metrics::ProcessMetrics::read_self().cpu_seconds;
  last_sample_time_ = now_seconds();
  schedule_sampling();
}

void NodeRouter::stop() {
  timer_->timer.cancel();
  if (cluster_) cluster_->stop();
}

void NodeRouter::schedule_sampling() {
  timer_->timer.expires_after(kSampleEvery);
  timer_->timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    sample([this](const Sample& s) {
      double now = now_seconds();
      double cpu = metrics::ProcessMetrics::read_self().cpu_seconds;
      double elapsed = std::max(now - last_sample_time_, 1e-3);
      cluster::NodeLoad load;
      load.participants = s.participants;
      load.cpu = (cpu - last_cpu_seconds_) / elapsed;
      load.packets_per_second = double(s.forwarded - std::min(s.forwarded, last_forwarded_)) / elapsed;
      last_cpu_seconds_ = cpu;
      last_forwarded_ = s.forwarded;
      participants_ = s.participants;
      last_sample_time_ = now;
      {
        std::lock_guard lock(rooms_mutex_);
        local_rooms_ = std::set<std::string>(s.rooms.begin(), s.rooms.end());
        // A part just set up may not run yet; one missing for several samples has ended.
        for (auto it = cascaded_rooms_.begin(); it != cascaded_rooms_.end();) {
          it->second = local_rooms_.count(it->first) ? 0 : it->second + 1;
          it = it->second > kCascadedPartGrace ? cascaded_rooms_.erase(it) : std::next(it);
        }
        for (const auto& r : s.rooms)
          if (!cascaded_rooms_.count(r)) load.rooms.push_back(r);
      }
      cluster_->update_load(std::move(load));
    });
    schedule_sampling();
  });
}

// Each worker counts its own rooms on its own thread; the answers meet on the front thread.
void NodeRouter::sample(std::function<void(const Sample&)> done) {
  struct Gather {
    Sample sample;
    size_t pending = 0;
    std::function<void(const Sample&)> done;
  };
  auto g = std::make_shared<Gather>();
  g->pending = workers_.size();
  g->done = std::move(done);
  if (g->pending == 0) {
    g->done(g->sample);
    return;
  }
  for (sfu::MediaWorker* w : workers_) {
    w->post([this, w, g] {
      sfu::WorkerMetrics m = w->collect_metrics();
      std::vector<std::string> names;
      std::vector<size_t> counts;
      for (sfu::Room* room : w->rooms()) {
        names.push_back(room->name());
        counts.push_back(room->participant_count());
      }
      asio::post(front_io_, [g, m, names = std::move(names), counts = std::move(counts)]() mutable {
        g->sample.participants += m.census.participants;
        g->sample.forwarded += m.media.forwarded;
        for (auto& n : names) g->sample.rooms.push_back(std::move(n));
        for (size_t c : counts) g->sample.room_participants.push_back(c);
        if (--g->pending == 0) g->done(g->sample);
      });
    });
  }
}

void NodeRouter::host_elsewhere(const std::string& room,
                                std::function<void(std::optional<cluster::NodeEntry>)> done) {
  if (!cluster_) return done(std::nullopt);
  cluster_->host_elsewhere(room, std::move(done));
}

void NodeRouter::place_room(const std::string& room, std::function<void(cluster::PlaceOutcome)> done) {
  if (!cluster_) return done(cluster::PlaceFailed{"no_cluster"});
  cluster_->place(room, config_.cluster_region, std::move(done));
}

void NodeRouter::other_nodes(std::function<void(std::vector<cluster::NodeEntry>)> done) {
  if (!cluster_) return done({});
  cluster_->live_nodes([self = config_.node_id(), done = std::move(done)](auto nodes) {
    std::vector<cluster::NodeEntry> others;
    for (auto& n : nodes.value_or(std::vector<cluster::NodeEntry>{}))
      if (n.id != self) others.push_back(std::move(n));
    done(std::move(others));
  });
}

void NodeRouter::count_participants(std::function<void(size_t)> done) {
  sample([done = std::move(done)](const Sample& s) { done(s.participants); });
}

void NodeRouter::begin_drain(RoomMover move_room) {
  if (draining_.exchange(true)) return;
  if (!cluster_) return;
  cluster_->set_draining();
  if (!move_room) return;
  sample([this, move_room = std::move(move_room)](const Sample& s) {
    std::vector<cluster::HostedRoom> rooms;
    for (size_t i = 0; i < s.rooms.size(); ++i) rooms.push_back({s.rooms[i], s.room_participants[i]});
    if (rooms.empty()) return;
    cluster_->hand_over(std::move(rooms), [this, move_room](std::vector<cluster::HandedOverRoom> moved) {
      asio::post(front_io_, [moved = std::move(moved), move_room] {
        for (const auto& m : moved) move_room(m.room, m.to.rtc_url());
      });
    });
  });
}

bool NodeRouter::runs_here(const std::string& room) const {
  std::lock_guard lock(rooms_mutex_);
  return local_rooms_.count(room) > 0;
}

bool NodeRouter::cascade_here(const std::string& room, const cluster::NodeEntry& home) {
  cluster::NodeEntry self;
  self.id = config_.node_id();
  self.region = config_.cluster_region;
  self.capacity = config_.cluster_capacity;
  self.participants = participants_.load();
  self.draining = draining_.load();
  if (cluster::route_room(self, home, bool(cascade_)) != cluster::RoomRoute::cascade) return false;
  {
    std::lock_guard lock(rooms_mutex_);
    cascaded_rooms_[room] = 0;
  }
  cascade_(room, home);
  return true;
}

NodeRouter::Status NodeRouter::status() const {
  Status s;
  s.cluster = cluster_ != nullptr;
  s.node_id = config_.node_id();
  s.region = config_.cluster_region;
  s.redis_up = cluster_ && cluster_->redis_up();
  s.draining = draining_.load();
  return s;
}

signal::JoinRouter NodeRouter::join_router() {
  return [this](const std::string& room, bool resume, std::function<void(signal::JoinRoute)> done) {
    if (!cluster_) {
      done(draining_ && !resume ? draining_refusal() : signal::JoinRoute{});
      return;
    }
    // Redis away: a room that runs here takes its joins (and resumes) without it.
    if (!cluster_->redis_up() && runs_here(room)) {
      done(draining_ && !resume ? draining_refusal() : signal::JoinRoute{});
      return;
    }
    // The first joiner's region is that of the node it reached (nearest, by DNS or load balancer).
    cluster_->place(room, config_.cluster_region,
                    [this, room, resume, done = std::move(done)](cluster::PlaceOutcome outcome) {
                      if (auto* failed = std::get_if<cluster::PlaceFailed>(&outcome)) {
                        if (failed->code == "cluster_unavailable" && runs_here(room))
                          return done(draining_ && !resume ? draining_refusal() : signal::JoinRoute{});
                        if (failed->code == "no_node")
                          return done(refused("node_draining", "every server is shutting down; try again"));
                        return done(refused("cluster_unavailable",
                                            "the cluster cannot place this room now (Redis unreachable); "
                                            "try again"));
                      }
                      auto& placed = std::get<cluster::Placed>(outcome);
                      if (!placed.here && cascade_here(room, placed.node))
                        return done(draining_ && !resume ? draining_refusal() : signal::JoinRoute{});
                      if (!placed.here) {
                        signal::JoinRoute r;
                        r.kind = signal::JoinRoute::Kind::relay;
                        r.url = placed.node.rtc_url();
                        return done(std::move(r));
                      }
                      done(draining_ && !resume ? draining_refusal() : signal::JoinRoute{});
                    });
  };
}

}  // namespace ct::app
