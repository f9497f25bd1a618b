#include "core/TokenBucket.hpp"

#include <gtest/gtest.h>

#include <limits>

using ct::TimePoint;
using ct::TokenBucket;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {
const TimePoint kStart = TimePoint{} + seconds(1000);
}

TEST(TokenBucket, StartsFullAndAllowsTheBurst) {
  TokenBucket bucket(1.0, 5.0);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(bucket.try_take(kStart)) << i;
  EXPECT_FALSE(bucket.try_take(kStart));
}

TEST(TokenBucket, RefillsAtTheRate) {
  TokenBucket bucket(10.0, 2.0);
  EXPECT_TRUE(bucket.try_take(kStart));
  EXPECT_TRUE(bucket.try_take(kStart));
  EXPECT_FALSE(bucket.try_take(kStart));
  EXPECT_FALSE(bucket.try_take(kStart + milliseconds(50)));  // half a token
  EXPECT_TRUE(bucket.try_take(kStart + milliseconds(100)));
  EXPECT_FALSE(bucket.try_take(kStart + milliseconds(100)));
  // Ten steps of 0.1 s at 10/s are ten tokens, despite floating point.
  TimePoint t = kStart + milliseconds(100);
  int taken = 0;
  for (int i = 0; i < 10; ++i) {
    t += milliseconds(100);
    if (bucket.try_take(t)) ++taken;
  }
  EXPECT_EQ(taken, 10);
}

TEST(TokenBucket, NeverHoldsMoreThanTheBurst) {
  TokenBucket bucket(100.0, 3.0);
  EXPECT_TRUE(bucket.try_take(kStart, 3));
  EXPECT_DOUBLE_EQ(bucket.available(kStart + seconds(3600)), 3.0);
  EXPECT_TRUE(bucket.try_take(kStart + seconds(3600), 3));
  EXPECT_FALSE(bucket.try_take(kStart + seconds(3600), 0.5));
}

TEST(TokenBucket, SteadyRateOverALongRun) {
  TokenBucket bucket(5.0, 1.0);
  int allowed = 0;
  // One attempt per millisecond for 60 s: at most burst + rate * 60.
  for (int ms = 0; ms < 60'000; ++ms) {
    if (bucket.try_take(kStart + milliseconds(ms))) ++allowed;
  }
  EXPECT_GE(allowed, 300);
  EXPECT_LE(allowed, 301);
}

TEST(TokenBucket, CostsAreFractionalAndBounded) {
  TokenBucket bucket(1.0, 4.0);
  EXPECT_TRUE(bucket.try_take(kStart, 2.5));
  EXPECT_TRUE(bucket.try_take(kStart, 1.5));
  EXPECT_FALSE(bucket.try_take(kStart, 0.1));
  EXPECT_TRUE(bucket.try_take(kStart, 0));  // free actions always pass
  TokenBucket fresh(1.0, 4.0);
  EXPECT_FALSE(fresh.try_take(kStart, 4.5));  // more than the burst: never
  EXPECT_FALSE(fresh.try_take(kStart, -1));   // would mint tokens
  EXPECT_FALSE(fresh.try_take(kStart, std::numeric_limits<double>::quiet_NaN()));
  EXPECT_FALSE(fresh.try_take(kStart, std::numeric_limits<double>::infinity()));
  EXPECT_DOUBLE_EQ(fresh.available(kStart), 4.0);
}

TEST(TokenBucket, ClockGoingBackwardsRefillsNothing) {
  TokenBucket bucket(1.0, 2.0);
  EXPECT_TRUE(bucket.try_take(kStart + seconds(10), 2));
  EXPECT_FALSE(bucket.try_take(kStart));
  EXPECT_FALSE(bucket.try_take(kStart + seconds(10)));
  // The time base stayed at the latest instant seen.
  EXPECT_TRUE(bucket.try_take(kStart + seconds(11)));
}

TEST(TokenBucket, DegenerateParameters) {
  TokenBucket never_refills(0.0, 1.0);
  EXPECT_TRUE(never_refills.try_take(kStart));
  EXPECT_FALSE(never_refills.try_take(kStart + seconds(1'000'000)));
  TokenBucket empty(std::numeric_limits<double>::quiet_NaN(), -3.0);
  EXPECT_EQ(empty.rate_per_second(), 0.0);
  EXPECT_EQ(empty.burst(), 0.0);
  EXPECT_FALSE(empty.try_take(kStart));
  TokenBucket huge_rate(std::numeric_limits<double>::max(), 2.0);
  EXPECT_TRUE(huge_rate.try_take(kStart, 2));
  EXPECT_TRUE(huge_rate.try_take(kStart + seconds(1), 2));
}
