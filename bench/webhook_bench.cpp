// The webhooks' cost on a media worker's thread, per event, side by side in
// one run: rendering the JSON body, the lock-free ring's push and pop against
// a mutex-guarded deque's, and the whole of WebhookSender::on_room_activity
// (render, push, and the wake-up of the sender thread) with its sender
// running against a URL where nothing listens.
#include <benchmark/benchmark.h>

#include <deque>
#include <mutex>

#include "webhook/EventRing.hpp"
#include "webhook/WebhookSender.hpp"

namespace {

using namespace ct;

sfu::RoomActivity track_published() {
  sfu::RoomActivity a;
  a.kind = sfu::RoomActivity::Kind::track_published;
  a.room = "standup";
  a.room_sid = "RM_q8Jd2LkP0sWz";
  a.room_created = a.at = std::chrono::system_clock::now();
  a.participant.identity = "alice@example.com";
  a.participant.name = "Alice Example";
  a.track.sid = "TR_VkD3nC8pQeR2";
  a.track.kind = "video";
  a.track.source = "camera";
  a.track.codec = "VP8";
  a.track.rids = {"q", "h", "f"};
  return a;
}

void BM_RenderEvent(benchmark::State& state) {
  const auto a = track_published();
  for (auto _ : state) benchmark::DoNotOptimize(webhook::WebhookEvent::from_activity(a));
}
BENCHMARK(BM_RenderEvent);

void BM_RingPushPop(benchmark::State& state) {
  webhook::EventRing ring(4096);
  auto event = webhook::WebhookEvent::from_activity(track_published());
  for (auto _ : state) {
    ring.try_push(event);
    event = std::move(*ring.try_pop());
  }
}
BENCHMARK(BM_RingPushPop);

void BM_MutexDequePushPop(benchmark::State& state) {
  std::mutex mutex;
  std::deque<webhook::WebhookEvent> queue;
  auto event = webhook::WebhookEvent::from_activity(track_published());
  for (auto _ : state) {
    {
      std::lock_guard lock(mutex);
      queue.push_back(std::move(event));
    }
    std::lock_guard lock(mutex);
    event = std::move(queue.front());
    queue.pop_front();
  }
}
BENCHMARK(BM_MutexDequePushPop);

void BM_SenderOnRoomActivity(benchmark::State& state) {
  webhook::WebhookSender::Settings settings;
  settings.urls = {"http://127.0.0.1:9/"};  // the discard port: refused at once
  settings.api_key = "key";
  settings.api_secret = "secret";
  webhook::WebhookSender sender(settings);
  sender.start();
  const auto a = track_published();
  for (auto _ : state) sender.on_room_activity(a);
  state.counters["dropped"] = double(sender.stats().dropped);
  sender.stop(std::chrono::milliseconds(0));
}
BENCHMARK(BM_SenderOnRoomActivity);

}  // namespace
