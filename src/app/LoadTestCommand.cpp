#include "app/LoadTestCommand.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

#include "app/LoadTestParticipant.hpp"
#include "app/TokenCommand.hpp"
#include "core/Log.hpp"
#include "dtls/DtlsCertificate.hpp"

namespace ct::app {

namespace {

constexpr Duration kTick = milliseconds(2);
// After every subscriber is connected the server may still be applying the
// last answers (a WebSocket message and a task post away).
constexpr Duration kSettle = milliseconds(300);
// Packets in flight when the publishers stop.
constexpr Duration kDrain = milliseconds(500);

double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The test as a sequence of phases, advanced from one periodic timer.
class LoadTestRun {
 public:
  LoadTestRun(const LoadTestOptions& options, const WsUrl& url) : options_(options) {
    endpoint_ = SignalEndpoint{url.host, url.port, url.path};
  }

  LoadTestResult run() {
    result_.publishers = options_.publishers;
    result_.subscribers = options_.subscribers;
    try {
      for (unsigned i = 0; i < options_.publishers; ++i)
        publishers_.push_back(make(LoadTestParticipant::Role::Publisher, "loadtest-pub-" + std::to_string(i)));
      for (unsigned i = 0; i < options_.subscribers; ++i)
        subscribers_.push_back(make(LoadTestParticipant::Role::Subscriber, "loadtest-sub-" + std::to_string(i)));
    } catch (const std::exception& e) {
      result_.error = e.what();
      return result_;
    }
    started_ = Clock::now();
    for (auto& p : publishers_) p->start(started_);
    phase_ = Phase::Publishing;
    arm();
    io_.run();
    return result_;
  }

 private:
  enum class Phase { Publishing, Subscribing, Settling, Media, Draining, Leaving, Done };

  std::unique_ptr<LoadTestParticipant> make(LoadTestParticipant::Role role, const std::string& identity) {
    TokenCreateOptions t;
    t.room = options_.room;
    t.identity = identity;
    t.grants = {role == LoadTestParticipant::Role::Publisher ? "publish" : "subscribe"};
    t.ttl = "1h";
    t.api_key = options_.api_key;
    t.api_secret = options_.api_secret;
    LoadTestParticipant::Config c;
    c.role = role;
    c.identity = identity;
    if (auto err = create_token(t, std::chrono::system_clock::now(), c.token)) throw std::runtime_error(*err);
    c.video_pps = options_.video_pps;
    c.payload_bytes = options_.payload_bytes;
    c.audio = options_.audio;
    c.unprotect_interval = options_.unprotect_interval;
    c.polled_receive = !options_.wake_on_receive;
    return std::make_unique<LoadTestParticipant>(io_, certificate_, endpoint_, std::move(c));
  }

  void arm() {
    timer_.expires_after(kTick);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      step(Clock::now());
      if (phase_ != Phase::Done) arm();
    });
  }

  bool all(const std::vector<std::unique_ptr<LoadTestParticipant>>& group,
           const std::function<bool(const LoadTestParticipant&)>& predicate) const {
    return std::all_of(group.begin(), group.end(), [&](const auto& p) { return predicate(*p); });
  }

  void abort(const std::string& error) {
    result_.error = error;
    finish_leaving(Clock::now());
  }

  void finish_leaving(TimePoint now) {
    for (auto& p : publishers_) p->leave();
    for (auto& p : subscribers_) p->leave();
    phase_ = Phase::Leaving;
    phase_start_ = now;
  }

