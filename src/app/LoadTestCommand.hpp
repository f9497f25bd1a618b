#pragma once
// `ciphertalk loadtest`: synthetic publishers and subscribers with real
// ICE/DTLS/SRTP against a running server (as LiveKit's `lk load-test`). The
// publishers send paced VP8-shaped RTP; the subscribers count what the SFU
// forwards. Reports packets sent and received, loss, setup time, and, given
// the server's process id, the server's CPU per forwarded packet over the
// media window. The pure parts (URL parsing, the report) are functions of
// their own so they are unit-tested without a server.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace ct::app {

struct LoadTestOptions {
  std::string url = "ws://127.0.0.1:7880";
  std::string room = "loadtest";
  unsigned publishers = 1;
  unsigned subscribers = 10;
  double duration_s = 10;
  double video_pps = 1000;  // per publisher
  size_t payload_bytes = 1100;
  bool audio = false;
  std::string api_key = "devkey";
  std::string api_secret = "devsecret";
  bool json = false;
  int server_pid = 0;  // > 0: measure this process's CPU time over the media window
  uint32_t unprotect_interval = 64;
  double setup_timeout_s = 30;
  bool wake_on_receive = false;  // subscribers woken per datagram instead of polling each tick
};

struct LoadTestResult {
  bool ok = false;
  std::string error;
  unsigned publishers = 0, subscribers = 0;
  double duration_s = 0;  // the media window, drain included
  double setup_ms_avg = 0, setup_ms_max = 0;  // join -> transport connected, every participant
  uint64_t packets_sent = 0;  // by all publishers; each subscriber should receive all of them
  uint64_t received_min = 0, received_max = 0, received_total = 0;
  double received_avg = 0;
  double loss_percent = 0;  // 1 - received_total / (packets_sent * subscribers)
  uint64_t unprotected = 0, unprotect_failures = 0;  // the sampled packets that were authenticated
  uint64_t keyframe_requests = 0;
  uint64_t publisher_send_errors = 0, subscriber_send_errors = 0;  // UDP sends the kernel refused
  std::string srtp_profile;
  double client_cpu_s = 0;
  std::optional<double> server_cpu_s;  // with LoadTestOptions::server_pid

  // Server CPU per packet the subscribers received, and its inverse.
  std::optional<double> server_us_per_packet() const;
  std::optional<double> server_packets_per_cpu_second() const;
};

struct WsUrl {
  std::string host;
  uint16_t port = 80;
  std::string path;  // "/rtc" when the URL has none
};

// ws://HOST[:PORT][/PATH]; wss is not supported by the load client.
std::optional<WsUrl> parse_ws_url(std::string_view url);

// User plus system CPU seconds of process `pid` from /proc/PID/stat.
std::optional<double> process_cpu_seconds(int pid);

std::string format_result_text(const LoadTestResult& result);
std::string format_result_json(const LoadTestResult& result);

// Runs the whole test on the calling thread.
LoadTestResult run_load_test(const LoadTestOptions& options);

// Registers `loadtest` on the ciphertalk command line.
void add_loadtest_command(CLI::App& app);

}  // namespace ct::app
