#include <gtest/gtest.h>

#include "net/ReceiveClock.hpp"

using namespace ct;
using namespace ct::net;

namespace {

constexpr int64_t kMs = 1'000'000;
// A wall clock 1.7e9 s after the epoch, a steady clock 1000 s after boot.
constexpr int64_t kWall = 1'700'000'000'000 * kMs;
const TimePoint kSteady = TimePoint{} + seconds(1000);

}  // namespace

TEST(ReceiveClock, ArrivalIsTheReadTimeLessTheStampsAge) {
  ReceiveClock clock;
  clock.sample(kSteady, kWall);
  EXPECT_EQ(clock.read_time(), kSteady);
  EXPECT_EQ(clock.arrival(kWall - 30 * kMs), kSteady - milliseconds(30));
  EXPECT_EQ(clock.arrival(kWall - 1), kSteady - std::chrono::nanoseconds(1));
}

TEST(ReceiveClock, WithoutAUsableStampArrivalIsTheReadTime) {
  ReceiveClock clock;
  clock.sample(kSteady, kWall);
  EXPECT_EQ(clock.arrival(std::nullopt), kSteady);
  // Stamped after the clocks were read: the readings' own spread.
  EXPECT_EQ(clock.arrival(kWall + 5 * kMs), kSteady);
  // Older than a datagram waits: the wall clock's error, not a delay.
  EXPECT_EQ(clock.arrival(kWall - 1500 * kMs), kSteady);
}

TEST(ReceiveClock, ABatchReadAfterTheWallClockSteppedIsNotTrusted) {
  ReceiveClock clock;
  clock.sample(kSteady, kWall);
  // 100 ms later on the steady clock, the wall clock was set 5 s back: a
  // datagram stamped before the step would seem to have arrived 5 s later.
  clock.sample(kSteady + milliseconds(100), kWall + 100 * kMs - 5000 * kMs);
  EXPECT_EQ(clock.clock_steps(), 1u);
  EXPECT_EQ(clock.arrival(kWall - 4950 * kMs), kSteady + milliseconds(100));
  // The next batch, on the new offset, is trusted again.
  clock.sample(kSteady + milliseconds(200), kWall + 200 * kMs - 5000 * kMs);
  EXPECT_EQ(clock.clock_steps(), 1u);
  EXPECT_EQ(clock.arrival(kWall + 190 * kMs - 5000 * kMs), kSteady + milliseconds(190));
  // A step forward as well.
  clock.sample(kSteady + milliseconds(300), kWall + 300 * kMs);
  EXPECT_EQ(clock.clock_steps(), 2u);
  EXPECT_EQ(clock.arrival(kWall + 290 * kMs), kSteady + milliseconds(300));
}

TEST(ReceiveClock, SlewingIsNoStep) {
  ReceiveClock clock;
  clock.sample(kSteady, kWall);
  // NTP slewing at 500 ppm for 10 s: 5 ms, within 2 ms + 1000 ppm.
  clock.sample(kSteady + seconds(10), kWall + 10'005 * kMs);
  EXPECT_EQ(clock.clock_steps(), 0u);
  EXPECT_EQ(clock.arrival(kWall + 10'000 * kMs), kSteady + seconds(10) - milliseconds(5));
  // 3 ms within 100 ms is more than slewing does.
  clock.sample(kSteady + seconds(10) + milliseconds(100), kWall + 10'108 * kMs);
  EXPECT_EQ(clock.clock_steps(), 1u);
}

TEST(ReceiveClock, SamplingReadsBothClocksNow) {
  ReceiveClock clock;
  const TimePoint before = Clock::now();
  clock.sample();
  const TimePoint after = Clock::now();
  EXPECT_GE(clock.read_time(), before);
  EXPECT_LE(clock.read_time(), after);
  EXPECT_EQ(clock.arrival(std::nullopt), clock.read_time());
}
