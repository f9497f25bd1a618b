#include "app/LoadTestCommand.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "app/TokenCommand.hpp"
#include "core/Log.hpp"
#include "loadtest/ChurnRun.hpp"
#include "loadtest/Report.hpp"
#include "loadtest/Scenario.hpp"
#include "loadtest/SignalClient.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::app {

static_assert(loadtest::kSignalProtocolVersion == signal::kProtocolVersion,
              "the load client speaks the server's /rtc protocol version");

loadtest::TokenIssuer loadtest_token_issuer(std::string api_key, std::string api_secret) {
  return [api_key = std::move(api_key), api_secret = std::move(api_secret)](
             const std::string& room, const std::string& identity, loadtest::Participant::Role role) {
    TokenCreateOptions t;
    t.room = room;
    t.identity = identity;
    t.grants = {role == loadtest::Participant::Role::Publisher ? "publish" : "subscribe"};
    t.ttl = "1h";
    t.api_key = api_key;
    t.api_secret = api_secret;
    std::string token;
    if (auto err = create_token(t, std::chrono::system_clock::now(), token)) throw std::runtime_error(*err);
    return token;
  };
}

void add_loadtest_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "loadtest", "Synthetic publishers and subscribers with real ICE/DTLS/SRTP against a running server");
  struct Options {
    loadtest::Scenario scenario;
    std::string api_key = std::string(kDevApiKey);
    std::string api_secret = std::string(kDevApiSecret);
    bool json = false;
    std::string log_level = "warn";
    std::string target = "ciphertalk";
  };
  auto o = std::make_shared<Options>();
  auto& s = o->scenario;
  cmd->add_option("--url", s.url, "Signaling URL of the server")->capture_default_str();
  cmd->add_option("--room", s.room, "Room to load")->capture_default_str();
  cmd->add_option("--rooms", s.rooms, "Rooms, each with --publishers and --subscribers")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000u));
  cmd->add_option("--publishers", s.publishers, "Publishing participants")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100u));
  cmd->add_option("--subscribers", s.subscribers, "Subscribing participants")
      ->capture_default_str()
      ->check(CLI::Range(0u, 1000u));
  cmd->add_option("--duration", s.duration_s, "Seconds of media")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  auto* video_pps = cmd->add_option("--video-pps", s.video_pps,
                                    "Video packets per second per publisher (with --simulcast: of the top "
                                    "layer, default 180)")
                        ->capture_default_str()
                        ->check(CLI::Range(1.0, 200000.0));
  cmd->add_option("--payload", s.payload_bytes, "Video RTP payload bytes (room for the send-time stamp)")
      ->capture_default_str()
      ->check(CLI::Range(26, 1200));
  cmd->add_flag("--audio", s.audio, "Also publish an Opus-sized audio stream (50 packets/s)");
  cmd->add_option("--api-key", o->api_key, "API key that signs the participants' tokens")
      ->capture_default_str();
  cmd->add_option("--api-secret", o->api_secret, "Its secret")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the result as one JSON object");
  cmd->add_option("--server-pid", s.server_pid, "Measure this server process's CPU over the media window");
  cmd->add_option("--unprotect-every", s.unprotect_interval, "Subscribers authenticate one packet in N")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1000000u));
  cmd->add_flag(
      "--wake-on-receive", s.wake_on_receive,
      "Subscribers wait in epoll for each datagram instead of reading their sockets every 2 ms tick "
      "(then the server's sends also pay for waking them)");
  cmd->add_option("--target", o->target,
                  "Server kind: ciphertalk (its /rtc protocol) or janus (the VideoRoom plugin over Janus' "
                  "WebSocket API, e.g. --url ws://HOST:8188/)")
      ->capture_default_str()
      ->check(CLI::IsMember({"ciphertalk", "janus"}));
  cmd->add_option("--setup-timeout", s.setup_timeout_s, "Seconds allowed for joining and connecting")
      ->capture_default_str();
  cmd->add_option("--bind", s.bind_address,
                  "Local address of the participants' sockets, media and signaling (default: media on "
                  "127.0.0.1, signaling from the route's own; --target janus needs one that is not "
                  "loopback, as Janus refuses loopback candidates)");
  cmd->add_flag("--simulcast", s.simulcast,
                "Publishers send three VP8 simulcast layers with RIDs q/h/f: 320x180 at 1/6 of --video-pps "
                "with half-size payloads, 640x360 at 1/3, 1280x720 at --video-pps, 30 frames/s each (at the "
                "defaults ~130, ~530, ~1580 kbit/s, like a 720p camera); subscribers ask for small, medium, "
                "large, medium tiles in turn and check every video packet for a seamless stream");
  cmd->add_option("--layer-switch-interval", s.layer_switch_interval_s,
                  "With --simulcast: seconds between a subscriber's tile-size changes")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--join-within", s.join_within_s,
                  "A join storm: spread every participant's join over this many seconds (publishers of every "
                  "room first), then --duration seconds of media; reports each join's time from WebSocket "
                  "connect to first media and the failed joins")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option(
         "--churn-interval", s.churn_interval_s,
         "A soak: for --duration seconds, every this many seconds one participant in turn leaves and "
         "a new one joins in its place; reports the joins and failed joins")
      ->check(CLI::Range(0.0, 3600.0));
  cmd->add_option("--log-level", o->log_level, "trace, debug, info, warn, error")->capture_default_str();
  cmd->callback([o, video_pps] {
    if (o->scenario.simulcast && video_pps->count() == 0) o->scenario.video_pps = 180;
    configure_logging(o->log_level);
    o->scenario.target =
        o->target == "janus" ? loadtest::ServerTarget::Janus : loadtest::ServerTarget::CipherTalk;
    if (o->scenario.continuous()) {
      auto report = loadtest::ChurnRun(o->scenario, loadtest_token_issuer(o->api_key, o->api_secret)).run();
      std::fputs((o->json ? report.to_json() : report.to_text()).c_str(), stdout);
      std::fflush(stdout);
      if (!report.ok) throw CLI::RuntimeError(1);
      return;
    }
    auto report = loadtest::ScenarioRun(o->scenario, loadtest_token_issuer(o->api_key, o->api_secret)).run();
    std::fputs((o->json ? report.to_json() : report.to_text()).c_str(), stdout);
    std::fflush(stdout);
    if (!report.ok) throw CLI::RuntimeError(1);
  });
}

}  // namespace ct::app
