#include "webhook/WebhookSender.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/Log.hpp"
#include "webhook/CurlPoster.hpp"

namespace ct::webhook {

struct WebhookSender::Target {
  std::string url;
  DeliveryQueue queue;
  uint64_t dropped_in_burst = 0;  // since the receiver last took an event
  bool failing = false;           // its last attempt failed (logged once until one succeeds)
};

struct WebhookSender::InFlight {
  uint64_t id = 0;
  size_t target = 0;
  DeliveryQueue::Attempt attempt;
};

WebhookSender::WebhookSender(Settings settings, std::unique_ptr<HttpPoster> poster)
    : settings_(std::move(settings)),
      signer_(settings_.api_key, settings_.api_secret),
      poster_(poster ? std::move(poster) : std::make_unique<CurlPoster>(settings_.request_timeout)),
      intake_(settings_.intake_capacity) {
  if (settings_.urls.empty()) throw std::invalid_argument("webhooks need at least one URL");
  for (const auto& url : settings_.urls)
    targets_.push_back(std::make_unique<Target>(Target{url, DeliveryQueue(settings_.delivery)}));
}

WebhookSender::~WebhookSender() { stop(); }

void WebhookSender::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void WebhookSender::stop(std::chrono::milliseconds grace) {
  if (!thread_.joinable()) return;
  stop_deadline_ns_.store((Clock::now() + grace).time_since_epoch().count());
  stopping_.store(true);
  poster_->wake();
  thread_.join();
}

void WebhookSender::on_room_activity(const sfu::RoomActivity& activity) {
  enqueue(WebhookEvent::from_activity(activity));
}

void WebhookSender::enqueue(WebhookEvent event) {
  if (intake_.try_push(event)) {
    intake_overflowing_.store(false, std::memory_order_relaxed);
    poster_->wake();
    return;
  }
  dropped_.fetch_add(settings_.urls.size(), std::memory_order_relaxed);
  if (!intake_overflowing_.exchange(true, std::memory_order_relaxed))
    spdlog::warn("webhook: {} events wait to be sent; dropping new ones ({} first)", intake_.capacity(),
                 event.event);
}

WebhookSender::Stats WebhookSender::stats() const {
  Stats s;
  s.delivered = delivered_.load(std::memory_order_relaxed);
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.failed = failed_.load(std::memory_order_relaxed);
  s.queued = queued_.load(std::memory_order_relaxed) + intake_.size_approx() * targets_.size();
  for (size_t i = 0; i < s.latency_buckets.size(); ++i) {
    s.latency_buckets[i] = latency_buckets_[i].load(std::memory_order_relaxed);
    s.latency_count += s.latency_buckets[i];
  }
  s.latency_sum_seconds = double(latency_sum_us_.load(std::memory_order_relaxed)) / 1e6;
  return s;
}

void WebhookSender::record_latency(Duration latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  size_t bucket = 0;
  while (bucket < kLatencyBounds.size() && seconds > kLatencyBounds[bucket]) ++bucket;
  latency_buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  latency_sum_us_.fetch_add(
      uint64_t(std::max<int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(latency).count(), 0)),
      std::memory_order_relaxed);
}

void WebhookSender::take_intake() {
  while (auto event = intake_.try_pop()) {
    auto shared = std::make_shared<const WebhookEvent>(std::move(*event));
    for (auto& target : targets_) {
      if (target->queue.push(shared) == 0) continue;
      dropped_.fetch_add(1, std::memory_order_relaxed);
      if (target->dropped_in_burst++ == 0)
        spdlog::warn("webhook {}: {} events wait; dropping the oldest until it takes them again", target->url,
                     target->queue.size());
    }
  }
}

void WebhookSender::send_due(std::vector<InFlight>& in_flight, uint64_t& next_id) {
  const auto now = Clock::now();
  const auto wall = std::chrono::system_clock::now();
  for (size_t i = 0; i < targets_.size(); ++i) {
    for (auto& attempt : targets_[i]->queue.take_due(now)) {
      HttpPoster::Request request;
      request.id = next_id++;
      request.url = targets_[i]->url;
      request.body = attempt.event->body;
      request.headers = {"Content-Type: application/webhook+json",
                         "Authorization: " + signer_.authorization(request.body, wall)};
      poster_->start(std::move(request));
      in_flight.push_back(InFlight{next_id - 1, i, std::move(attempt)});
    }
  }
}

void WebhookSender::finish(const HttpPoster::Result& result, std::vector<InFlight>& in_flight) {
  auto it =
      std::find_if(in_flight.begin(), in_flight.end(), [&](const auto& f) { return f.id == result.id; });
  if (it == in_flight.end()) return;
  InFlight f = std::move(*it);
  in_flight.erase(it);
  Target& target = *targets_[f.target];
  const auto now = Clock::now();
  const auto& event = *f.attempt.event;
  const std::string why = result.status ? "HTTP " + std::to_string(result.status) : result.error;
  switch (target.queue.complete(f.attempt, result.status, now)) {
    case DeliveryQueue::Outcome::delivered:
      delivered_.fetch_add(1, std::memory_order_relaxed);
      record_latency(now - event.queued_at);
      if (target.failing || target.dropped_in_burst > 0)
        spdlog::info("webhook {}: delivering again{}", target.url,
                     target.dropped_in_burst
                         ? " (" + std::to_string(target.dropped_in_burst) + " events dropped)"
                         : std::string());
      target.failing = false;
      target.dropped_in_burst = 0;
      break;
    case DeliveryQueue::Outcome::retrying:
      if (!target.failing) spdlog::warn("webhook {}: {} (will retry)", target.url, why);
      target.failing = true;
      break;
    case DeliveryQueue::Outcome::failed:
      failed_.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("webhook {}: gave up {} {} of room '{}' after {} attempts: {}", target.url, event.event,
                   event.id, event.room, f.attempt.number, why);
      break;
  }
}

void WebhookSender::run() {
  std::vector<InFlight> in_flight;
  uint64_t next_id = 1;
  for (;;) {
    take_intake();
    const bool stopping = stopping_.load();
    const auto now = Clock::now();
    const TimePoint deadline{Duration(stop_deadline_ns_.load())};
    if (stopping && now >= deadline) break;
    send_due(in_flight, next_id);
    uint64_t queued = 0;
    for (const auto& t : targets_) queued += t->queue.size();
    queued_.store(queued, std::memory_order_relaxed);
    if (stopping && queued == 0) break;

    auto wait = std::chrono::milliseconds(1000);
    for (const auto& t : targets_) {
      if (auto due = t->queue.next_due())
        wait =
            std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(std::max(*due - now, Duration(0))));
    }
    if (stopping) wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
    for (const auto& result : poster_->wait(wait)) finish(result, in_flight);
  }
  if (!in_flight.empty() || queued_.load() > 0)
    spdlog::warn("webhook: stopped with {} events undelivered", queued_.load());
}

}  // namespace ct::webhook
