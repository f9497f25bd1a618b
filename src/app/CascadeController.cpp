#include "app/CascadeController.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <future>
#include <set>

#include "app/ApiClient.hpp"
#include "cascade/CascadeExchange.hpp"
#include "cascade/CascadeWorker.hpp"
#include "cluster/ClusterStore.hpp"
#include "cluster/RedisClusterStore.hpp"
#include "cluster/RedisUrl.hpp"
#include "cluster/RoomNodes.hpp"
#include "cluster/RoomNodesStore.hpp"
#include "core/Log.hpp"
#include "http/HttpServer.hpp"
#include "sfu/MediaWorker.hpp"
#include "signal/AccessToken.hpp"

namespace ct::app {

namespace asio = boost::asio;

namespace {

constexpr auto kRoundEvery = std::chrono::milliseconds(500);
constexpr auto kWorkerAnswer = std::chrono::seconds(2);
constexpr long kPostTimeoutSeconds = 2;
constexpr auto kJoinGrace = std::chrono::seconds(10);
constexpr std::string_view kBearer = "Bearer ";
// Who a cascade credential names: a node of the cluster (docs/api.md, "Between nodes").
constexpr std::string_view kCascadeIdentity = "ciphertalk-cascade";

// Runs `task` on `worker`'s thread and waits for its result (nothing when
// the worker does not answer in time: it is stopping, or stuck).
template <class Task>
auto on_worker(sfu::MediaWorker& worker, Task task) -> std::optional<decltype(task())> {
  using Result = decltype(task());
  auto promise = std::make_shared<std::promise<Result>>();
  auto future = promise->get_future();
  worker.post([promise, task = std::move(task)]() mutable { promise->set_value(task()); });
  if (future.wait_for(kWorkerAnswer) != std::future_status::ready) return std::nullopt;
  return future.get();
}

std::string host_of(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find('/', start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (!authority.empty() && authority.front() == '[') return authority.substr(1, authority.find(']') - 1);
  return authority.substr(0, authority.rfind(':'));
}

}  // namespace

struct CascadeController::Thread {
  Thread(const Config& config)
      : work(asio::make_work_guard(io)),
        timer(io),
        nodes(*cluster::RedisUrl::parse(config.cluster_redis), std::chrono::milliseconds(1000)),
        room_nodes(*cluster::RedisUrl::parse(config.cluster_redis), std::chrono::milliseconds(1000)) {}
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::steady_timer timer;
  cluster::RedisClusterStore nodes;    // the registry (read only)
  cluster::RoomNodesStore room_nodes;  // the cascaded rooms' hashes
  std::thread thread;
};

CascadeController::CascadeController(const Config& config, std::vector<sfu::MediaWorker*> workers)
    : config_(config), workers_(std::move(workers)), link_host_(link_host(config).value_or("")) {
  for (sfu::MediaWorker* w : workers_) {
    uint16_t port = config_.cluster_cascade_port ? uint16_t(config_.cluster_cascade_port + w->index()) : 0;
    auto bind = net::SocketAddress::parse_ip(config_.rtc_bind, port);
    cascades_.push_back(std::make_unique<cascade::CascadeWorker>(*w, *bind, config_.drop_forwarded_fraction));
  }
  thread_ = std::make_unique<Thread>(config_);
  spdlog::info("cascade: links on {}:{}{}", link_host_, cascades_.empty() ? 0 : cascades_.front()->port(),
               cascades_.size() > 1 ? " (and one port more per worker)" : "");
}

CascadeController::~CascadeController() { stop(); }

std::optional<std::string> CascadeController::link_host(const Config& config) {
  std::string host = host_of(config.node_url());
  if (!net::SocketAddress::parse_ip(host, 0)) return std::nullopt;
  return host;
}

void CascadeController::start() {
  schedule_round();
  thread_->thread = std::thread([this] { thread_->io.run(); });
}

void CascadeController::stop() {
  if (!thread_ || !thread_->thread.joinable()) return;
  asio::post(thread_->io, [this] { thread_->timer.cancel(); });
  thread_->work.reset();
  thread_->io.stop();
  thread_->thread.join();
}

void CascadeController::install(http::HttpServer& server) {
  server.add_route("POST", kPath, [this](http::HttpRequest request, http::Responder respond) {
    handle(std::move(request), std::move(respond));
  });
}

void CascadeController::serve(const std::string& room, const cluster::NodeEntry& home) {
  std::lock_guard lock(mutex_);
  bool added = rooms_.insert_or_assign(room, Served{home, std::chrono::steady_clock::now()}).second;
  if (added) spdlog::info("cascade: room '{}' served here too (home: '{}')", room, home.id);
}

sfu::MediaWorker& CascadeController::worker_for(const std::string& room) const {
  // As signal::RtcService places rooms: every node with the same worker count agrees.
  return *workers_[std::hash<std::string>{}(room) % workers_.size()];
}

cascade::CascadeWorker& CascadeController::cascade_of(const sfu::MediaWorker& worker) const {
  return *cascades_[worker.index()];
}

std::string CascadeController::credential() const {
  if (config_.keys.empty()) return {};
  const auto& [key, secret] = *config_.keys.begin();
  signal::AccessTokenClaims claims;
  claims.identity = std::string(kCascadeIdentity);
  claims.metadata = config_.node_id();
  claims.expires = std::chrono::system_clock::now() + std::chrono::minutes(1);
  return signal::AccessTokenSigner(key, secret).sign(claims);
}

bool CascadeController::credential_ok(const http::HttpRequest& request) const {
  std::string_view auth = request.header("authorization");
  if (!auth.starts_with(kBearer) || config_.keys.empty()) return false;
  signal::AccessTokenVerifier verifier(config_.keys);
  auto claims = verifier.verify(auth.substr(kBearer.size()), std::chrono::system_clock::now());
  return claims && claims->identity == kCascadeIdentity;
}

void CascadeController::schedule_round() {
  thread_->timer.expires_after(kRoundEvery);
  thread_->timer.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    round();
    schedule_round();
  });
}