  void step(TimePoint now) {
    for (auto& p : publishers_) p->on_tick(now);
    for (auto& p : subscribers_) p->on_tick(now);
    if (phase_ == Phase::Leaving) {
      // Lets leave, close_notify and the WebSocket closes go out.
      if (now - phase_start_ > milliseconds(200)) {
        phase_ = Phase::Done;
        io_.stop();
      }
      return;
    }
    for (const auto* group : {&publishers_, &subscribers_}) {
      for (const auto& p : *group) {
        if (p->failed()) return abort(p->error());
      }
    }
    if (phase_ != Phase::Media && phase_ != Phase::Draining &&
        now - started_ > std::chrono::duration_cast<Duration>(std::chrono::duration<double>(options_.setup_timeout_s))) {
      return abort("setup did not finish within " + std::to_string(int(options_.setup_timeout_s)) + " s");
    }
    int tracks_per_publisher = options_.audio ? 2 : 1;
    int expected_tracks = int(options_.publishers) * tracks_per_publisher;
    switch (phase_) {
      case Phase::Publishing:
        if (all(publishers_, [](const auto& p) { return p.connected(); })) {
          for (auto& s : subscribers_) s->start(now);
          phase_ = Phase::Subscribing;
        }
        break;
      case Phase::Subscribing:
        if (all(subscribers_, [&](const auto& p) { return p.connected() && p.subscribed_tracks() >= expected_tracks; })) {
          phase_ = Phase::Settling;
          phase_start_ = now;
        }
        break;
      case Phase::Settling:
        if (now - phase_start_ >= kSettle) begin_media(now);
        break;
      case Phase::Media:
        if (now - phase_start_ >= std::chrono::duration_cast<Duration>(std::chrono::duration<double>(options_.duration_s))) {
          for (auto& p : publishers_) p->stop_media();
          phase_ = Phase::Draining;
          drain_start_ = now;
        }
        break;
      case Phase::Draining:
        if (now - drain_start_ >= kDrain) {
          collect(now);
          finish_leaving(now);
        }
        break;
      default:
        break;
    }
  }

  void begin_media(TimePoint now) {
    setup_done_ = now;
    for (auto& s : subscribers_) received_base_.push_back(s->stats().rtp_received);
    for (auto& s : subscribers_) unprotected_base_.push_back(s->stats().rtp_unprotected);
    client_cpu_start_ = own_cpu_seconds();
    if (options_.server_pid > 0) server_cpu_start_ = process_cpu_seconds(options_.server_pid);
    for (auto& p : publishers_) p->start_media(now);
    phase_ = Phase::Media;
    phase_start_ = now;
  }

  void collect(TimePoint now) {
    auto& r = result_;
    r.duration_s = std::chrono::duration<double>(now - phase_start_).count();
    r.client_cpu_s = own_cpu_seconds() - client_cpu_start_;
    if (server_cpu_start_) {
      if (auto end = process_cpu_seconds(options_.server_pid)) r.server_cpu_s = *end - *server_cpu_start_;
    }
    for (auto& p : publishers_) {
      auto s = p->stats();
      r.packets_sent += s.video_sent + s.audio_sent;
      r.keyframe_requests += s.keyframe_requests;
      if (r.srtp_profile.empty()) r.srtp_profile = p->srtp_profile();
      r.publisher_send_errors += s.send_errors;
    }
    double setup_sum = 0;
    size_t setups = 0;
    for (const auto* group : {&publishers_, &subscribers_}) {
      for (const auto& p : *group) {
        double t = ms(p->setup_time());
        setup_sum += t;
        ++setups;
        r.setup_ms_max = std::max(r.setup_ms_max, t);
      }
    }
    r.setup_ms_avg = setups ? setup_sum / double(setups) : 0;
    r.received_min = subscribers_.empty() ? 0 : UINT64_MAX;
    for (size_t i = 0; i < subscribers_.size(); ++i) {
      auto s = subscribers_[i]->stats();
      uint64_t received = s.rtp_received - received_base_[i];
      r.received_min = std::min(r.received_min, received);
      r.received_max = std::max(r.received_max, received);
      r.received_total += received;
      r.unprotected += s.rtp_unprotected - unprotected_base_[i];
      r.unprotect_failures += s.srtp_errors;
      r.subscriber_send_errors += s.send_errors;
    }
    r.received_avg = subscribers_.empty() ? 0 : double(r.received_total) / double(subscribers_.size());
    double expected = double(r.packets_sent) * double(subscribers_.size());
    r.loss_percent = expected > 0 ? std::max(0.0, 100.0 * (1.0 - double(r.received_total) / expected)) : 0;
    r.ok = true;
  }

