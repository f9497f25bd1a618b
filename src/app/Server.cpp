#include "app/Server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "app/ActivityLog.hpp"
#include "app/ApiForwarder.hpp"
#include "app/CascadeController.hpp"
#include "app/MetricsEndpoint.hpp"
#include "app/NodeAdminEndpoint.hpp"
#include "app/NodeRouter.hpp"
#include "app/RecordingStorage.hpp"
#include "core/Log.hpp"
#include "core/Random.hpp"
#include "dtls/DtlsCertificate.hpp"
#include "http/HttpServer.hpp"
#include "net/SocketAddress.hpp"
#include "record/PayloadDump.hpp"
#include "record/RecordingManifest.hpp"
#include "record/RecordingUploader.hpp"
#include "record/RoomRecorder.hpp"
#include "sfu/MediaWorker.hpp"
#include "signal/EchoEndpoint.hpp"
#include "signal/RoomServiceApi.hpp"
#include "signal/RtcService.hpp"
#include "signal/SignalRelay.hpp"
#include "signal/WhepEndpoint.hpp"
#include "signal/WhipEndpoint.hpp"
#include "turn/TurnServer.hpp"
#include "webhook/WebhookSender.hpp"

#ifndef CT_DEFAULT_WEB_ROOT
#define CT_DEFAULT_WEB_ROOT "web/dist"
#endif

namespace ct::app {
namespace {

// The recording_finished webhook of a complete recording folder, from its
// manifest (the folder's names when the manifest cannot be read).
webhook::WebhookEvent recording_finished(const std::filesystem::path& folder) {
  webhook::WebhookEvent::RecordingFinished r;
  std::error_code ec;
  auto absolute = std::filesystem::absolute(folder, ec);
  r.folder = (ec ? folder : absolute).string();
  r.room = folder.parent_path().filename().string();
  r.id = folder.filename().string();
  std::ifstream in(folder / "manifest.json");
  std::stringstream text;
  text << in.rdbuf();
  auto parsed = record::RecordingManifest::parse(text.str());
  if (const auto& m = parsed.manifest) {
    using std::chrono::milliseconds;
    r.room = m->room;
    r.id = m->id;
    r.started_at = std::chrono::system_clock::time_point(milliseconds(m->started_at_ms));
    if (m->stopped_at_ms)
      r.stopped_at = std::chrono::system_clock::time_point(milliseconds(*m->stopped_at_ms));
    r.tracks = m->tracks.size();
  }
  return webhook::WebhookEvent::recording_finished(r);
}

}  // namespace

struct Server::Impl {
  Config config;
  boost::asio::io_context front_io{1};
  std::unique_ptr<dtls::DtlsCertificate> certificate;
  // --webhook-url: declared first, so it outlives everything that tells it of events.
  std::unique_ptr<webhook::WebhookSender> webhooks;
  std::unique_ptr<ActivityLog> activity_log;  // logs joins, leaves and tracks, then tells the webhooks
  // --s3-*, --recording-retention: declared before the recorder, so it outlives the writer thread that feeds
  // it.
  std::unique_ptr<record::RecordingUploader> uploader;
  std::unique_ptr<record::PayloadDump> payload_dump;  // --dev --debug-dump-payloads; outlives the workers
  std::unique_ptr<record::RoomRecorder> recorder;     // --recordings-dir; outlives the workers
  std::vector<std::unique_ptr<sfu::MediaWorker>> workers;
  std::unique_ptr<ct::http::HttpServer> http;
  std::unique_ptr<signal::EchoEndpoint> echo;
  std::shared_ptr<signal::RtcService> rtc;
  std::unique_ptr<signal::RoomServiceApi> room_api;
  std::unique_ptr<signal::WhipEndpoint> whip;
  std::unique_ptr<signal::WhepEndpoint> whep;
  std::unique_ptr<turn::TurnServer> turn;
  std::unique_ptr<MetricsEndpoint> metrics;
  std::unique_ptr<NodeRouter> node;  // cluster membership (--redis) and drain
  std::unique_ptr<NodeAdminEndpoint> node_admin;
  std::unique_ptr<ApiForwarder> api_forwarder;  // --redis: the room API from any node
  std::unique_ptr<CascadeController> cascade;   // --redis --cascade: rooms that span nodes
  std::unique_ptr<boost::asio::steady_timer> drain_check;
  std::chrono::steady_clock::time_point drain_deadline;
  bool started = false;

  void shut_down() {
    http->stop();
    front_io.stop();
  }

