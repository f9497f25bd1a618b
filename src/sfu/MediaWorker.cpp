#include "sfu/MediaWorker.hpp"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <future>

#include "core/Log.hpp"
#include "core/Random.hpp"
#include "net/EventLoop.hpp"
#include "sctp/SctpAssociation.hpp"
#include "sfu/EchoSession.hpp"
#include "sfu/Room.hpp"
#include "sfu/WorkerMetrics.hpp"
#include "webrtc/MediaPort.hpp"

namespace ct::sfu {

// Timers of every transport on the worker (DTLS retransmission, consent,
// RTCP) are driven from one periodic tick rather than a timer each.
static constexpr auto kTickInterval = milliseconds(20);
// The tick may run this much early in a turn a packet woke anyway: at call
// rates (a packet every few ms) that spares most ticks a wake-up of their own.
static constexpr auto kTickSlack = milliseconds(8);

MediaWorker::MediaWorker(MediaWorkerConfig config, const dtls::DtlsCertificate& certificate)
    : config_(std::move(config)),
      certificate_(certificate),
      loop_(std::make_unique<net::EventLoop>()),
      port_(std::make_unique<webrtc::MediaPort>(*loop_, config_.bind, config_.announced_ip)) {}

MediaWorker::~MediaWorker() { stop(); }

void MediaWorker::start() {
  port_->start();
  // One timer, not re-armed per firing: the loop's epoll_wait times out on it.
  loop_->set_timer_slack(kTickSlack);
  loop_->set_batch_window(config_.batch_window);
  loop_->schedule_every(kTickInterval, [this] {
    if (!stopping_) on_tick();
  });
  thread_ = std::thread([this] {
    spdlog::info("media worker {} on UDP {} (candidates announce {})", config_.index,
                 config_.bind.to_string(), port_->candidate_address().to_string());
    loop_->run();
  });
}

void MediaWorker::stop() {
  if (!thread_.joinable()) return;
  std::promise<void> done;
  post([this, &done] {
    stopping_ = true;
    for (auto& [id, session] : echo_sessions_) session->close("server shutting down");
    echo_sessions_.clear();
    rooms_.clear();
    port_->close();
    loop_->stop();
    done.set_value();
  });
  done.get_future().wait();
  thread_.join();
}

void MediaWorker::post(std::function<void()> task) {
  queued_tasks_.fetch_add(1, std::memory_order_relaxed);
  loop_->post([this, task = std::move(task)] {
    queued_tasks_.fetch_sub(1, std::memory_order_relaxed);
    task();
  });
}

net::SocketAddress MediaWorker::candidate_address() const { return port_->candidate_address(); }

// The room's own empty timeout (set through the room service API), or the server's.
Duration MediaWorker::empty_timeout(const RoomSettings& settings) const {
  return settings.empty_timeout_seconds ? Duration(seconds(settings.empty_timeout_seconds))
                                        : config_.empty_room_timeout;
}

namespace {
// CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID): a system call (the vDSO does not serve
// this clock), which is why it is read once a second and at a scrape, never per packet.
double thread_cpu_seconds() {
  timespec ts{};
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0;
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}
}  // namespace

void MediaWorker::measure_utilization(TimePoint now) {
  if (utilization_since_ == TimePoint{}) {
    utilization_since_ = now;
    busy_at_since_ = thread_cpu_seconds();
    return;
  }
  const Duration wall = now - utilization_since_;
  if (wall < seconds(1)) return;
  const double busy = thread_cpu_seconds();
  utilization_ = std::clamp((busy - busy_at_since_) / std::chrono::duration<double>(wall).count(), 0.0, 1.0);
  utilization_since_ = now;
  busy_at_since_ = busy;
}

void MediaWorker::on_tick() {
  auto now = Clock::now();
  measure_utilization(now);
  // SCTP retransmissions and heartbeats of every data channel in the
  // process (one usrsctp stack); what they produce is queued to each
  // association's owner and sent from the transports' ticks below.
  sctp::SctpAssociation::handle_timers(now);
  for (auto it = rooms_.begin(); it != rooms_.end();) {
    auto& entry = it->second;
    entry.room->on_tick(now);
    if (!entry.room->empty()) {
      entry.empty_since = {};
    } else if (entry.empty_since == TimePoint{}) {
      entry.empty_since = now;
    } else if (now - entry.empty_since >= empty_timeout(entry.room->settings())) {
      spdlog::info("room '{}' closed (empty)", it->first);
      it = rooms_.erase(it);
      continue;
    }
    ++it;
  }
  for (auto it = echo_sessions_.begin(); it != echo_sessions_.end();) {
    it->second->on_tick(now);
    if (it->second->closed()) {
      spdlog::info("echo {} ended: {}", it->first, it->second->close_reason());
      it = echo_sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

MediaWorker::EchoResult MediaWorker::create_echo(const std::string& offer_sdp) {
  EchoSession::Options options;
  options.transport.aes_cm_only = config_.aes_cm_only;
  options.transport.consent_timeout = config_.consent_timeout;
  auto created = EchoSession::create(offer_sdp, *port_, certificate_, options, Clock::now());
  if (!created.session) return {400, {}, created.error};
  // The id names its worker so DELETE finds the session without a shared table.
  std::string id = std::to_string(config_.index) + "-" + random_token(16);
  spdlog::info("echo {} created ({} m-sections)", id, created.media_count);
  echo_sessions_.emplace(id, std::move(created.session));
  return {201, id, std::move(created.answer_sdp)};
}

RoomOptions MediaWorker::options_for(const RoomSettings& settings) {
  RoomOptions options;
  // A room may ask for fewer participants than the server allows, never more.
  options.max_participants = settings.max_participants
                                 ? std::min<size_t>(settings.max_participants, config_.max_participants)
                                 : config_.max_participants;
  options.aes_cm_only = config_.aes_cm_only;
  options.consent_timeout = config_.consent_timeout;
  options.drop_forwarded_fraction = config_.drop_forwarded_fraction;
  options.subscriber_bwe = config_.subscriber_bwe;
  options.drop_received_fraction = config_.drop_received_fraction;
  options.totals = &totals_;
  options.settings = settings;
  options.settings.max_participants = uint32_t(std::min<size_t>(options.max_participants, UINT32_MAX));
  options.taps = config_.taps;
  options.recordings = config_.recordings;
  options.observer = config_.observer;
  return options;
}

Room& MediaWorker::room(const std::string& name, const RoomSettings& settings) {
  auto it = rooms_.find(name);
  if (it != rooms_.end()) return *it->second.room;
  spdlog::info("room '{}' created on worker {}{}", name, config_.index,
               settings.e2ee_required ? " (end-to-end encrypted)" : "");
  ++totals_.rooms_created;
  auto& entry = rooms_[name];
  entry.room = std::make_unique<Room>(name, options_for(settings), *port_, certificate_);
  return *entry.room;
}

void MediaWorker::update_settings(Room& room, const RoomSettings& settings) {
  room.update_options(options_for(settings));
}

WorkerMetrics MediaWorker::collect_metrics() const {
  WorkerMetrics m;
  m.worker = config_.index;
  m.rooms = rooms_.size();
  m.echo_sessions = echo_sessions_.size();
  m.media = totals_;
  for (const auto& [name, entry] : rooms_) entry.room->add_metrics(m.census, m.media);
  m.socket = port_->socket_stats();
  m.port = port_->stats();
  m.busy_seconds = thread_cpu_seconds();
  m.loop_utilization = utilization_;
  m.queued_tasks = queued_tasks_.load(std::memory_order_relaxed);
  return m;
}

Room* MediaWorker::find_room(const std::string& name) {
  auto it = rooms_.find(name);
  return it == rooms_.end() ? nullptr : it->second.room.get();
}

std::vector<Room*> MediaWorker::rooms() {
  std::vector<Room*> out;
  for (auto& [name, entry] : rooms_) out.push_back(entry.room.get());
  return out;
}

bool MediaWorker::close_room(const std::string& name, std::string_view reason) {
  auto it = rooms_.find(name);
  if (it == rooms_.end()) return false;
  for (const auto& p : it->second.room->participants())
    it->second.room->remove_participant(p.info.identity, reason);
  rooms_.erase(it);
  spdlog::info("room '{}' closed ({})", name, reason);
  return true;
}

bool MediaWorker::delete_echo(const std::string& id) {
  auto it = echo_sessions_.find(id);
  if (it == echo_sessions_.end()) return false;
  it->second->close("deleted by the client");
  echo_sessions_.erase(it);
  spdlog::info("echo {} deleted", id);
  return true;
}

}  // namespace ct::sfu
