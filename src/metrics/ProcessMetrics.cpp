#include "metrics/ProcessMetrics.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>

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

// Boot time ("btime" in /proc/stat, whole seconds since the epoch) plus the
// process's start in clock ticks after boot (field 22 of /proc/self/stat,
// proc(5)): the same value on every read, as an alert on restarts needs.
double start_time_since_epoch() {
  std::ifstream proc_stat("/proc/stat");
  std::string key;
  uint64_t boot_seconds = 0;
  bool found = false;
  while (proc_stat >> key) {
    if (key == "btime") {
      found = bool(proc_stat >> boot_seconds);
      break;
    }
    proc_stat.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  if (!found) return 0;
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // The command name (field 2) may contain spaces and ')': parse after the last ')'.
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  for (int skipped = 3; skipped < 22; ++skipped) {  // fields 3 (state) .. 21
    if (!(fields >> field)) return 0;
  }
  uint64_t start_ticks = 0;
  if (!(fields >> start_ticks)) return 0;
  long ticks = ::sysconf(_SC_CLK_TCK);
  if (ticks <= 0) return 0;
  return double(boot_seconds) + double(start_ticks) / double(ticks);
}

}  // namespace

ProcessMetrics ProcessMetrics::read_self() {
  ProcessMetrics m;
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) == 0)
    m.cpu_seconds = seconds_of(usage.ru_utime) + seconds_of(usage.ru_stime);
  std::ifstream statm("/proc/self/statm");
  uint64_t size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    auto page = uint64_t(::sysconf(_SC_PAGESIZE));
    m.virtual_bytes = size_pages * page;
    m.resident_bytes = resident_pages * page;
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
