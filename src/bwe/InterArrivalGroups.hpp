#pragma once
// Groups received packets into bursts and yields the delay variation between
// consecutive groups (draft-ietf-rmcat-gcc-02 §5.2): packets sent within
// 5 ms of a group's first packet belong to it, and so does a packet that
// arrives within 5 ms of the group's last one with a negative delay
// variation (a burst the network queued and released together).
#include <cstdint>
#include <optional>

namespace ct::bwe {

struct GroupDelta {
  int64_t send_delta_us = 0;     // between the groups' last send times
  int64_t arrival_delta_us = 0;  // between the groups' last arrival times
  int64_t arrival_time_us = 0;   // the newer group's last arrival
};

class InterArrivalGroups {
 public:
  static constexpr int64_t kBurstUs = 5'000;
  // A burst never spans more than this many microseconds of arrival.
  static constexpr int64_t kMaxBurstDurationUs = 100'000;
  // An arrival gap this long means the receiver's clock jumped: start over.
  static constexpr int64_t kArrivalJumpUs = 3'000'000;

  // Packets are given in the order the feedback reports them (sequence
  // order). Returns the delta when the packet completes a group that had a
  // predecessor.
  std::optional<GroupDelta> on_packet(int64_t send_time_us, int64_t arrival_time_us);

  uint64_t resets() const { return resets_; }

 private:
  struct Group {
    int64_t first_send_us = 0;
    int64_t last_send_us = 0;
    int64_t first_arrival_us = 0;
    int64_t last_arrival_us = 0;
  };

  bool belongs_to_burst(int64_t send_time_us, int64_t arrival_time_us) const;
  void start_group(int64_t send_time_us, int64_t arrival_time_us);

  bool have_current_ = false;
  bool have_previous_ = false;
  Group current_;
  Group previous_;
  uint64_t resets_ = 0;
};

}  // namespace ct::bwe
