#include <gtest/gtest.h>
#include <unistd.h>

#include "loadtest/ProcessCpu.hpp"

namespace ct::loadtest {
namespace {

TEST(ProcessCpu, ReadsOwnCpuTimeFromProc) {
  volatile double x = 0;
  for (int i = 0; i < 20000000; ++i) x = x + 1.0;
  auto cpu = process_cpu_seconds(int(::getpid()));
  ASSERT_TRUE(cpu);
  EXPECT_GT(*cpu, 0.0);
  EXPECT_FALSE(process_cpu_seconds(-5));
  // Both clocks count this process: /proc in clock ticks, getrusage finer.
  EXPECT_NEAR(own_cpu_seconds(), *process_cpu_seconds(int(::getpid())), 0.05);
}

}  // namespace
}  // namespace ct::loadtest
