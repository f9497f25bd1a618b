#include "metrics/ProcessMetrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <ctime>

#include "metrics/PrometheusWriter.hpp"

namespace ct::metrics {
namespace {

double seconds_of(const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; }

uint64_t count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return 0;
  uint64_t n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n > 0 ? n - 1 : 0;  // the directory stream's own descriptor
}

// Field 22 of /proc/self/stat (proc(5)): start time in clock ticks after boot.
// The command name (field 2) may contain spaces, so parse after its ')'.
double start_time_since_epoch() {
  FILE* f = std::fopen("/proc/self/stat", "r");
  if (!f) return 0;
  char buf[1024];
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');
  if (!p) return 0;
  unsigned long long start_ticks = 0;
  // After ')': field 3 (state) ... field 22 (starttime): skip 19 fields.
  if (std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
                  &start_ticks) != 1) {
    return 0;
  }
  FILE* up = std::fopen("/proc/uptime", "r");
  if (!up) return 0;
  double uptime = 0;
  int got = std::fscanf(up, "%lf", &uptime);
  std::fclose(up);
  if (got != 1) return 0;
  long ticks = ::sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return 0;
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  double boot = double(now.tv_sec) + double(now.tv_nsec) / 1e9 - uptime;
  return boot + double(start_ticks) / double(ticks);
}

}  // namespace

ProcessMetrics ProcessMetrics::read_self() {
  ProcessMetrics m;
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0)
    m.cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    unsigned long long size_pages = 0, resident_pages = 0;
    if (std::fscanf(f, "%llu %llu", &size_pages, &resident_pages) == 2) {
      auto page = uint64_t(::sysconf(_SC_PAGESIZE));
      m.virtual_bytes = size_pages * page;
      m.resident_bytes = resident_pages * page;
    }
    std::fclose(f);
  }
  m.open_fds = count_open_fds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) m.max_fds = uint64_t(limit.rlim_cur);
  m.start_time_seconds = start_time_since_epoch();
  return m;
}

void ProcessMetrics::write(PrometheusWriter& w) const {
  w.family("process_cpu_seconds_total", MetricType::counter,
           "Total user and system CPU time spent in seconds.");
  w.sample({}, cpu_seconds);
  w.family("process_resident_memory_bytes", MetricType::gauge, "Resident memory size in bytes.");
  w.sample(resident_bytes);
  w.family("process_virtual_memory_bytes", MetricType::gauge, "Virtual memory size in bytes.");
  w.sample(virtual_bytes);
  w.family("process_open_fds", MetricType::gauge, "Number of open file descriptors.");
  w.sample(open_fds);
  w.family("process_max_fds", MetricType::gauge, "Maximum number of open file descriptors.");
  w.sample(max_fds);
  w.family("process_start_time_seconds", MetricType::gauge,
           "Start time of the process since unix epoch in seconds.");
  w.sample({}, start_time_seconds);
}

}  // namespace ct::metrics