  // SIGTERM or POST /admin/node/drain (front thread): stop taking rooms and
  // joins, let the calls here finish, exit when none is left or time is up.
  void begin_drain() {
    if (node->draining()) return;
    auto timeout = config.effective_drain_timeout();
    if (timeout.count() == 0) return shut_down();
    spdlog::info("draining: no new rooms or joins, calls go on for up to {} s", timeout.count());
    node->begin_drain([this](const std::string& room, const std::string& url) {
      size_t sent = rtc->mover().move_room_to_node(room, url);
      spdlog::info("drain: {} participant(s) of room '{}' sent to {}", sent, room, url);
    });
    drain_deadline = std::chrono::steady_clock::now() + timeout;
    drain_check = std::make_unique<boost::asio::steady_timer>(front_io);
    reconnect_relayed();
    check_drained();
  }

  // Clients relayed through this node take their signaling to the node that
  // hosts their room (`reconnect`); their calls run there already. Repeated
  // while draining for those whose resume came through here since.
  void reconnect_relayed() {
    for (const auto& sent : rtc->relayed().reconnect_all("drain"))
      spdlog::info("drain: {} relayed client(s) of room '{}' sent to {}", sent.sessions, sent.room,
                   sent.home_url);
  }

  void check_drained() {
    drain_check->expires_after(std::chrono::seconds(1));
    drain_check->async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      node->count_participants([this](size_t participants) {
        // Relayed clients' calls run on other nodes: they go on until those clients leave.
        participants += signal::SignalRelay::open_count();
        if (participants == 0) {
          spdlog::info("drain: no participant left, shutting down");
          return shut_down();
        }
        if (std::chrono::steady_clock::now() >= drain_deadline) {
          spdlog::warn(
              "drain: --drain-timeout reached with {} participant(s) or relayed client(s) still here, "
              "shutting down",
              participants);
          return shut_down();
        }
        reconnect_relayed();
        check_drained();
      });
    });
  }
};

Server::Server(Config config) : impl_(std::make_unique<Impl>()) { impl_->config = std::move(config); }

Server::~Server() { stop(); }

