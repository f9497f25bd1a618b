// Which failures are retried, and how long the waits are.
#include <gtest/gtest.h>

#include "objectstore/RetryPolicy.hpp"

namespace ct::objectstore {
namespace {

using std::chrono::milliseconds;

TEST(RetryPolicy, RetriesTransportErrorsServerErrorsAndThrottling) {
  EXPECT_TRUE(RetryPolicy::retryable(0, ""));  // no answer: refused, reset, timed out
  EXPECT_TRUE(RetryPolicy::retryable(500, "InternalError"));
  EXPECT_TRUE(RetryPolicy::retryable(503, "SlowDown"));
  EXPECT_TRUE(RetryPolicy::retryable(502, ""));
  EXPECT_TRUE(RetryPolicy::retryable(429, ""));
  EXPECT_TRUE(RetryPolicy::retryable(400, "RequestTimeout"));
}

TEST(RetryPolicy, DoesNotRetryWhatWaitingCannotMend) {
  EXPECT_FALSE(RetryPolicy::retryable(403, "AccessDenied"));
  EXPECT_FALSE(RetryPolicy::retryable(403, "SignatureDoesNotMatch"));
  EXPECT_FALSE(RetryPolicy::retryable(404, "NoSuchBucket"));
  EXPECT_FALSE(RetryPolicy::retryable(400, "InvalidArgument"));
  EXPECT_FALSE(RetryPolicy::retryable(400, "EntityTooSmall"));
}

TEST(RetryPolicy, BoundsTheAttempts) {
  RetryPolicy policy({3, milliseconds(100), milliseconds(1000)});
  EXPECT_TRUE(policy.may_retry(1));
  EXPECT_TRUE(policy.may_retry(2));
  EXPECT_FALSE(policy.may_retry(3));
}

TEST(RetryPolicy, DelaysGrowExponentiallyUpToTheCapWithHalfOfEachJittered) {
  RetryPolicy policy({10, milliseconds(100), milliseconds(1000)});
  // The fixed half and the whole, for a draw of 0 and of almost 1.
  const std::pair<unsigned, long> expected[] = {{1, 100}, {2, 200}, {3, 400}, {4, 800}, {5, 1000}, {9, 1000}};
  for (const auto& [attempt, full] : expected) {
    EXPECT_EQ(policy.delay(attempt, 0.0), milliseconds(full / 2)) << attempt;
    EXPECT_EQ(policy.delay(attempt, 0.999999), milliseconds(full - 1)) << attempt;
    for (int i = 0; i < 50; ++i) {
      const auto d = policy.delay(attempt);
      EXPECT_GE(d, milliseconds(full / 2));
      EXPECT_LE(d, milliseconds(full));
    }
  }
  EXPECT_EQ(policy.delay(1000, 0.0), milliseconds(500)) << "no overflow far past the cap";
}

TEST(RetryPolicy, RandomDelaysSpreadOut) {
  RetryPolicy policy({10, milliseconds(1000), milliseconds(1000)});
  milliseconds lowest(10000), highest(0);
  for (int i = 0; i < 200; ++i) {
    const auto d = policy.delay(1);
    lowest = std::min(lowest, d);
    highest = std::max(highest, d);
  }
  EXPECT_LT(lowest, milliseconds(600));
  EXPECT_GT(highest, milliseconds(900));
}

}  // namespace
}  // namespace ct::objectstore