void CascadeController::round() {
  std::map<std::string, Served> rooms;
  {
    std::lock_guard lock(mutex_);
    rooms = rooms_;
  }
  for (const auto& [room, served] : rooms) {
    try {
      round_for(room, served);
    } catch (const cluster::ClusterStoreError& e) {
      spdlog::warn("cascade: room '{}': {}", room, e.what());
    }
  }
  collect_metrics();
}

void CascadeController::round_for(const std::string& room, const Served& served) {
  const cluster::NodeEntry& home = served.home;
  sfu::MediaWorker& worker = worker_for(room);
  cascade::CascadeWorker& cascade = cascade_of(worker);
  const std::string self = config_.node_id();
  auto local = on_worker(worker, [&cascade, room] { return cascade.local_participants(room); });
  if (!local) return;
  if (*local == 0) {
    // The join that made the room cascaded here may not have reached its worker yet.
    if (std::chrono::steady_clock::now() - served.since < kJoinGrace) return;
    // No one here: this node leaves the room's nodes; the others drop their
    // links once they hear nothing more, and the room empties here.
    thread_->room_nodes.remove(room, self);
    std::lock_guard lock(mutex_);
    if (auto it = rooms_.find(room); it != rooms_.end() && it->second.since == served.since) rooms_.erase(it);
    return;
  }
  thread_->room_nodes.set(room, self, cluster::LinkAddress{link_host_, cascade.port()});
  std::vector<cluster::NodeEntry> live = thread_->nodes.live_nodes();
  auto fields = thread_->room_nodes.fields(room);
  std::map<std::string, std::string> urls;  // peer id -> its HTTP base
  for (const auto& peer : cluster::peer_room_nodes(fields, live, self))
    for (const auto& n : live)
      if (n.id == peer.id) urls[n.id] = n.url;
  for (const auto& n : live)
    if (n.id == home.id && n.id != self) urls[n.id] = n.url;
  std::vector<std::string> peers;
  for (const auto& [id, url] : urls) peers.push_back(id);
  auto outgoing = on_worker(worker, [&cascade, room, peers] { return cascade.prepare(room, peers); });
  if (!outgoing || !*outgoing) return;
  auto address = net::SocketAddress::parse_ip(link_host_, cascade.port());
  if (!address) return;
  for (auto& out : **outgoing) {
    cascade::CascadeExchange request{room, self, *address, std::move(out.offer), std::move(out.messages)};
    ApiClient client(urls[out.peer], credential(), kPostTimeoutSeconds);
    ApiResponse r = client.request("POST", kPath, cascade::to_json(request));
    auto answer = r.status == 200 ? cascade::parse_cascade_exchange(r.body) : std::nullopt;
    if (!answer || answer->room != room || answer->node != out.peer) {
      spdlog::warn("cascade: room '{}': node '{}' answered {} {}", room, out.peer, r.status,
                   r.status ? "" : r.error);
      // Its keys go with the next round (copied: the worker may run this after the wait).
      on_worker(worker, [&cascade, room, peer = out.peer, messages = std::move(request.messages)] {
        cascade.return_keys(room, peer, messages);
        return true;
      });
      continue;
    }
    on_worker(worker, [&cascade, answer = std::move(*answer)] {
      return cascade.receive(answer.room, answer.node, answer.offer, answer.address, answer.messages, false)
          .has_value();
    });
  }
}

