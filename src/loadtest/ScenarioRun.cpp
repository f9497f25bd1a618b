#include "loadtest/ScenarioRun.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <vector>

#include "core/Clock.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "loadtest/ProcessCpu.hpp"
#include "loadtest/WsUrl.hpp"
#include "net/SocketAddress.hpp"

namespace ct::loadtest {

namespace {

constexpr Duration kTick = milliseconds(2);
// After every subscriber is connected the server may still be applying the
// last answers (a WebSocket message and a task post away).
constexpr Duration kSettle = milliseconds(300);
// Packets in flight when the publishers stop.
constexpr Duration kDrain = milliseconds(500);

double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

// The test as a sequence of phases, advanced from one periodic timer.
class ScenarioRun::Impl {
 public:
  Impl(const Scenario& scenario, TokenIssuer issuer) : scenario_(scenario), issue_token_(std::move(issuer)) {}

  Report run() {
    auto url = WsUrl::parse(scenario_.url);
    if (!url) {
      result_.error = "invalid --url '" + scenario_.url + "' (ws://HOST:PORT[/PATH])";
      return result_;
    }
    endpoint_ = SignalEndpoint{url->host, url->port, url->path, scenario_.target, scenario_.room};
    if (!scenario_.bind_address.empty() && !net::SocketAddress::parse_ip(scenario_.bind_address, 0)) {
      result_.error = "invalid --bind '" + scenario_.bind_address + "' (an IPv4 or IPv6 address)";
      return result_;
    }
    if (scenario_.simulcast && scenario_.target == ServerTarget::Janus) {
      result_.error =
          "--simulcast needs --target ciphertalk (its layers follow CipherTalk's tile-size requests)";
      return result_;
    }
    result_.publishers = scenario_.publishers;
    result_.subscribers = scenario_.subscribers;
    result_.rooms = std::max(1u, scenario_.rooms);
    result_.target = scenario_.target == ServerTarget::Janus ? "janus" : "ciphertalk";
    try {
      // Room-major: participant i of a group is in room i / (its count per room).
      for (unsigned room = 0; room < result_.rooms; ++room) {
        const std::string name =
            result_.rooms == 1 ? scenario_.room : scenario_.room + "-" + std::to_string(room);
        const std::string tag = result_.rooms == 1 ? "" : "r" + std::to_string(room) + "-";
        for (unsigned i = 0; i < scenario_.publishers; ++i)
          publishers_.push_back(
              make(Participant::Role::Publisher, name, "loadtest-" + tag + "pub-" + std::to_string(i), i));
        for (unsigned i = 0; i < scenario_.subscribers; ++i)
          subscribers_.push_back(
              make(Participant::Role::Subscriber, name, "loadtest-" + tag + "sub-" + std::to_string(i), i));
      }
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

  // `index`: the participant's number within its role in its room.
  std::unique_ptr<Participant> make(Participant::Role role, const std::string& room,
                                    const std::string& identity, unsigned index) {
    Participant::Config c;
    c.role = role;
    c.identity = identity;
    c.token = issue_token_(room, identity, role);
    c.video_pps = scenario_.video_pps;
    c.payload_bytes = scenario_.payload_bytes;
    c.audio = scenario_.audio;
    c.unprotect_interval = scenario_.unprotect_interval;
    c.polled_receive = !scenario_.wake_on_receive;
    c.source = uint16_t(index);  // stamped into every payload it sends
    if (!scenario_.bind_address.empty()) {
      c.bind_address = scenario_.bind_address;
      c.bind_signaling = true;
    }
    if (scenario_.simulcast) {
      c.simulcast = true;
      c.unprotect_interval = 1;  // every packet is checked
      c.layer_switch_interval = std::chrono::duration_cast<Duration>(
          std::chrono::duration<double>(scenario_.layer_switch_interval_s));
      c.switch_phase = index;  // staggered, so every layer is wanted at once
      c.sources = scenario_.publishers;
    }
    SignalEndpoint endpoint = endpoint_;
    endpoint.room = room;
    return std::make_unique<Participant>(io_, certificate_, endpoint, std::move(c));
  }

  void arm() {
    timer_.expires_after(kTick);
    timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      step(Clock::now());
      if (phase_ != Phase::Done) arm();
    });
  }