  const LoadTestOptions& options_;
  SignalEndpoint endpoint_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_{io_};
  dtls::DtlsCertificate certificate_;  // one for every participant: generating it is the slow part
  std::vector<std::unique_ptr<LoadTestParticipant>> publishers_, subscribers_;
  Phase phase_ = Phase::Publishing;
  TimePoint started_{}, phase_start_{}, drain_start_{}, setup_done_{};
  std::vector<uint64_t> received_base_, unprotected_base_;
  double client_cpu_start_ = 0;
  std::optional<double> server_cpu_start_;
  LoadTestResult result_;
};

}  // namespace

std::optional<double> LoadTestResult::server_us_per_packet() const {
  if (!server_cpu_s || received_total == 0) return std::nullopt;
  return *server_cpu_s * 1e6 / double(received_total);
}

std::optional<double> LoadTestResult::server_packets_per_cpu_second() const {
  if (!server_cpu_s || *server_cpu_s <= 0) return std::nullopt;
  return double(received_total) / *server_cpu_s;
}

std::optional<WsUrl> parse_ws_url(std::string_view url) {
  constexpr std::string_view scheme = "ws://";
  if (url.substr(0, scheme.size()) != scheme) return std::nullopt;
  url.remove_prefix(scheme.size());
  WsUrl out;
  size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  out.path = slash == std::string_view::npos ? "/rtc" : std::string(url.substr(slash));
  if (out.path == "/") out.path = "/rtc";
  if (authority.empty()) return std::nullopt;
  std::string_view host = authority;
  if (authority.front() == '[') {  // [IPv6]:port
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return std::nullopt;
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    authority = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (host.empty()) return std::nullopt;
  out.host = std::string(host);
  if (!authority.empty()) {  // ":port"
    std::string_view digits = authority.substr(1);
    if (digits.empty() || digits.size() > 5) return std::nullopt;
    unsigned port = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      port = port * 10 + unsigned(c - '0');
    }
    if (port == 0 || port > 65535) return std::nullopt;
    out.port = uint16_t(port);
  }
  return out;
}

std::optional<double> process_cpu_seconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  // proc(5): the command name is in parentheses and may hold spaces; fields
  // 14 and 15 (utime, stime, in clock ticks) follow the last ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int index = 3; fields >> field; ++index) {
    if (index == 14) utime = std::stoull(field);
    if (index == 15) {
      stime = std::stoull(field);
      return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
    }
  }
  return std::nullopt;
}

std::string format_result_text(const LoadTestResult& r) {
  char buffer[2048];
  std::string out;
  if (!r.ok) return "loadtest failed: " + r.error + "\n";
  std::snprintf(buffer, sizeof(buffer),
                "publishers %u, subscribers %u, media %.1f s, SRTP %s\n"
                "setup (join -> connected): avg %.0f ms, max %.0f ms\n"
                "packets sent:     %llu (per subscriber expected)\n"
                "received per subscriber: min %llu, avg %.1f, max %llu\n"
                "loss: %.3f %%   sampled unprotect: %llu ok, %llu failed   keyframe requests: %llu\n"
                "loadtest CPU: %.2f s\n",
                r.publishers, r.subscribers, r.duration_s, r.srtp_profile.c_str(), r.setup_ms_avg, r.setup_ms_max,
                (unsigned long long)r.packets_sent, (unsigned long long)r.received_min, r.received_avg,
                (unsigned long long)r.received_max, r.loss_percent, (unsigned long long)r.unprotected,
                (unsigned long long)r.unprotect_failures, (unsigned long long)r.keyframe_requests, r.client_cpu_s);
  out = buffer;
  if (r.server_cpu_s) {
    std::snprintf(buffer, sizeof(buffer), "server CPU: %.2f s = %.2f us per received packet, %.0f packets per CPU-second\n",
                  *r.server_cpu_s, r.server_us_per_packet().value_or(0), r.server_packets_per_cpu_second().value_or(0));
    out += buffer;
  }
  return out;
}

