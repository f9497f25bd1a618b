#include <gtest/gtest.h>

#include "signal/ApiRateLimiter.hpp"

namespace ct::signal {
namespace {

TEST(ApiRateLimiter, EachAddressHasItsOwnBurstThenWaits) {
  ApiRateLimiter limiter(2, 3);
  TimePoint t0{};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.retry_after("10.0.0.1", t0), 0u) << i;
  EXPECT_EQ(limiter.retry_after("10.0.0.1", t0), 1u);  // half a second to the next token, rounded up
  EXPECT_EQ(limiter.retry_after("10.0.0.2", t0), 0u);  // someone else is not held back
  EXPECT_EQ(limiter.retry_after("10.0.0.1", t0 + milliseconds(500)), 0u);
  EXPECT_GT(limiter.retry_after("10.0.0.1", t0 + milliseconds(500)), 0u);
}

TEST(ApiRateLimiter, RetryAfterCoversTheWait) {
  ApiRateLimiter limiter(0.1, 1);  // one request per ten seconds
  TimePoint t0{};
  EXPECT_EQ(limiter.retry_after("a", t0), 0u);
  EXPECT_EQ(limiter.retry_after("a", t0), 10u);
  unsigned wait = limiter.retry_after("a", t0 + seconds(4));  // 6 s left, give or take rounding
  EXPECT_GE(wait, 6u);
  EXPECT_LE(wait, 7u);
  EXPECT_EQ(limiter.retry_after("a", t0 + seconds(10)), 0u);
}

TEST(ApiRateLimiter, ManyAddressesStayBounded) {
  ApiRateLimiter limiter(10, 10);
  TimePoint t{};
  for (size_t i = 0; i < ApiRateLimiter::kMaxAddresses + 500; ++i) {
    limiter.retry_after("addr" + std::to_string(i), t);
    t += milliseconds(1);
  }
  EXPECT_LE(limiter.addresses(), ApiRateLimiter::kMaxAddresses);
}

}  // namespace
}  // namespace ct::signal