  bool all(const std::vector<std::unique_ptr<Participant>>& group,
           const std::function<bool(const Participant&)>& predicate) const {
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
        now - started_ >
            std::chrono::duration_cast<Duration>(std::chrono::duration<double>(scenario_.setup_timeout_s))) {
      return abort("setup did not finish within " + std::to_string(int(scenario_.setup_timeout_s)) + " s");
    }
    int tracks_per_publisher = scenario_.audio ? 2 : 1;
    int expected_tracks = int(scenario_.publishers) * tracks_per_publisher;
    switch (phase_) {
      case Phase::Publishing:
        if (all(publishers_, [](const auto& p) { return p.connected(); })) {
          for (auto& s : subscribers_) s->start(now);
          phase_ = Phase::Subscribing;
        }
        break;
      case Phase::Subscribing:
        if (all(subscribers_,
                [&](const auto& p) { return p.connected() && p.subscribed_tracks() >= expected_tracks; })) {
          phase_ = Phase::Settling;
          phase_start_ = now;
        }
        break;
      case Phase::Settling:
        if (now - phase_start_ >= kSettle) begin_media(now);
        break;
      case Phase::Media:
        if (now - phase_start_ >=
            std::chrono::duration_cast<Duration>(std::chrono::duration<double>(scenario_.duration_s))) {
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
    for (auto& s : subscribers_) video_base_.push_back(s->stats().video);
    client_cpu_start_ = own_cpu_seconds();
    if (scenario_.server_pid > 0) server_cpu_start_ = process_cpu_seconds(scenario_.server_pid);
    for (auto& p : publishers_) p->start_media(now);
    phase_ = Phase::Media;
    phase_start_ = now;
  }

  void collect(TimePoint now) {
    auto& r = result_;
    r.duration_s = std::chrono::duration<double>(now - phase_start_).count();
    r.client_cpu_s = own_cpu_seconds() - client_cpu_start_;
    if (server_cpu_start_) {
      if (auto end = process_cpu_seconds(scenario_.server_pid)) r.server_cpu_s = *end - *server_cpu_start_;
    }
    for (auto& p : publishers_) {
      auto s = p->stats();
      r.packets_sent += s.video_sent + s.audio_sent;
      r.keyframe_requests += s.keyframe_requests;
      if (r.srtp_profile.empty()) r.srtp_profile = p->srtp_profile();
      r.publisher_send_errors += s.send_errors;
      for (size_t l = 0; l < s.layer_packets_sent.size(); ++l)
        r.layer_packets_sent[l] += s.layer_packets_sent[l];
      r.layer_pauses += s.layer_pauses;
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
      add_simulcast(r, s, i);
    }
    r.received_avg = subscribers_.empty() ? 0 : double(r.received_total) / double(subscribers_.size());
    // Each subscriber expects what its own room's publishers sent.
    double expected = 0;
    for (size_t i = 0; i < publishers_.size(); ++i) {
      auto s = publishers_[i]->stats();
      expected += double(s.video_sent + s.audio_sent) * double(scenario_.subscribers);
    }
    LatencyHistogram latency;
    for (const auto& s : subscribers_) latency.merge(s->latency());
    r.latency_samples = latency.count();
    r.latency_p50_ms = ms(latency.quantile(0.50));
    r.latency_p99_ms = ms(latency.quantile(0.99));
    r.latency_avg_ms = ms(latency.mean());
    r.latency_max_ms = ms(latency.max());
    r.loss_percent = expected > 0 ? std::max(0.0, 100.0 * (1.0 - double(r.received_total) / expected)) : 0;
    if (scenario_.simulcast) {
      // Each subscriber receives one layer: loss is what its sequence numbers skipped.
      const double video = double(r.simulcast.video_received + r.simulcast.lost);
      r.loss_percent = video > 0 ? 100.0 * double(r.simulcast.lost) / video : 0;
    }
    r.ok = true;
  }

  // The media window's share of what a subscriber's video checks saw.
  void add_simulcast(Report& r, const Participant::Stats& s, size_t i) const {
    if (!scenario_.simulcast) return;
    const auto& v = s.video;
    const auto& b = video_base_[i];
    auto& m = r.simulcast;
    m.enabled = true;
    m.switch_requests += s.switch_requests;
    const uint64_t switches = v.layer_switches - b.layer_switches;
    m.switches += switches;
    m.switches_min = i == 0 ? switches : std::min(m.switches_min, switches);
    m.discontinuities += v.discontinuities - b.discontinuities;
    m.video_received += v.packets - b.packets;
    m.lost += v.lost - b.lost;
    m.late += v.late - b.late;
    for (size_t l = 0; l < v.layer_packets.size(); ++l)
      m.layer_packets_received[l] += v.layer_packets[l] - b.layer_packets[l];
  }

  const Scenario scenario_;
  TokenIssuer issue_token_;
  SignalEndpoint endpoint_;
  boost::asio::io_context io_;
  boost::asio::steady_timer timer_{io_};
  dtls::DtlsCertificate certificate_;  // one for every participant: generating it is the slow part
  std::vector<std::unique_ptr<Participant>> publishers_, subscribers_;
  Phase phase_ = Phase::Publishing;
  TimePoint started_{}, phase_start_{}, drain_start_{}, setup_done_{};
  std::vector<uint64_t> received_base_, unprotected_base_;
  std::vector<StreamContinuity::Stats> video_base_;
  double client_cpu_start_ = 0;
  std::optional<double> server_cpu_start_;
  Report result_;
};

ScenarioRun::ScenarioRun(const Scenario& scenario, TokenIssuer issue_token)
    : impl_(std::make_unique<Impl>(scenario, std::move(issue_token))) {}

ScenarioRun::~ScenarioRun() = default;

Report ScenarioRun::run() { return impl_->run(); }

}  // namespace ct::loadtest
