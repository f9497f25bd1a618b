#pragma once
// The bounded queue from the rooms to the webhook sender: many producers
// (each media worker's thread, the recording writer), one consumer (the
// sender's thread). Lock-free: a push is a compare-and-swap on the write
// index and a store, so a worker never waits for the sender or its network;
// when the ring is full the push fails and the caller counts a drop.
// Dmitry Vyukov's bounded queue: each cell carries a sequence number that
// says whose turn it is (a producer's at `pos`, the consumer's at `pos + 1`).
#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>

#include "webhook/WebhookEvent.hpp"

namespace ct::webhook {

class EventRing {
 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit EventRing(size_t capacity);
  EventRing(const EventRing&) = delete;
  EventRing& operator=(const EventRing&) = delete;

  // Any thread. False (and `event` untouched) when the ring is full.
  bool try_push(WebhookEvent& event);
  // The consumer's thread only. Nothing when empty.
  std::optional<WebhookEvent> try_pop();

  size_t capacity() const { return mask_ + 1; }
  // About how many events wait (exact when no push or pop runs).
  size_t size_approx() const;

 private:
  struct Cell {
    std::atomic<size_t> sequence{0};
    WebhookEvent event;
  };
  size_t mask_;
  std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<size_t> write_{0};
  alignas(64) std::atomic<size_t> read_{0};  // written by the consumer only
};

}  // namespace ct::webhook
