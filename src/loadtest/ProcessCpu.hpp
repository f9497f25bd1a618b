#pragma once
// CPU time of a process (the server under load) and of this one, to report
// the server's CPU per forwarded packet over the media window.
#include <optional>

namespace ct::loadtest {

// User plus system CPU seconds of process `pid` from /proc/PID/stat.
std::optional<double> process_cpu_seconds(int pid);
// User plus system CPU seconds of this process.
double own_cpu_seconds();

}  // namespace ct::loadtest
