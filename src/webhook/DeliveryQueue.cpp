#include "webhook/DeliveryQueue.hpp"

namespace ct::webhook {

DeliveryQueue::DeliveryQueue(Settings settings) : settings_(settings), retry_(settings.retry) {
  if (settings_.max_queued == 0) settings_.max_queued = 1;
}

size_t DeliveryQueue::push(std::shared_ptr<const WebhookEvent> event) {
  size_t dropped = 0;
  if (size_ >= settings_.max_queued && size_ > in_flight_) {
    drop_oldest();
    dropped = 1;
  }
  lines_[event->room].events.push_back(Entry{next_seq_++, std::move(event)});
  ++size_;
  return dropped;
}

void DeliveryQueue::drop_oldest() {
  // The oldest event that is not being sent: some room's first, or its
  // second when the first is in flight.
  auto oldest = lines_.end();
  size_t index = 0;
  uint64_t best = UINT64_MAX;
  for (auto it = lines_.begin(); it != lines_.end(); ++it) {
    const size_t i = it->second.in_flight ? 1 : 0;
    if (it->second.events.size() > i && it->second.events[i].seq < best) {
      best = it->second.events[i].seq;
      oldest = it;
      index = i;
    }
  }
  if (oldest == lines_.end()) return;
  if (index == 0) {
    pop_front(oldest);
  } else {
    oldest->second.events.erase(oldest->second.events.begin() + ptrdiff_t(index));
    --size_;
  }
}

void DeliveryQueue::pop_front(std::map<std::string, Line>::iterator line) {
  line->second.events.pop_front();
  line->second.attempts = 0;
  line->second.retry_at = {};
  --size_;
  if (line->second.events.empty() && !line->second.in_flight) lines_.erase(line);
}

std::vector<DeliveryQueue::Attempt> DeliveryQueue::take_due(TimePoint now) {
  std::vector<Attempt> due;
  for (auto& [room, line] : lines_) {
    if (line.in_flight || line.events.empty() || line.retry_at > now) continue;
    line.in_flight = true;
    ++line.attempts;
    ++in_flight_;
    due.push_back(Attempt{room, line.events.front().seq, line.events.front().event, line.attempts});
  }
  return due;
}

DeliveryQueue::Outcome DeliveryQueue::complete(const Attempt& attempt, long http_status, TimePoint now) {
  auto it = lines_.find(attempt.room);
  if (it == lines_.end() || !it->second.in_flight || it->second.events.empty() ||
      it->second.events.front().seq != attempt.seq)
    return Outcome::failed;  // not an attempt of ours
  Line& line = it->second;
  line.in_flight = false;
  --in_flight_;
  if (http_status >= 200 && http_status < 300) {
    pop_front(it);
    return Outcome::delivered;
  }
  const bool too_old = now - attempt.event->queued_at >= settings_.give_up_after;
  if (objectstore::RetryPolicy::retryable(http_status, {}) && !too_old && retry_.may_retry(line.attempts)) {
    line.retry_at = now + retry_.delay(line.attempts);
    return Outcome::retrying;
  }
  pop_front(it);
  return Outcome::failed;
}

std::optional<TimePoint> DeliveryQueue::next_due() const {
  std::optional<TimePoint> next;
  for (const auto& [room, line] : lines_) {
    if (line.in_flight || line.events.empty()) continue;
    if (!next || line.retry_at < *next) next = line.retry_at;
  }
  return next;
}

}  // namespace ct::webhook
