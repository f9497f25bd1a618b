#pragma once
// The standard process_* metrics every Prometheus client library exports
// (CPU time, resident memory, open descriptors, start time), read from
// getrusage and /proc/self on Linux.
#include <cstdint>

namespace ct::metrics {

class PrometheusWriter;

struct ProcessMetrics {
  double cpu_seconds = 0;  // user + system
  uint64_t resident_bytes = 0;
  uint64_t virtual_bytes = 0;
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;           // RLIMIT_NOFILE soft limit
  double start_time_seconds = 0;  // since the Unix epoch

  // Reads this process's numbers now; fields that cannot be read stay 0.
  static ProcessMetrics read_self();
  void write(PrometheusWriter& writer) const;
};

}  // namespace ct::metrics
