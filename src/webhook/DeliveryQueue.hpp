#pragma once
// The events waiting for one webhook URL, and when each may be tried. Events
// of one room go out one at a time, in order: the next waits until the one
// before is delivered or has finally failed. Rooms do not wait for each
// other. A failed attempt that may heal (no answer, 5xx, 408, 429: the
// RecordingUploader's RetryPolicy) is tried again after an exponential,
// jittered wait, until the event is older than `give_up_after`; other
// answers fail it at once. When a receiver stays down and `max_queued`
// events wait, the oldest one not in flight is dropped for each new one.
// Pure logic: the caller sends the attempts and passes `now` in.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/Clock.hpp"
#include "objectstore/RetryPolicy.hpp"
#include "webhook/WebhookEvent.hpp"

namespace ct::webhook {

class DeliveryQueue {
 public:
  struct Settings {
    size_t max_queued = 1000;               // waiting and in flight
    Duration give_up_after = seconds(300);  // counted from the event's queued_at
    objectstore::RetryPolicy::Settings retry{1u << 30, milliseconds(500), milliseconds(30000)};
  };
  struct Attempt {
    std::string room;
    uint64_t seq = 0;
    std::shared_ptr<const WebhookEvent> event;
    unsigned number = 1;  // 1 for the first try
  };
  enum class Outcome { delivered, retrying, failed };

  explicit DeliveryQueue(Settings settings);

  // Adds an event behind its room's others. Returns how many events were
  // dropped to make room (0 or 1).
  size_t push(std::shared_ptr<const WebhookEvent> event);
  // The first event of every room that has none in flight, whose wait (if
  // it failed before) is over. They are in flight from now on.
  std::vector<Attempt> take_due(TimePoint now);
  // The answer to an attempt: an HTTP status, or 0 when none came.
  Outcome complete(const Attempt& attempt, long http_status, TimePoint now);
  // When take_due will next return something (`now` or earlier if already);
  // nothing while every room waits for an answer or none waits at all.
  std::optional<TimePoint> next_due() const;

  size_t size() const { return size_; }
  size_t in_flight() const { return in_flight_; }

 private:
  struct Entry {
    uint64_t seq = 0;
    std::shared_ptr<const WebhookEvent> event;
  };
  struct Line {
    std::deque<Entry> events;
    bool in_flight = false;  // events.front() is being sent
    unsigned attempts = 0;   // of events.front()
    TimePoint retry_at{};
  };
  void drop_oldest();
  void pop_front(std::map<std::string, Line>::iterator line);

  Settings settings_;
  objectstore::RetryPolicy retry_;
  std::map<std::string, Line> lines_;  // by room
  uint64_t next_seq_ = 0;
  size_t size_ = 0;
  size_t in_flight_ = 0;
};

}  // namespace ct::webhook