std::string format_result_json(const LoadTestResult& r) {
  nlohmann::json j = {{"ok", r.ok},
                      {"publishers", r.publishers},
                      {"subscribers", r.subscribers},
                      {"duration_s", r.duration_s},
                      {"setup_ms_avg", r.setup_ms_avg},
                      {"setup_ms_max", r.setup_ms_max},
                      {"packets_sent", r.packets_sent},
                      {"received_min", r.received_min},
                      {"received_avg", r.received_avg},
                      {"received_max", r.received_max},
                      {"received_total", r.received_total},
                      {"loss_percent", r.loss_percent},
                      {"unprotected", r.unprotected},
                      {"unprotect_failures", r.unprotect_failures},
                      {"keyframe_requests", r.keyframe_requests},
                      {"srtp_profile", r.srtp_profile},
                      {"client_cpu_s", r.client_cpu_s},
                      {"publisher_send_errors", r.publisher_send_errors}};
  if (!r.ok) j["error"] = r.error;
  if (r.server_cpu_s) {
    j["server_cpu_s"] = *r.server_cpu_s;
    j["server_us_per_packet"] = r.server_us_per_packet().value_or(0);
    j["server_packets_per_cpu_s"] = r.server_packets_per_cpu_second().value_or(0);
  }
  return j.dump() + "\n";
}

LoadTestResult run_load_test(const LoadTestOptions& options) {
  auto url = parse_ws_url(options.url);
  if (!url) {
    LoadTestResult r;
    r.error = "invalid --url '" + options.url + "' (ws://HOST:PORT[/PATH])";
    return r;
  }
  return LoadTestRun(options, *url).run();
}

void add_loadtest_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "loadtest", "Synthetic publishers and subscribers with real ICE/DTLS/SRTP against a running server");
  auto o = std::make_shared<LoadTestOptions>();
  auto log_level = std::make_shared<std::string>("warn");
  cmd->add_option("--url", o->url, "Signaling URL of the server")->capture_default_str();
  cmd->add_option("--room", o->room, "Room to load")->capture_default_str();
  cmd->add_option("--publishers", o->publishers, "Publishing participants")->capture_default_str()->check(CLI::Range(1u, 100u));
  cmd->add_option("--subscribers", o->subscribers, "Subscribing participants")->capture_default_str()->check(CLI::Range(0u, 1000u));
  cmd->add_option("--duration", o->duration_s, "Seconds of media")->capture_default_str()->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--video-pps", o->video_pps, "Video packets per second per publisher")->capture_default_str()->check(CLI::Range(1.0, 200000.0));
  cmd->add_option("--payload", o->payload_bytes, "Video RTP payload bytes")->capture_default_str()->check(CLI::Range(16, 1200));
  cmd->add_flag("--audio", o->audio, "Also publish an Opus-sized audio stream (50 packets/s)");
  cmd->add_option("--api-key", o->api_key, "API key that signs the participants' tokens")->capture_default_str();
  cmd->add_option("--api-secret", o->api_secret, "Its secret")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the result as one JSON object");
  cmd->add_option("--server-pid", o->server_pid, "Measure this server process's CPU over the media window");
  cmd->add_option("--unprotect-every", o->unprotect_interval, "Subscribers authenticate one packet in N")
      ->capture_default_str()->check(CLI::Range(1u, 1000000u));
  cmd->add_flag("--wake-on-receive", o->wake_on_receive,
               "Subscribers wait in epoll for each datagram instead of reading their sockets every 2 ms tick "
               "(then the server's sends also pay for waking them)");
  cmd->add_option("--setup-timeout", o->setup_timeout_s, "Seconds allowed for joining and connecting")->capture_default_str();
  cmd->add_option("--log-level", *log_level, "trace, debug, info, warn, error")->capture_default_str();
  cmd->callback([o, log_level] {
    configure_logging(*log_level, false);
    auto result = run_load_test(*o);
    std::fputs((o->json ? format_result_json(result) : format_result_text(result)).c_str(), stdout);
    std::fflush(stdout);
    if (!result.ok) throw CLI::RuntimeError(1);
  });
}

}  // namespace ct::app
