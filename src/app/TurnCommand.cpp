#include "app/TurnCommand.hpp"

#include <pthread.h>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>

#include "app/MetricsEndpoint.hpp"
#include "core/Log.hpp"
#include "http/HttpServer.hpp"
#include "turn/TurnServer.hpp"

namespace ct::app {
namespace {

struct TurnOptions {
  turn::TurnServerConfig config;
  int bandwidth_kbps = -1;
  std::string log_level = "info";
  std::string metrics_address = "127.0.0.1";
  uint16_t metrics_port = 0;  // 0: no metrics endpoint
};

// GET /metrics for the standalone server, on its own small HTTP thread.
class TurnMetricsHttp {
 public:
  TurnMetricsHttp(const TurnOptions& options, const turn::TurnServer& server)
      : http_(io_, config(options)), endpoint_(io_, MetricsSources{{}, nullptr, &server}) {
    endpoint_.install(http_);
    http_.start();
    spdlog::info("turn: metrics on http://{}:{}/metrics", options.metrics_address, http_.port());
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TurnMetricsHttp() {
    http_.stop();
    io_.stop();
    thread_.join();
  }

 private:
  static http::HttpServerConfig config(const TurnOptions& options) {
    http::HttpServerConfig c;
    c.bind_address = options.metrics_address;
    c.port = options.metrics_port;
    return c;
  }

  boost::asio::io_context io_{1};
  http::HttpServer http_;
  MetricsEndpoint endpoint_;
  std::thread thread_;
};

int run_turn(const TurnOptions& options) {
  ct::configure_logging(options.log_level);
  auto config = options.config;
  if (options.bandwidth_kbps >= 0) config.bandwidth_bytes_per_second = uint64_t(options.bandwidth_kbps) * 1000 / 8;
  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::unique_ptr<turn::TurnServer> server;
  try {
    server = std::make_unique<turn::TurnServer>(config);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "ciphertalk turn: %s\n", e.what());
    return 2;
  }
  std::unique_ptr<TurnMetricsHttp> metrics;
  try {
    server->start();
    if (options.metrics_port) metrics = std::make_unique<TurnMetricsHttp>(options, *server);
  } catch (const std::exception& e) {
    spdlog::critical("turn: {}", e.what());
    return 1;
  }
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("turn: stopping on signal {}", signal);
  metrics.reset();
  server->stop();
  auto s = server->stats();
  spdlog::info(
      "turn: {} allocations, {} packets / {} bytes to peers, {} packets / {} bytes to clients, refused: "
      "401 {}, 438 {}, 403 {}, 486 {}, 437 {}; dropped: no permission {}, bandwidth {}, malformed {}, receiver full {}",
      s.allocations_total, s.packets_to_peers, s.bytes_to_peers, s.packets_to_clients, s.bytes_to_clients,
      s.refused_unauthenticated, s.refused_stale_nonce, s.refused_forbidden_peer, s.refused_quota, s.refused_mismatch,
      s.dropped_no_permission, s.dropped_bandwidth, s.dropped_malformed, s.dropped_send_full);
  return 0;
}

}  // namespace

void add_turn_command(CLI::App& app) {
  auto options = std::make_shared<TurnOptions>();
  auto& c = options->config;
  auto* cmd = app.add_subcommand("turn", "Run the STUN/TURN server alone (RFC 8656; coturn-compatible REST secrets)");
  cmd->add_option("--listen", c.listen_address, "Listen address for UDP, TCP and TLS")->capture_default_str();
  cmd->add_option("--port", c.port, "UDP and TCP port")->capture_default_str();
  cmd->add_option("--tls-port", c.tls_port, "TLS port, 0 = no TLS")->capture_default_str();
  cmd->add_option("--realm", c.realm, "Realm (RFC 8489 long-term credentials)")->capture_default_str();
  cmd->add_option("--secret", c.secrets, "Shared secret for REST credentials (repeat to accept several)")
      ->required();
  cmd->add_option("--allow-peer", c.allow_peers, "CIDR range peers may be in despite the private-address filter");
  cmd->add_option("--tls-cert", c.tls_cert_file, "PEM certificate chain for TLS")->check(CLI::ExistingFile);
  cmd->add_option("--tls-key", c.tls_key_file, "PEM private key for TLS")->check(CLI::ExistingFile);
  cmd->add_flag("--dev", c.dev, "Self-signed TLS certificate when none is given");
  cmd->add_option("--relay-ip", c.relay_address, "Address relay sockets bind (default: the listen address)");
  cmd->add_option("--external-ip", c.external_address, "Relay address announced to clients (public IP behind NAT)");
  cmd->add_option("--min-port", c.relay_port_min, "Lowest relay port")->capture_default_str();
  cmd->add_option("--max-port", c.relay_port_max, "Highest relay port")->capture_default_str();
  cmd->add_option("--max-allocations", c.max_allocations, "Allocations in total")->capture_default_str();
  cmd->add_option("--user-quota", c.max_allocations_per_user, "Allocations per user")->capture_default_str();
  cmd->add_option("--bandwidth-kbps", options->bandwidth_kbps,
                  "Per-allocation cap in kbit/s, 0 = unlimited (default 40000)");
  cmd->add_option("--metrics-port", options->metrics_port, "Serve Prometheus GET /metrics on this port (0 = off)")
      ->capture_default_str();
  cmd->add_option("--metrics-address", options->metrics_address, "Address for the metrics port")
      ->capture_default_str();
  cmd->add_option("--log-level", options->log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  cmd->callback([options] {
    int code = run_turn(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace ct::app
