#pragma once
// The one monotonic clock the media path uses. Protocol code takes `now` as a
// parameter instead of reading the clock, so tests can drive time.
#include <chrono>

namespace ct {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::microseconds;

}  // namespace ct
