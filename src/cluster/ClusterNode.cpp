#include "cluster/ClusterNode.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cluster/RoomPlacer.hpp"
#include "core/Log.hpp"

namespace ct::cluster {

namespace asio = boost::asio;

struct ClusterNode::Timers {
  explicit Timers(asio::io_context& io) : refresh(io), work(asio::make_work_guard(io)) {}
  asio::steady_timer refresh;
  asio::executor_work_guard<asio::io_context::executor_type> work;
};

ClusterNode::ClusterNode(ClusterNodeConfig config, std::unique_ptr<ClusterStore> store)
    : config_(std::move(config)),
      store_(std::move(store)),
      io_(std::make_unique<asio::io_context>(1)),
      timers_(std::make_unique<Timers>(*io_)) {}

ClusterNode::~ClusterNode() { stop(); }

void ClusterNode::start() {
  asio::post(*io_, [this] { refresh(); });
  thread_ = std::thread([this] { io_->run(); });
}

void ClusterNode::stop() {
  if (!thread_.joinable()) return;
  asio::post(*io_, [this] {
    timers_->refresh.cancel();
    try {
      store_->unregister_node(config_.self.id);
      for (const auto& room : hosted_) store_->release_room(room, config_.self.id);
      spdlog::info("cluster: node '{}' left the registry", config_.self.id);
    } catch (const ClusterStoreError& e) {
      spdlog::warn("cluster: could not leave the registry ({}); the entry expires by itself", e.what());
    }
    timers_->work.reset();
    io_->stop();
  });
  thread_.join();
}

void ClusterNode::update_load(NodeLoad load) {
  {
    std::lock_guard lock(load_mutex_);
    load_ = std::move(load);
  }
  // Written at once, so the registry's load is never older than one sample.
  asio::post(*io_, [this] { refresh(); });
}

void ClusterNode::set_draining() {
  if (draining_.exchange(true)) return;
  asio::post(*io_, [this] { refresh(); });
}

void ClusterNode::note_redis(bool up, const char* what) {
  bool was = redis_up_.exchange(up);
  if (up && !was) {
    spdlog::info("cluster: node '{}' registered with Redis{}", config_.self.id, ever_up_ ? " again" : "");
    if (ever_up_) recheck_ = true;  // Redis may have lost our claims while it was away
    ever_up_ = true;
  } else if (!up && was) {
    spdlog::warn("cluster: Redis unreachable ({}); calls go on, joins for rooms not placed wait for it",
                 what);
  }
}

void ClusterNode::refresh() {
  NodeEntry self = config_.self;
  NodeLoad load;
  {
    std::lock_guard lock(load_mutex_);
    load = load_;
  }
  self.participants = load.participants;
  self.rooms = load.rooms.size();
  self.packets_per_second = load.packets_per_second;
  self.cpu = load.cpu;
  self.draining = draining_.load();
  self.updated_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
  try {
    store_->register_node(self, config_.ttl);
    note_redis(true, "");
    // Rooms that closed here give their claim back, so the name can be placed afresh.
    std::set<std::string> now(load.rooms.begin(), load.rooms.end());
    for (const auto& room : hosted_)
      if (!now.count(room)) store_->release_room(room, config_.self.id);
    hosted_ = std::move(now);
    if (recheck_ || ++refreshes_ % config_.recheck_every == 0) {
      check_claims(load.rooms);
      recheck_ = false;
    }
  } catch (const ClusterStoreError& e) {
    note_redis(false, e.what());
  }
  schedule_refresh();
}

void ClusterNode::schedule_refresh() {
  timers_->refresh.expires_after(config_.refresh);
  timers_->refresh.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) refresh();
  });
}

