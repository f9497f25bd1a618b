#include "bwe/InterArrivalGroups.hpp"

#include <algorithm>

namespace ct::bwe {

void InterArrivalGroups::start_group(int64_t send_time_us, int64_t arrival_time_us) {
  current_ = {send_time_us, send_time_us, arrival_time_us, arrival_time_us};
  have_current_ = true;
}

bool InterArrivalGroups::belongs_to_burst(int64_t send_time_us, int64_t arrival_time_us) const {
  const int64_t arrival_delta = arrival_time_us - current_.last_arrival_us;
  const int64_t send_delta = send_time_us - current_.last_send_us;
  if (send_delta == 0) return true;
  const int64_t propagation_delta = arrival_delta - send_delta;
  // A packet arriving before the group's last was reordered, not released with it.
  return propagation_delta < 0 && arrival_delta >= 0 && arrival_delta <= kBurstUs &&
         arrival_time_us - current_.first_arrival_us < kMaxBurstDurationUs;
}

std::optional<GroupDelta> InterArrivalGroups::on_packet(int64_t send_time_us, int64_t arrival_time_us) {
  if (!have_current_) {
    start_group(send_time_us, arrival_time_us);
    return std::nullopt;
  }
  // A packet sent before the current group began was reordered: skip it.
  if (send_time_us < current_.first_send_us) return std::nullopt;
  const bool same_group =
      send_time_us - current_.first_send_us <= kBurstUs || belongs_to_burst(send_time_us, arrival_time_us);
  if (same_group) {
    current_.last_send_us = std::max(current_.last_send_us, send_time_us);
    current_.last_arrival_us = std::max(current_.last_arrival_us, arrival_time_us);
    return std::nullopt;
  }
  std::optional<GroupDelta> delta;
  if (have_previous_) {
    const GroupDelta d{current_.last_send_us - previous_.last_send_us,
                       current_.last_arrival_us - previous_.last_arrival_us, current_.last_arrival_us};
    if (d.arrival_delta_us < 0 || d.arrival_delta_us > kArrivalJumpUs) {
      // Reordered groups or a clock jump: nothing to learn across it.
      ++resets_;
      have_previous_ = false;
      start_group(send_time_us, arrival_time_us);
      return std::nullopt;
    }
    delta = d;
  }
  previous_ = current_;
  have_previous_ = true;
  start_group(send_time_us, arrival_time_us);
  return delta;
}

}  // namespace ct::bwe
