#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <thread>

#include "FakeClusterStore.hpp"
#include "cluster/ClusterNode.hpp"

using namespace ct::cluster;
using namespace std::chrono_literals;
using ct::cluster::testing::FakeClusterStore;

namespace {

// The fake store behind a lock: the cluster thread uses it while the test
// looks at it and changes it.
struct Shared {
  std::mutex mutex;
  FakeClusterStore store;
};

class LockedStore : public ClusterStore {
 public:
  explicit LockedStore(std::shared_ptr<Shared> s) : s_(std::move(s)) {}
  void register_node(const NodeEntry& self, std::chrono::seconds ttl) override {
    std::lock_guard l(s_->mutex);
    s_->store.register_node(self, ttl);
  }
  void unregister_node(const std::string& id) override {
    std::lock_guard l(s_->mutex);
    s_->store.unregister_node(id);
  }
  std::vector<NodeEntry> live_nodes() override {
    std::lock_guard l(s_->mutex);
    return s_->store.live_nodes();
  }
  std::optional<std::string> room_owner(const std::string& room) override {
    std::lock_guard l(s_->mutex);
    return s_->store.room_owner(room);
  }
  bool claim_room(const std::string& room, const std::string& node) override {
    std::lock_guard l(s_->mutex);
    return s_->store.claim_room(room, node);
  }
  bool take_over_room(const std::string& room, const std::string& from, const std::string& to) override {
    std::lock_guard l(s_->mutex);
    return s_->store.take_over_room(room, from, to);
  }
  void release_room(const std::string& room, const std::string& node) override {
    std::lock_guard l(s_->mutex);
    s_->store.release_room(room, node);
  }

