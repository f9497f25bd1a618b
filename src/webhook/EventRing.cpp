#include "webhook/EventRing.hpp"

#include <bit>
#include <cstdint>

namespace ct::webhook {

EventRing::EventRing(size_t capacity)
    : mask_(std::bit_ceil(capacity < 2 ? size_t(2) : capacity) - 1),
      cells_(std::make_unique<Cell[]>(mask_ + 1)) {
  for (size_t i = 0; i <= mask_; ++i) cells_[i].sequence.store(i, std::memory_order_relaxed);
}

bool EventRing::try_push(WebhookEvent& event) {
  size_t pos = write_.load(std::memory_order_relaxed);
  Cell* cell;
  for (;;) {
    cell = &cells_[pos & mask_];
    const size_t sequence = cell->sequence.load(std::memory_order_acquire);
    const auto diff = intptr_t(sequence) - intptr_t(pos);
    if (diff == 0) {
      // The cell is free for position `pos`: claim the position.
      if (write_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
    } else if (diff < 0) {
      return false;  // the consumer has not yet freed this cell: full
    } else {
      pos = write_.load(std::memory_order_relaxed);  // another producer took it
    }
  }
  cell->event = std::move(event);
  cell->sequence.store(pos + 1, std::memory_order_release);  // the consumer's turn
  return true;
}

std::optional<WebhookEvent> EventRing::try_pop() {
  const size_t pos = read_.load(std::memory_order_relaxed);
  Cell& cell = cells_[pos & mask_];
  if (cell.sequence.load(std::memory_order_acquire) != pos + 1)
    return std::nullopt;  // empty, or being written
  std::optional<WebhookEvent> event(std::move(cell.event));
  cell.event = WebhookEvent{};
  cell.sequence.store(pos + mask_ + 1, std::memory_order_release);  // free for the producer one lap later
  read_.store(pos + 1, std::memory_order_relaxed);
  return event;
}

size_t EventRing::size_approx() const {
  const size_t w = write_.load(std::memory_order_relaxed), r = read_.load(std::memory_order_relaxed);
  return w > r ? w - r : 0;
}

}  // namespace ct::webhook
