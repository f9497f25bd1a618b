// The lock-free ring between the rooms and the webhook sender: first in,
// first out; a full ring refuses the push and leaves the event with the
// caller; several producer threads lose nothing and keep each one's order.
#include <gtest/gtest.h>

#include <thread>

#include "webhook/EventRing.hpp"

namespace ct::webhook {
namespace {

WebhookEvent event(std::string room, std::string id) {
  WebhookEvent e;
  e.room = std::move(room);
  e.id = std::move(id);
  return e;
}

TEST(EventRing, FirstInFirstOutAndFullRefuses) {
  EventRing ring(3);  // rounds up to 4
  EXPECT_EQ(ring.capacity(), 4u);
  EXPECT_FALSE(ring.try_pop());
  for (int i = 0; i < 4; ++i) {
    auto e = event("r", std::to_string(i));
    EXPECT_TRUE(ring.try_push(e));
  }
  auto extra = event("r", "4");
  EXPECT_FALSE(ring.try_push(extra));
  EXPECT_EQ(extra.id, "4") << "a refused event stays with the caller";
  EXPECT_EQ(ring.size_approx(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(ring.try_pop()->id, std::to_string(i));
  EXPECT_FALSE(ring.try_pop());
  // Round and round: positions wrap.
  for (int lap = 0; lap < 10; ++lap) {
    auto e = event("r", "lap" + std::to_string(lap));
    ASSERT_TRUE(ring.try_push(e));
    EXPECT_EQ(ring.try_pop()->id, "lap" + std::to_string(lap));
  }
}

TEST(EventRing, ManyProducersLoseNothingAndKeepTheirOwnOrder) {
  EventRing ring(64);
  constexpr int kProducers = 4, kEach = 5000;
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&ring, p] {
      for (int i = 0; i < kEach; ++i) {
        auto e = event(std::to_string(p), std::to_string(i));
        while (!ring.try_push(e)) std::this_thread::yield();
      }
    });
  }
  std::vector<int> next(kProducers, 0);
  int received = 0;
  while (received < kProducers * kEach) {
    auto e = ring.try_pop();
    if (!e) {
      std::this_thread::yield();
      continue;
    }
    int p = std::stoi(e->room);
    ASSERT_EQ(std::stoi(e->id), next[p]) << "producer " << p << " out of order";
    ++next[p];
    ++received;
  }
  for (auto& t : producers) t.join();
  EXPECT_FALSE(ring.try_pop());
}

}  // namespace
}  // namespace ct::webhook