 private:
  std::shared_ptr<Shared> s_;
};

ClusterNodeConfig config(std::string id) {
  ClusterNodeConfig c;
  c.self.id = std::move(id);
  c.self.url = "http://127.0.0.1:7880";
  c.self.region = "eu";
  c.self.capacity = 100;
  c.refresh = 10ms;
  c.place_retry = {5ms, 5ms, 5ms};
  c.recheck_every = 1000;
  return c;
}

PlaceOutcome place(ClusterNode& node, const std::string& room) {
  std::promise<PlaceOutcome> p;
  auto f = p.get_future();
  node.place(room, "", [&p](PlaceOutcome o) { p.set_value(std::move(o)); });
  return f.get();
}

template <class F>
bool eventually(std::shared_ptr<Shared>& s, F f) {
  for (int i = 0; i < 300; ++i) {
    {
      std::lock_guard l(s->mutex);
      if (f(s->store)) return true;
    }
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST(ClusterNode, RegistersWithItsLoadAndLeavesOnStop) {
  auto shared = std::make_shared<Shared>();
  ClusterNode node(config("a"), std::make_unique<LockedStore>(shared));
  node.update_load({7, 1200, 0.5, {"r1", "r2"}});
  node.start();
  ASSERT_TRUE(eventually(shared, [](FakeClusterStore& s) {
    return s.nodes.count("a") && s.nodes.at("a").participants == 7 && s.nodes.at("a").rooms == 2;
  }));
  EXPECT_TRUE(node.redis_up());
  node.set_draining();
  ASSERT_TRUE(eventually(shared, [](FakeClusterStore& s) { return s.nodes.at("a").draining; }));
  node.stop();
  EXPECT_EQ(shared->store.nodes.count("a"), 0u);
}

TEST(ClusterNode, PlacesARoomHereOrOnTheLessLoadedNode) {
  auto shared = std::make_shared<Shared>();
  {
    std::lock_guard l(shared->mutex);
    shared->store.nodes["b"] = ct::cluster::testing::node("b", 60);
  }
  ClusterNode node(config("a"), std::make_unique<LockedStore>(shared));
  node.start();
  ASSERT_TRUE(eventually(shared, [](FakeClusterStore& s) { return s.nodes.count("a") > 0; }));
  auto here = std::get<Placed>(place(node, "standup"));
  EXPECT_TRUE(here.here);
  EXPECT_EQ(here.node.id, "a");
  {
    std::lock_guard l(shared->mutex);
    shared->store.rooms["retro"] = "b";
  }
  auto there = std::get<Placed>(place(node, "retro"));
  EXPECT_FALSE(there.here);
  EXPECT_EQ(there.node.id, "b");
}

TEST(ClusterNode, RetriesWhileRedisIsAwayThenRefusesClearly) {
  auto shared = std::make_shared<Shared>();
  shared->store.unreachable = true;
  ClusterNode node(config("a"), std::make_unique<LockedStore>(shared));
  node.start();
  int before;
  {
    std::lock_guard l(shared->mutex);
    before = shared->store.calls;
  }
  auto failed = std::get<PlaceFailed>(place(node, "standup"));
  EXPECT_EQ(failed.code, "cluster_unavailable");
  EXPECT_FALSE(node.redis_up());
  {
    std::lock_guard l(shared->mutex);
    EXPECT_GE(shared->store.calls - before, 4);  // the first try and three retries
  }
}

TEST(ClusterNode, ReclaimsItsRoomsWhenRedisReturnsEmpty) {
  auto shared = std::make_shared<Shared>();
  ClusterNode node(config("a"), std::make_unique<LockedStore>(shared));
  node.update_load({2, 0, 0, {"standup"}});
  node.start();
  ASSERT_TRUE(eventually(shared, [](FakeClusterStore& s) { return s.rooms.count("standup") > 0; }));
  {
    std::lock_guard l(shared->mutex);
    shared->store.unreachable = true;
  }
  ASSERT_TRUE(eventually(shared, [&](FakeClusterStore&) { return !node.redis_up(); }));
  {
    std::lock_guard l(shared->mutex);
    shared->store.rooms.clear();  // a restarted Redis without persistence
    shared->store.nodes.clear();
    shared->store.unreachable = false;
  }
  EXPECT_TRUE(eventually(shared, [](FakeClusterStore& s) {
    return s.nodes.count("a") && s.rooms.count("standup") && s.rooms.at("standup") == "a";
  }));
}

TEST(ClusterNode, AClosedRoomGivesItsClaimBack) {
  auto shared = std::make_shared<Shared>();
  ClusterNode node(config("a"), std::make_unique<LockedStore>(shared));
  node.update_load({1, 0, 0, {"standup"}});
  node.start();
  ASSERT_TRUE(eventually(shared, [](FakeClusterStore& s) { return s.rooms.count("standup") > 0; }));
  node.update_load({0, 0, 0, {}});
  EXPECT_TRUE(eventually(shared, [](FakeClusterStore& s) { return s.rooms.empty(); }));
}

TEST(ClusterNode, HandsItsRoomsToAnotherNodeWhenDraining) {
  auto shared = std::make_shared<Shared>();
  {
    std::lock_guard l(shared->mutex);
    shared->store.nodes["b"] = ct::cluster::testing::node("b", 10);
  }
  ClusterNode node(config("a"), std::make_unique<LockedStore>(shared));
  node.update_load({2, 0, 0, {"standup"}});
  node.start();
  ASSERT_TRUE(std::get<Placed>(place(node, "standup")).here);
  node.set_draining();
  std::promise<std::vector<HandedOverRoom>> p;
  auto f = p.get_future();
  node.hand_over({{"standup", 2}},
                 [&p](std::vector<HandedOverRoom> moved) { p.set_value(std::move(moved)); });
  auto moved = f.get();
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].to.id, "b");
  EXPECT_EQ(moved[0].to.rtc_url(), "ws://127.0.0.1:7880/rtc");
  std::lock_guard l(shared->mutex);
  EXPECT_EQ(shared->store.rooms.at("standup"), "b");
}

TEST(ClusterNode, ANewLoadIsWrittenAtOnce) {
  auto shared = std::make_shared<Shared>();
  auto c = config("a");
  c.refresh = std::chrono::hours(1);  // only update_load writes
  ClusterNode node(c, std::make_unique<LockedStore>(shared));
  node.start();
  ASSERT_TRUE(eventually(shared, [](FakeClusterStore& s) { return s.nodes.count("a") > 0; }));
  node.update_load({5, 300, 0.25, {"r1"}});
  ASSERT_TRUE(eventually(shared, [](FakeClusterStore& s) { return s.nodes.at("a").participants == 5; }));
  std::lock_guard l(shared->mutex);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_TRUE(shared->store.nodes.at("a").load_is_fresh(now_ms, 1000));
}

TEST(ClusterNode, TakesOverTheClaimOfADeadNodeOnARoomThatRunsHere) {
  auto shared = std::make_shared<Shared>();
  {
    std::lock_guard l(shared->mutex);
    shared->store.rooms["standup"] = "gone";  // its node's entry expired (Redis came back without it)
    shared->store.rooms["retro"] = "b";       // a live node's claim stays its own
    shared->store.nodes["b"] = ct::cluster::testing::node("b");
  }
  ClusterNode node(config("a"), std::make_unique<LockedStore>(shared));
  node.update_load({3, 0, 0, {"standup", "retro"}});
  node.start();
  ASSERT_TRUE(eventually(shared, [](FakeClusterStore& s) { return s.rooms.at("standup") == "a"; }));
  std::lock_guard l(shared->mutex);
  EXPECT_EQ(shared->store.rooms.at("retro"), "b");
}
