#pragma once
// At most one keyframe request (PLI, RFC 4585 §6.3.1, or FIR, RFC 5104 §4.3.1)
// upstream per interval per publication: every new subscriber and every
// decoder error downstream asks for a keyframe, and the publisher's encoder
// must not be flooded with them.
#include "core/Clock.hpp"

namespace ct::sfu {

class KeyframeRequestThrottle {
 public:
  explicit KeyframeRequestThrottle(Duration min_interval = milliseconds(500)) : min_interval_(min_interval) {}

  // True: send a request now (the time is remembered). False: one was sent
  // less than the interval ago; the keyframe it asked for serves this one too.
  bool allow(TimePoint now) {
    if (requested_ && now - last_ < min_interval_) return false;
    requested_ = true;
    last_ = now;
    return true;
  }
  void set_interval(Duration min_interval) { min_interval_ = min_interval; }
  Duration interval() const { return min_interval_; }
  // Forgets the last request, e.g. when the publisher's stream restarts.
  void reset() { requested_ = false; }

 private:
  Duration min_interval_;
  // A flag rather than std::optional: GCC 12 warns falsely (maybe-uninitialized) on the latter.
  bool requested_ = false;
  TimePoint last_{};
};

}  // namespace ct::sfu