// Every room hosted here must be claimed by this node: claim what lost its
// claim (Redis came back empty), take over claims of dead nodes, and say so
// when a live node claims one of ours (the room is split until it empties).
void ClusterNode::check_claims(const std::vector<std::string>& rooms) {
  if (rooms.empty()) return;
  std::vector<NodeEntry> live = store_->live_nodes();
  for (const auto& room : rooms) {
    auto owner = store_->room_owner(room);
    if (owner == config_.self.id) continue;
    if (!owner) {
      if (store_->claim_room(room, config_.self.id))
        spdlog::info("cluster: claimed room '{}', which had no claim", room);
      continue;
    }
    bool alive = std::any_of(live.begin(), live.end(), [&](const NodeEntry& n) { return n.id == *owner; });
    if (!alive && store_->take_over_room(room, *owner, config_.self.id)) {
      spdlog::info("cluster: took room '{}' over from dead node '{}'", room, *owner);
    } else if (alive && !handed_over_.count(room)) {
      spdlog::warn("cluster: room '{}' runs here but node '{}' claims it", room, *owner);
    }
  }
}

void ClusterNode::place(std::string room, std::string preferred_region,
                        std::function<void(PlaceOutcome)> done) {
  asio::post(*io_, [this, room = std::move(room), region = std::move(preferred_region),
                    done = std::move(done)]() mutable {
    attempt_place(std::move(room), std::move(region), std::move(done), 0);
  });
}

void ClusterNode::attempt_place(std::string room, std::string region, std::function<void(PlaceOutcome)> done,
                                size_t attempt) {
  try {
    PlacementResult r = place_room(*store_, room, region);
    note_redis(true, "");
    if (auto* refused = std::get_if<PlacementRefused>(&r)) {
      done(PlaceFailed{refused->reason});
      return;
    }
    NodeEntry& node = std::get<NodeEntry>(r);
    bool here = node.id == config_.self.id;
    done(Placed{std::move(node), here});
  } catch (const ClusterStoreError& e) {
    note_redis(false, e.what());
    if (attempt >= config_.place_retry.size()) {
      done(PlaceFailed{"cluster_unavailable"});
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(*io_, config_.place_retry[attempt]);
    timer->async_wait([this, timer, room = std::move(room), region = std::move(region),
                       done = std::move(done), attempt](const boost::system::error_code& ec) mutable {
      if (ec) {
        done(PlaceFailed{"cluster_unavailable"});
        return;
      }
      attempt_place(std::move(room), std::move(region), std::move(done), attempt + 1);
    });
  }
}

void ClusterNode::hand_over(std::vector<HostedRoom> rooms,
                            std::function<void(std::vector<HandedOverRoom>)> done) {
  asio::post(*io_, [this, rooms = std::move(rooms), done = std::move(done)] {
    try {
      auto moved = hand_over_rooms(*store_, config_.self.id, rooms, config_.self.region);
      note_redis(true, "");
      for (const auto& m : moved) {
        handed_over_.insert(m.room);
        spdlog::info("cluster: room '{}' handed over to node '{}'", m.room, m.to.id);
      }
      done(std::move(moved));
    } catch (const ClusterStoreError& e) {
      note_redis(false, e.what());
      spdlog::warn("cluster: cannot hand rooms over ({}); the calls stay here", e.what());
      done({});
    }
  });
}

void ClusterNode::host_elsewhere(std::string room, std::function<void(std::optional<NodeEntry>)> done) {
  asio::post(*io_, [this, room = std::move(room), done = std::move(done)] {
    try {
      auto owner = store_->room_owner(room);
      std::optional<NodeEntry> host;
      if (owner && *owner != config_.self.id) {
        for (auto& n : store_->live_nodes())
          if (n.id == *owner) host = std::move(n);
      }
      note_redis(true, "");
      done(std::move(host));
    } catch (const ClusterStoreError& e) {
      note_redis(false, e.what());
      done(std::nullopt);
    }
  });
}

void ClusterNode::live_nodes(std::function<void(std::optional<std::vector<NodeEntry>>)> done) {
  asio::post(*io_, [this, done = std::move(done)] {
    try {
      auto nodes = store_->live_nodes();
      note_redis(true, "");
      done(std::move(nodes));
    } catch (const ClusterStoreError& e) {
      note_redis(false, e.what());
      done(std::nullopt);
    }
  });
}

}  // namespace ct::cluster
