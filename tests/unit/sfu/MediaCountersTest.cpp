#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstring>

#include "sfu/MediaCounters.hpp"

namespace ct::sfu {
namespace {

// MediaCounters is counters up to its first distribution; seen as an array,
// every one of them can be checked, so a counter added later cannot be
// forgotten in +=.
constexpr size_t kCounters = offsetof(MediaCounters, forward_latency) / sizeof(uint64_t);
static_assert(offsetof(MediaCounters, forward_latency) == kCounters * sizeof(uint64_t),
              "only uint64_t counters");
using Values = std::array<uint64_t, kCounters>;

MediaCounters with(const Values& values) {
  MediaCounters c;
  std::memcpy(static_cast<void*>(&c), values.data(), sizeof(values));
  return c;
}

Values counters_of(const MediaCounters& c) {
  Values v;
  std::memcpy(v.data(), static_cast<const void*>(&c), sizeof(v));
  return v;
}

TEST(MediaCounters, SumAddsEveryCounter) {
  Values a{}, b{};
  for (size_t i = 0; i < kCounters; ++i) {
    a[i] = i + 1;
    b[i] = 1000 * (i + 1);
  }
  auto sum = with(a);
  sum += with(b);
  Values got = counters_of(sum);
  for (size_t i = 0; i < kCounters; ++i) EXPECT_EQ(got[i], 1001 * (i + 1)) << "counter " << i;
}

TEST(MediaCounters, StartsAtZero) {
  for (auto v : counters_of(MediaCounters{})) EXPECT_EQ(v, 0u);
  EXPECT_EQ(MediaCounters{}.forward_latency.count(), 0u);
}

TEST(MediaCounters, SumAddsTheDistributions) {
  MediaCounters a, b;
  a.forward_latency.observe(0.0001);
  b.forward_latency.observe(0.2);
  b.subscriber_rtt.observe(0.03);
  b.publisher_rtt.observe(0.04);
  b.jitter.observe(0.003);
  a += b;
  EXPECT_EQ(a.forward_latency.count(), 2u);
  EXPECT_EQ(a.forward_latency.counts().back(), 1u);  // 0.2 s: above the last bound
  EXPECT_EQ(a.subscriber_rtt.count(), 1u);
  EXPECT_EQ(a.publisher_rtt.count(), 1u);
  EXPECT_EQ(a.jitter.count(), 1u);
}

}  // namespace
}  // namespace ct::sfu
