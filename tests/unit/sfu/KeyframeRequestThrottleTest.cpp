// KeyframeRequestThrottle: one request per interval.
#include "sfu/KeyframeRequestThrottle.hpp"

#include <gtest/gtest.h>

namespace ct::sfu {
namespace {

const TimePoint t0 = TimePoint{} + seconds(100);

TEST(KeyframeRequestThrottle, FirstRequestPassesThenOnePerInterval) {
  KeyframeRequestThrottle throttle(milliseconds(500));
  EXPECT_TRUE(throttle.allow(t0));
  EXPECT_FALSE(throttle.allow(t0));
  EXPECT_FALSE(throttle.allow(t0 + milliseconds(499)));
  EXPECT_TRUE(throttle.allow(t0 + milliseconds(500)));
  // Refused requests do not push the window.
  EXPECT_FALSE(throttle.allow(t0 + milliseconds(999)));
  EXPECT_TRUE(throttle.allow(t0 + milliseconds(1000)));
}

TEST(KeyframeRequestThrottle, IntervalCanChange) {
  KeyframeRequestThrottle throttle;
  EXPECT_EQ(throttle.interval(), milliseconds(500));
  EXPECT_TRUE(throttle.allow(t0));
  throttle.set_interval(milliseconds(100));
  EXPECT_TRUE(throttle.allow(t0 + milliseconds(100)));
  throttle.set_interval(seconds(2));
  EXPECT_FALSE(throttle.allow(t0 + seconds(1)));
  EXPECT_TRUE(throttle.allow(t0 + milliseconds(2100)));
}

TEST(KeyframeRequestThrottle, ResetAllowsImmediately) {
  KeyframeRequestThrottle throttle;
  EXPECT_TRUE(throttle.allow(t0));
  throttle.reset();
  EXPECT_TRUE(throttle.allow(t0 + milliseconds(1)));
}

TEST(KeyframeRequestThrottle, ZeroIntervalAlwaysAllows) {
  KeyframeRequestThrottle throttle(Duration::zero());
  EXPECT_TRUE(throttle.allow(t0));
  EXPECT_TRUE(throttle.allow(t0));
}

}  // namespace
}  // namespace ct::sfu