void CascadeController::handle(http::HttpRequest request, http::Responder respond) {
  if (!credential_ok(request)) {
    return respond(http::HttpResponse::json(
        401, R"({"error":"unauthorized","message":"a node credential is required"})"));
  }
  auto exchange = cascade::parse_cascade_exchange(request.body);
  if (!exchange || exchange->node == config_.node_id()) {
    return respond(
        http::HttpResponse::json(400, R"({"error":"bad_request","message":"not a cascade exchange"})"));
  }
  sfu::MediaWorker& worker = worker_for(exchange->room);
  cascade::CascadeWorker& cascade = cascade_of(worker);
  worker.post([this, &cascade, exchange = std::move(*exchange), respond = std::move(respond),
               self = config_.node_id()]() mutable {
    auto answer = cascade.receive(exchange.room, exchange.node, exchange.offer, exchange.address,
                                  exchange.messages, true);
    if (!answer) {
      return respond(http::HttpResponse::json(503, R"({"error":"unavailable","message":"no room here"})"));
    }
    net::SocketAddress link = *net::SocketAddress::parse_ip(link_host_, cascade.port());
    cascade::CascadeExchange reply{exchange.room, self, link, std::move(answer->offer),
                                   std::move(answer->messages)};
    respond(http::HttpResponse::json(200, cascade::to_json(reply)));
  });
}

void CascadeController::collect_metrics() {
  std::map<std::string, cascade::CascadeWorker::PeerTotals> totals;
  for (sfu::MediaWorker* w : workers_) {
    cascade::CascadeWorker& cascade = cascade_of(*w);
    auto mine = on_worker(*w, [&cascade] { return cascade.totals(); });
    if (!mine) return;  // keep the last: a worker that does not answer is stopping
    for (const auto& [peer, t] : *mine) {
      auto& sum = totals[peer];
      sum.streams_sent += t.streams_sent;
      sum.packets_sent += t.packets_sent;
      sum.retransmissions += t.retransmissions;
      sum.keyframe_requests_received += t.keyframe_requests_received;
      sum.keyframe_requests_sent += t.keyframe_requests_sent;
    }
  }
  uint64_t received = 0, sent = 0;
  std::string text =
      "# HELP ciphertalk_cascade_streams_sent Tracks this node sends to another node of a cascaded room, per "
      "node.\n"
      "# TYPE ciphertalk_cascade_streams_sent gauge\n";
  for (const auto& [peer, t] : totals)
    text += "ciphertalk_cascade_streams_sent{peer=\"" + peer + "\"} " + std::to_string(t.streams_sent) + "\n";
  text +=
      "# HELP ciphertalk_cascade_packets_sent_total RTP packets sent over cascade links, per node.\n"
      "# TYPE ciphertalk_cascade_packets_sent_total counter\n";
  for (const auto& [peer, t] : totals) {
    text += "ciphertalk_cascade_packets_sent_total{peer=\"" + peer + "\"} " + std::to_string(t.packets_sent) +
            "\n";
    received += t.keyframe_requests_received;
    sent += t.keyframe_requests_sent;
  }
  text +=
      "# HELP ciphertalk_cascade_retransmissions_total Packets sent again over cascade links on the other "
      "node's NACKs, per node.\n"
      "# TYPE ciphertalk_cascade_retransmissions_total counter\n";
  for (const auto& [peer, t] : totals)
    text += "ciphertalk_cascade_retransmissions_total{peer=\"" + peer + "\"} " +
            std::to_string(t.retransmissions) + "\n";
  text +=
      "# HELP ciphertalk_cascade_keyframe_requests_total Keyframe requests over cascade links: received for "
      "this "
      "node's tracks, sent for other nodes' tracks.\n"
      "# TYPE ciphertalk_cascade_keyframe_requests_total counter\n"
      "ciphertalk_cascade_keyframe_requests_total{direction=\"received\"} " +
      std::to_string(received) +
      "\n"
      "ciphertalk_cascade_keyframe_requests_total{direction=\"sent\"} " +
      std::to_string(sent) + "\n";
  std::lock_guard lock(mutex_);
  metrics_ = std::move(text);
}

std::string CascadeController::metrics_text() const {
  std::lock_guard lock(mutex_);
  return metrics_;
}

}  // namespace ct::app
