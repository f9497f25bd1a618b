#include <gtest/gtest.h>

#include <array>
#include <bit>

#include "sfu/MediaCounters.hpp"

namespace ct::sfu {
namespace {

// MediaCounters is nothing but counters; seen as an array, every one of them
// can be checked, so a counter added later cannot be forgotten in +=.
constexpr size_t kCounters = sizeof(MediaCounters) / sizeof(uint64_t);
static_assert(sizeof(MediaCounters) == kCounters * sizeof(uint64_t), "only uint64_t counters");
using Values = std::array<uint64_t, kCounters>;

TEST(MediaCounters, SumAddsEveryCounter) {
  Values a{}, b{};
  for (size_t i = 0; i < kCounters; ++i) {
    a[i] = i + 1;
    b[i] = 1000 * (i + 1);
  }
  auto sum = std::bit_cast<MediaCounters>(a);
  sum += std::bit_cast<MediaCounters>(b);
  Values got = std::bit_cast<Values>(sum);
  for (size_t i = 0; i < kCounters; ++i) EXPECT_EQ(got[i], 1001 * (i + 1)) << "counter " << i;
}

TEST(MediaCounters, StartsAtZero) {
  Values zero = std::bit_cast<Values>(MediaCounters{});
  for (auto v : zero) EXPECT_EQ(v, 0u);
}

}  // namespace
}  // namespace ct::sfu
