// Scheduling of one URL's events, with the test as the network: one event
// of a room at a time and in order, rooms independent, retries after an
// exponential jittered wait on no answer / 5xx / 429, no retry on other
// 4xx, giving up on old events, and the bound that drops the oldest.
#include <gtest/gtest.h>

#include "webhook/DeliveryQueue.hpp"

namespace ct::webhook {
namespace {

const TimePoint kStart = TimePoint(seconds(1000));

std::shared_ptr<const WebhookEvent> event(const std::string& room, const std::string& id,
                                          TimePoint queued = kStart) {
  auto e = std::make_shared<WebhookEvent>();
  e->room = room;
  e->id = id;
  e->queued_at = queued;
  return e;
}

std::vector<std::string> ids(const std::vector<DeliveryQueue::Attempt>& attempts) {
  std::vector<std::string> out;
  for (const auto& a : attempts) out.push_back(a.event->id);
  return out;
}

DeliveryQueue::Settings settings() {
  DeliveryQueue::Settings s;
  s.retry.base_delay = milliseconds(100);
  s.retry.max_delay = milliseconds(1600);
  s.give_up_after = seconds(60);
  return s;
}

using V = std::vector<std::string>;

TEST(DeliveryQueue, OneRoomsEventsGoOneAtATimeInOrderAndRoomsDoNotWait) {
  DeliveryQueue q(settings());
  q.push(event("a", "a1"));
  q.push(event("a", "a2"));
  q.push(event("b", "b1"));
  q.push(event("a", "a3"));
  auto first = q.take_due(kStart);
  EXPECT_EQ(ids(first), (V{"a1", "b1"}));
  EXPECT_TRUE(q.take_due(kStart).empty()) << "a2 must wait for a1";
  EXPECT_FALSE(q.next_due()) << "nothing can go before an answer";

  // b's answer comes first; a is still waiting, b has nothing more.
  EXPECT_EQ(q.complete(first[1], 200, kStart), DeliveryQueue::Outcome::delivered);
  EXPECT_TRUE(q.take_due(kStart).empty());
  EXPECT_EQ(q.complete(first[0], 204, kStart), DeliveryQueue::Outcome::delivered);
  auto second = q.take_due(kStart);
  EXPECT_EQ(ids(second), (V{"a2"}));
  EXPECT_EQ(q.complete(second[0], 200, kStart), DeliveryQueue::Outcome::delivered);
  EXPECT_EQ(ids(q.take_due(kStart)), (V{"a3"}));
  EXPECT_EQ(q.size(), 1u);
}

TEST(DeliveryQueue, ServerErrorsAndNoAnswerAreRetriedAfterGrowingWaitsThenDelivered) {
  DeliveryQueue q(settings());
  q.push(event("a", "a1"));
  q.push(event("a", "a2"));
  TimePoint now = kStart;
  Duration expected_max = milliseconds(100);
  for (long status : {500L, 0L, 503L, 429L}) {
    auto due = q.take_due(now);
    ASSERT_EQ(ids(due), (V{"a1"}));
    EXPECT_EQ(q.complete(due[0], status, now), DeliveryQueue::Outcome::retrying) << status;
    auto next = q.next_due();
    ASSERT_TRUE(next);
    // Equal jitter: between half the exponential delay and all of it.
    EXPECT_GE(*next - now, expected_max / 2) << status;
    EXPECT_LE(*next - now, expected_max) << status;
    EXPECT_TRUE(q.take_due(*next - milliseconds(1)).empty()) << "retried before its time";
    now = *next;
    expected_max *= 2;
  }
  auto due = q.take_due(now);
  ASSERT_EQ(ids(due), (V{"a1"}));
  EXPECT_EQ(due[0].number, 5u);
  EXPECT_EQ(q.complete(due[0], 200, now), DeliveryQueue::Outcome::delivered);
  due = q.take_due(now);
  ASSERT_EQ(ids(due), (V{"a2"}));
  EXPECT_EQ(due[0].number, 1u) << "the next event starts its own count";
}

TEST(DeliveryQueue, AClientErrorFailsAtOnceAndTheNextEventGoes) {
  DeliveryQueue q(settings());
  q.push(event("a", "a1"));
  q.push(event("a", "a2"));
  auto due = q.take_due(kStart);
  EXPECT_EQ(q.complete(due[0], 400, kStart), DeliveryQueue::Outcome::failed);
  EXPECT_EQ(ids(q.take_due(kStart)), (V{"a2"}));
}

TEST(DeliveryQueue, AnEventOlderThanTheLimitIsGivenUp) {
  DeliveryQueue q(settings());
  q.push(event("a", "a1"));
  q.push(event("a", "a2", kStart + seconds(50)));
  auto due = q.take_due(kStart);
  EXPECT_EQ(q.complete(due[0], 500, kStart + seconds(59)), DeliveryQueue::Outcome::retrying);
  due = q.take_due(kStart + seconds(61));
  ASSERT_EQ(ids(due), (V{"a1"}));
  EXPECT_EQ(q.complete(due[0], 500, kStart + seconds(61)), DeliveryQueue::Outcome::failed);
  // The next one is younger: it is still retried.
  due = q.take_due(kStart + seconds(61));
  ASSERT_EQ(ids(due), (V{"a2"}));
  EXPECT_EQ(q.complete(due[0], 0, kStart + seconds(61)), DeliveryQueue::Outcome::retrying);
}

TEST(DeliveryQueue, WhenFullTheOldestWaitingEventIsDroppedNotTheOneInFlight) {
  auto s = settings();
  s.max_queued = 3;
  DeliveryQueue q(s);
  EXPECT_EQ(q.push(event("a", "a1")), 0u);
  auto due = q.take_due(kStart);  // a1 in flight
  EXPECT_EQ(q.push(event("b", "b1")), 0u);
  EXPECT_EQ(q.push(event("a", "a2")), 0u);
  EXPECT_EQ(q.push(event("a", "a3")), 1u);  // b1 is the oldest not in flight
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.push(event("b", "b2")), 1u);  // then a2
  EXPECT_EQ(q.complete(due[0], 200, kStart), DeliveryQueue::Outcome::delivered);
  EXPECT_EQ(ids(q.take_due(kStart)), (V{"a3", "b2"}));
}

TEST(DeliveryQueue, AStrangeAnswerIsIgnored) {
  DeliveryQueue q(settings());
  q.push(event("a", "a1"));
  DeliveryQueue::Attempt stranger{"a", 99, event("a", "x"), 1};
  EXPECT_EQ(q.complete(stranger, 200, kStart), DeliveryQueue::Outcome::failed);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(ids(q.take_due(kStart)), (V{"a1"}));
}

}  // namespace
}  // namespace ct::webhook
