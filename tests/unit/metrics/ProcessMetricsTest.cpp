#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>

#include "metrics/ProcessMetrics.hpp"
#include "metrics/PrometheusWriter.hpp"

namespace ct::metrics {
namespace {

TEST(ProcessMetrics, ReadsThisProcess) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  auto before = ProcessMetrics::read_self();
  ::close(fds[0]);
  ::close(fds[1]);
  auto after = ProcessMetrics::read_self();
  EXPECT_GE(before.open_fds, 5u);  // stdin/out/err and the pipe
  EXPECT_EQ(before.open_fds, after.open_fds + 2);
  EXPECT_GT(before.resident_bytes, 1u << 20);
  EXPECT_GE(before.virtual_bytes, before.resident_bytes);
  EXPECT_GE(before.max_fds, before.open_fds);
  EXPECT_GE(after.cpu_seconds, before.cpu_seconds);
  // Started within the last hour, not in the future.
  double now = double(std::time(nullptr));
  EXPECT_LE(before.start_time_seconds, now + 2);
  EXPECT_GT(before.start_time_seconds, now - 3600);
  // The same on every read (an alert on restarts watches it change).
  EXPECT_EQ(after.start_time_seconds, before.start_time_seconds);
}

TEST(ProcessMetrics, WritesTheStandardFamilies) {
  PrometheusWriter w;
  ProcessMetrics m;
  m.cpu_seconds = 1.5;
  m.resident_bytes = 4096;
  m.open_fds = 7;
  m.write(w);
  const std::string& text = w.text();
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 1.5\n"),
            std::string::npos);
  EXPECT_NE(text.find("process_resident_memory_bytes 4096\n"), std::string::npos);
  EXPECT_NE(text.find("process_open_fds 7\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_start_time_seconds gauge\n"), std::string::npos);
}

}  // namespace
}  // namespace ct::metrics
