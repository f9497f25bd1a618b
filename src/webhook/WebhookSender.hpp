#pragma once
// Webhooks (docs/api.md, "Webhooks"): what happens in the rooms, POSTed as
// JSON to every configured URL, signed (WebhookSigner), retried with backoff,
// in order per room (DeliveryQueue). The rooms' threads only render an event
// and push it into a lock-free ring (EventRing); one thread per server takes
// it from there and does all the network work, so the media path never waits
// for a receiver. Events that find the ring full are dropped and counted.
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sfu/RoomObserver.hpp"
#include "webhook/DeliveryQueue.hpp"
#include "webhook/EventRing.hpp"
#include "webhook/HttpPoster.hpp"
#include "webhook/WebhookSigner.hpp"

namespace ct::webhook {

class WebhookSender final : public sfu::RoomObserver {
 public:
  struct Settings {
    std::vector<std::string> urls;
    std::string api_key, api_secret;   // sign every request
    size_t intake_capacity = 4096;     // events between the rooms and this thread
    DeliveryQueue::Settings delivery;  // per URL
    std::chrono::milliseconds request_timeout{10000};
  };
  // Upper bounds (seconds) of the delivery latency histogram; one more bucket is +Inf.
  static constexpr std::array<double, 10> kLatencyBounds{0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60, 300};
  struct Stats {
    uint64_t delivered = 0, dropped = 0, failed = 0;  // per URL: an event to two URLs counts twice
    uint64_t queued = 0;                              // events waiting, all URLs and the intake
    std::array<uint64_t, kLatencyBounds.size() + 1> latency_buckets{};  // not cumulative; the last is +Inf
    double latency_sum_seconds = 0;
    uint64_t latency_count = 0;
  };

  // `poster` null: libcurl. Throws std::invalid_argument without a URL or a key.
  explicit WebhookSender(Settings settings, std::unique_ptr<HttpPoster> poster = nullptr);
  ~WebhookSender() override;
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void start();
  // Delivers what it can within `grace` (nothing new is retried after it), then stops the thread.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(2000));

  // Any thread; returns at once.
  void on_room_activity(const sfu::RoomActivity& activity) override;
  void enqueue(WebhookEvent event);

  Stats stats() const;

 private:
  struct Target;
  struct InFlight;
  void run();
  void take_intake();
  void send_due(std::vector<InFlight>& in_flight, uint64_t& next_id);
  void finish(const HttpPoster::Result& result, std::vector<InFlight>& in_flight);
  void record_latency(Duration latency);

  Settings settings_;
  WebhookSigner signer_;
  std::unique_ptr<HttpPoster> poster_;
  EventRing intake_;
  std::vector<std::unique_ptr<Target>> targets_;  // the sender thread's
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int64_t> stop_deadline_ns_{0};  // Clock time; set before stopping_
  std::atomic<bool> intake_overflowing_{false};

  std::atomic<uint64_t> delivered_{0}, dropped_{0}, failed_{0}, queued_{0};
  std::array<std::atomic<uint64_t>, kLatencyBounds.size() + 1> latency_buckets_{};
  std::atomic<uint64_t> latency_sum_us_{0};
};

}  // namespace ct::webhook