void Server::start() {
  auto& s = *impl_;
  const Config& c = s.config;
  // One certificate for the process; its fingerprint goes into every answer (RFC 8122).
  s.certificate = std::make_unique<dtls::DtlsCertificate>();

  if (!c.webhook_urls.empty()) {
    webhook::WebhookSender::Settings ws;
    ws.urls = c.webhook_urls;
    ws.api_key = c.webhook_signing_key();
    ws.api_secret = c.keys.at(ws.api_key);
    s.webhooks = std::make_unique<webhook::WebhookSender>(std::move(ws));
    for (const auto& url : c.webhook_urls)
      spdlog::info("webhooks: room events go to {} (signed with API key {})", url, c.webhook_signing_key());
  }

  if (!c.debug_dump_payloads_dir.empty()) {
    s.payload_dump = std::make_unique<record::PayloadDump>(c.debug_dump_payloads_dir);
    spdlog::warn("debug: writing every forwarded VP8 track to {}/<room>/ (development only)",
                 c.debug_dump_payloads_dir);
  }

  if (!c.recordings_dir.empty()) {
    s.recorder = std::make_unique<record::RoomRecorder>(c.recordings_dir);
    spdlog::info("recording: on request, into {}/<room>/<recording-id>/", c.recordings_dir);
  }
  if (s.recorder && (!c.storage_targets.empty() || c.recording_retention.count() > 0)) {
    auto uc = recording_uploader_config(c, [](const char* name) { return std::getenv(name); });
    if (auto* error = std::get_if<std::string>(&uc)) throw std::runtime_error(*error);
    auto& uploader_config = std::get<record::RecordingUploaderConfig>(uc);
    for (const auto& t : uploader_config.targets) {
      spdlog::info("recording: finished recordings go to {} (keys {}<room>/<id>/<file>{})", t.name(),
                   t.prefix, t.sse.empty() ? "" : ", server-side encryption " + t.sse);
    }
    if (c.recording_retention.count() > 0)
      spdlog::info("recording: retention {} s, local and stored copies", c.recording_retention.count());
    s.uploader = std::make_unique<record::RecordingUploader>(std::move(uploader_config));
    if (!c.storage_targets.empty()) {
      s.recorder->on_recording_complete(
          [uploader = s.uploader.get()](const std::filesystem::path& folder) { uploader->enqueue(folder); });
    }
  }

  if (s.recorder && s.webhooks) {
    // recording_finished once the files are complete; then on to object storage, if any.
    record::RecordingUploader* uploader = c.storage_targets.empty() ? nullptr : s.uploader.get();
    s.recorder->on_recording_complete(
        [uploader, webhooks = s.webhooks.get()](const std::filesystem::path& folder) {
          webhooks->enqueue(recording_finished(folder));
          if (uploader) uploader->enqueue(folder);
        });
  }

  std::vector<sfu::MediaWorker*> raw_workers;
  for (unsigned i = 0; i < c.workers; ++i) {
    sfu::MediaWorkerConfig wc;
    wc.index = i;
    wc.bind = *net::SocketAddress::parse_ip(c.rtc_bind, uint16_t(c.rtc_port + i));
    wc.announced_ip = c.announced_ip;
    wc.aes_cm_only = c.srtp_profiles == "aes-cm";
    wc.consent_timeout = c.consent_timeout;
    wc.batch_window = std::chrono::microseconds(c.batch_window_us);
    wc.empty_room_timeout = c.empty_room_timeout;
    wc.max_participants = c.max_participants;
    wc.drop_forwarded_fraction = c.drop_forwarded_fraction;
    wc.subscriber_bwe = c.subscriber_bwe;
    wc.drop_received_fraction = c.drop_received_fraction;
    wc.taps = s.payload_dump.get();
    wc.recordings = s.recorder.get();
    if (!s.activity_log) s.activity_log = std::make_unique<ActivityLog>(s.webhooks.get());
    wc.observer = s.activity_log.get();
    s.workers.push_back(std::make_unique<sfu::MediaWorker>(wc, *s.certificate));
    raw_workers.push_back(s.workers.back().get());
  }

  http::HttpServerConfig hc;
  hc.bind_address = c.http_bind;
  hc.port = c.http_port;
  hc.static_root = c.web_root.empty() ? std::string(CT_DEFAULT_WEB_ROOT) : c.web_root;
  s.http = std::make_unique<http::HttpServer>(s.front_io, hc);
  // A draining node says so (503) for a load balancer to send new clients
  // elsewhere; the calls it hosts go on (docs/operations.md, "Drain").
  s.http->add_route("GET", "/healthz", [&s](http::HttpRequest, http::Responder r) {
    if (s.node && s.node->draining()) return r(http::HttpResponse::json(503, R"({"status":"draining"})"));
    r(http::HttpResponse::text(200, "ok\n"));
  });
  s.echo = std::make_unique<signal::EchoEndpoint>(raw_workers);
  s.echo->install(*s.http);
  // Embedded TURN: relays to our own media ports are allowed explicitly
  // (they are on loopback or a private address, which TURN refuses by default).
  std::vector<std::string> turn_secrets = c.turn_secrets;
  if (c.turn_enabled && turn_secrets.empty()) turn_secrets.push_back(random_token(32));  // --dev
  if (c.turn_enabled) {
    turn::TurnServerConfig tc;
    tc.listen_address = c.rtc_bind;
    tc.port = c.turn_port;
    tc.tls_port = c.turn_tls_port;
    tc.realm = c.turn_realm;
    tc.secrets = turn_secrets;
    tc.tls_cert_file = c.turn_tls_cert;
    tc.tls_key_file = c.turn_tls_key;
    tc.dev = c.dev;
    tc.relay_address = c.rtc_bind;
    tc.external_address = c.announced_ip;
    s.turn = std::make_unique<turn::TurnServer>(tc);
    for (auto& w : s.workers) s.turn->allow_peer(w->candidate_address());
  }

  signal::RtcServiceConfig rc;
  rc.keys = c.keys;
  rc.dev = c.dev;
  rc.e2ee_required = c.room_e2ee == "required";
  rc.reconnect_window = c.reconnect_window;
  rc.max_message_bytes = c.max_message_bytes;
  rc.messages_per_second = c.messages_per_second;
  rc.message_burst = c.messages_per_second * 3;
  rc.max_connections_per_ip = c.max_connections_per_ip;
  rc.max_connections = c.max_connections;
  if (c.turn_enabled) {
    std::string host = !c.turn_host.empty() ? c.turn_host : c.candidate_ip();
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    signal::RtcServiceConfig::TurnOffer offer;
    offer.urls = {"turn:" + host + ":" + std::to_string(c.turn_port) + "?transport=udp",
                  "turn:" + host + ":" + std::to_string(c.turn_port) + "?transport=tcp"};
    if (c.turn_tls_port)
      offer.urls.push_back("turns:" + host + ":" + std::to_string(c.turn_tls_port) + "?transport=tcp");
    offer.secret = turn_secrets.front();
    offer.ttl = c.turn_credential_ttl;
    rc.turn.push_back(std::move(offer));
  }
  if (!c.external_turn_urls.empty()) {
    rc.turn.push_back({c.external_turn_urls, c.external_turn_secret, c.turn_credential_ttl});
  }
  for (const auto& ice : c.ice_servers) rc.ice_servers.push_back({ice.urls, ice.username, ice.credential});
  rc.is_turn_relay = [turn = s.turn.get()](const net::SocketAddress& a) {
    return turn && turn->is_relay_address(a);
  };
  rc.post_to_front = [&io = s.front_io](std::function<void()> task) {
    boost::asio::post(io, std::move(task));
  };
  s.rtc = std::make_shared<signal::RtcService>(rc, raw_workers);
  s.node = std::make_unique<NodeRouter>(s.config, s.front_io, raw_workers);
  s.rtc->set_join_router(s.node->join_router());
  s.rtc->install(*s.http);
  s.room_api = std::make_unique<signal::RoomServiceApi>(
      s.rtc->verifier(),
      [rtc = s.rtc.get()](const std::string& room) -> sfu::MediaWorker& { return rtc->worker_for(room); },
      raw_workers,
      signal::RoomServiceApiConfig{
          32 * 1024, c.api_requests_per_second, c.api_request_burst, c.room_e2ee == "required",
          [&io = s.front_io](std::function<void()> task) { boost::asio::post(io, std::move(task)); },
          [turn = s.turn.get()](const net::SocketAddress& a) { return turn && turn->is_relay_address(a); }});
  if (!c.cluster_redis.empty()) {
    // In front of the API's own routes: calls for rooms on other nodes go there.
    s.api_forwarder = std::make_unique<ApiForwarder>(*s.node, *s.room_api, s.front_io, s.rtc->verifier());
    s.api_forwarder->install(*s.http);
  }
  if (!c.cluster_redis.empty() && c.cluster_cascade && !CascadeController::link_host(c)) {
    spdlog::warn("cascade: off, as --node-url ({}) names no IP address the other nodes' links could send to",
                 c.node_url());
  } else if (!c.cluster_redis.empty() && c.cluster_cascade) {
    s.cascade = std::make_unique<CascadeController>(s.config, raw_workers);
    s.cascade->install(*s.http);
    s.node->set_cascade([cascade = s.cascade.get()](const std::string& room, const cluster::NodeEntry& home) {
      cascade->serve(room, home);
    });
  }
  s.room_api->install(*s.http);
  s.room_api->set_mover(&s.rtc->mover());
  s.whip = std::make_unique<signal::WhipEndpoint>(*s.rtc);
  s.whip->install(*s.http);
  s.whep = std::make_unique<signal::WhepEndpoint>(*s.rtc);
  s.whep->install(*s.http);
  s.metrics = std::make_unique<MetricsEndpoint>(
      s.front_io,
      MetricsSources{raw_workers, s.rtc.get(), s.turn.get(), s.uploader.get(), s.webhooks.get(), s.whip.get(),
                     s.node.get(), s.room_api.get(), s.whep.get(), s.cascade.get()});
  s.metrics->install(*s.http);
  s.node_admin = std::make_unique<NodeAdminEndpoint>(
      s.rtc->verifier(), *s.node, [&s] { boost::asio::post(s.front_io, [&s] { s.begin_drain(); }); });
  s.node_admin->install(*s.http);

  if (s.webhooks) s.webhooks->start();
  for (auto& w : s.workers) w->start();
  if (s.turn) s.turn->start();
  s.http->start();
  s.node->start();
  if (s.cascade) s.cascade->start();
  s.started = true;

  if (c.dev) {
    spdlog::warn("**************************************************************");
    spdlog::warn("development mode: loopback only, API key 'devkey' with secret");
    spdlog::warn("'devsecret', tokens from GET /api/dev/token. Not for production.");
    spdlog::warn("**************************************************************");
  }
  if (c.drop_forwarded_fraction > 0) {
    spdlog::warn("TESTING: dropping {:.1f}% of forwarded packets", c.drop_forwarded_fraction * 100);
  }
  if (c.drop_received_fraction > 0) {
    spdlog::warn("TESTING: dropping {:.1f}% of received media packets", c.drop_received_fraction * 100);
  }
  spdlog::info("CipherTalk listening on http://{}:{} (web client from {}; Prometheus metrics at /metrics)",
               c.http_bind, s.http->port(), hc.static_root);
}

void Server::run_until_signal() {
  auto& s = *impl_;
  boost::asio::signal_set signals(s.front_io, SIGINT, SIGTERM);
  std::function<void()> wait_for_signal = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int signo) {
      if (ec) return;
      if (signo == SIGINT || s.node->draining() || s.config.effective_drain_timeout().count() == 0) {
        spdlog::info("signal {} received, shutting down", signo);
        return s.shut_down();
      }
      spdlog::info("signal {} received", signo);
      s.begin_drain();
      wait_for_signal();  // a second one exits at once
    });
  };
  wait_for_signal();
  s.front_io.run();
  stop();
}

void Server::stop() {
  auto& s = *impl_;
  if (!s.started) return;
  s.started = false;
  if (s.http) s.http->stop();
  if (s.node) s.node->stop();
  if (s.cascade) s.cascade->stop();
  for (auto& w : s.workers) w->stop();
  if (s.webhooks) s.webhooks->stop();  // the rooms' last events, for a moment
  if (s.turn) s.turn->stop();
  s.front_io.stop();
  spdlog::info("CipherTalk stopped");
}

}  // namespace ct::app
