#include <gtest/gtest.h>

#include <thread>

#include "signal/RequestLatency.hpp"

namespace ct::signal {
namespace {

TEST(RequestLatencyTest, EveryRequestTypeIsListedByNameInProtocolOrder) {
  RequestLatency latency;
  auto all = latency.snapshot();
  ASSERT_EQ(all.size(), RequestLatency::kTypes);
  EXPECT_EQ(all[0].type, "join");
  EXPECT_EQ(all[1].type, "offer");
  for (const auto& h : all) {
    uint64_t n = 0;
    for (auto c : h.counts) n += c;
    EXPECT_EQ(n, 0u) << h.type;
  }
}

TEST(RequestLatencyTest, ObservationsLandInTheirTypesBucket) {
  RequestLatency latency;
  latency.observe(0, microseconds(300));                     // join: under 0.5 ms
  latency.observe(0, milliseconds(3));                       // join: (2.5 ms, 5 ms]
  latency.observe(1, seconds(2));                            // offer: above every bound
  latency.observe(RequestLatency::kTypes, milliseconds(1));  // no such type: ignored
  auto all = latency.snapshot();
  EXPECT_EQ(all[0].counts[0], 1u);
  EXPECT_EQ(all[0].counts[3], 1u);
  EXPECT_NEAR(all[0].sum_seconds, 0.0033, 1e-9);
  EXPECT_EQ(all[1].counts.back(), 1u);
  EXPECT_NEAR(all[1].sum_seconds, 2.0, 1e-9);
}

TEST(RequestLatencyTest, ThreadsObserveWithoutLosingCounts) {
  RequestLatency latency;
  auto work = [&] {
    for (int i = 0; i < 10000; ++i) latency.observe(2, microseconds(100));
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  EXPECT_EQ(latency.snapshot()[2].counts[0], 20000u);
}

}  // namespace
}  // namespace ct::signal
