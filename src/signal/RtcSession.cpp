#include "signal/RtcSession.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

#include "core/Log.hpp"
#include "core/TokenBucket.hpp"
#include "http/WebSocketUpgrade.hpp"
#include "sfu/MediaWorker.hpp"
#include "sfu/Room.hpp"
#include "signal/BreakoutRooms.hpp"
#include "signal/CandidateRequests.hpp"
#include "signal/JoinRefusalLog.hpp"
#include "signal/ParticipantMover.hpp"
#include "signal/SignalProtocol.hpp"
#include "signal/SignalRelay.hpp"
#include "signal/StatsRequestHandler.hpp"

namespace ct::signal {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace asio = boost::asio;

namespace {

// Rate-limit refusals further apart than this start the strike count afresh.
constexpr Duration kStrikeMemory = seconds(10);
// A participant told to move that has not joined the new room by then leaves the old one anyway.
constexpr std::chrono::seconds kMoveTimeout{20};

// The publisher offer a media worker is carrying out, if any: an error the
// room delivers meanwhile is that offer's refusal (a "publish" log line).
struct OfferInProgress {
  std::string_view room, identity;
};
thread_local const OfferInProgress* t_offer = nullptr;

class RtcSession final : public MovableSession, public std::enable_shared_from_this<RtcSession> {
 public:
  RtcSession(std::shared_ptr<RtcSessionListener> service, http::HttpRequest request,
             std::unique_ptr<http::UpgradedConnection> c)
      : service_(std::move(service)),
        remote_ip_(request.remote_ip),
        upgrade_request_(std::move(c->request)),
        ws_(std::move(c->stream)),
        auth_timer_(ws_.get_executor()),
        bucket_(service_->config().messages_per_second, service_->config().message_burst) {}

  ~RtcSession() {
    if (counted_) service_->release_connection(remote_ip_);
  }

  void start() {
    counted_ = service_->acquire_connection(remote_ip_);
    if (!counted_) spdlog::warn("rtc: too many connections from {}", remote_ip_);
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "CipherTalk"); }));
    // RFC 6455 §7.4.1: frames over the limit close the connection with 1009.
    ws_.read_message_max(service_->config().max_message_bytes);
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept(upgrade_request_,
                     [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  // Called by the room's sink (any thread): hop onto the strand.
  void deliver(sfu::RoomEvent event) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), event = std::move(event)]() mutable {
      if (auto* removed = std::get_if<sfu::event::Removed>(&event)) {
        self->removed_ = true;
        self->send(serialize_event(event));
        self->close(websocket::close_code::policy_error, removed->reason);
        return;
      }
      if (auto* error = std::get_if<sfu::event::Error>(&event)) self->service_->count_error(error->code);
      if (std::holds_alternative<sfu::event::Joined>(event)) {
        self->send(serialize_event(event, self->service_->ice_servers_for(self->identity_)));
        // Known to the mover once the room took it (a move completes here).
        if (!self->closing_) {
          self->registered_ = true;
          self->service_->mover().joined(self->room_, self->claims_, self->weak_from_this());
        }
        return;
      }
      self->send(serialize_event(event));
    });
  }

  void send_text(std::string message) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), message = std::move(message)]() mutable {
      self->send(std::move(message));
    });
  }

  void send_move(std::string message) override {
    asio::post(ws_.get_executor(), [self = shared_from_this(), message = std::move(message)]() mutable {
      if (self->closing_) return;
      self->send(std::move(message));
      auto timer = std::make_shared<asio::steady_timer>(self->ws_.get_executor(), kMoveTimeout);
      timer->async_wait([timer, weak = self->weak_from_this()](beast::error_code ec) {
        if (auto s = weak.lock(); s && !ec) s->leave_moved();
      });
    });
  }

  void moved_away() override {
    asio::post(ws_.get_executor(), [self = shared_from_this()] { self->leave_moved(); });
  }

 private:
  // The participant went to another room: it leaves this one, the others see reason "moved".
  void leave_moved() {
    if (!joined_ || left_ || closing_) return;
    left_ = true;
    with_room([identity = identity_](sfu::Room& room) { room.leave(identity, "moved"); });
    close(websocket::close_code::normal, "moved");
  }

  // The room's view of this session: a weak link, so a room never keeps a
  // closed connection alive.
  class Sink final : public sfu::ParticipantSink {
   public:
    explicit Sink(std::weak_ptr<RtcSession> session) : session_(std::move(session)) {}
    void deliver(sfu::RoomEvent event) override {
      // A publisher offer the room refused (its error comes while the offer runs) gets its log line.
      if (auto* error = std::get_if<sfu::event::Error>(&event); error && t_offer)
        log_event(spdlog::level::info, {t_offer->room, t_offer->identity, "publish", error->code},
                  "publish refused");
      if (auto s = session_.lock()) s->deliver(std::move(event));
    }
    // The room refused the join (room_full): the connection stays, not joined.
    void join_refused(sfu::event::Error error) {
      if (auto s = session_.lock()) s->join_refused(std::move(error));
    }

   private:
    std::weak_ptr<RtcSession> session_;
  };

  void on_accept(beast::error_code ec) {
    if (ec) return;
    if (!counted_) {
      // Refuse politely: accept, say why, close.
      send_error("too_many_connections", "too many connections from your address");
      close(websocket::close_code::try_again_later, "too_many_connections");
      return;
    }
    start_auth_timer();
    read();
  }

  // A connection must send a join the room accepts within auth_timeout.
  void start_auth_timer() {
    auth_timer_.expires_after(service_->config().auth_timeout);
    auth_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->joined_ || self->relay_) return;
      self->send_error("join_timeout", "no valid join message in time");
      self->close(websocket::close_code::policy_error, "join_timeout");
    });
  }

  void join_refused(sfu::event::Error error) {
    asio::post(ws_.get_executor(), [self = shared_from_this(), error = std::move(error)] {
      if (self->closing_ || self->finished_) return;
      self->joined_ = false;
      self->worker_ = nullptr;
      self->sink_.reset();
      self->room_.clear();
      self->identity_.clear();
      self->start_auth_timer();
      self->send_error(error.code, error.message, "join");
    });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        spdlog::info("rtc: {} sent a message over {} bytes, closed (1009)", remote_ip_,
                     service_->config().max_message_bytes);
        service_->count_close("message_too_big");
      }
      on_closed();
      return;
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    request_arrived_ = Clock::now();
    service_->count_message();
    if (!ws_.got_text()) {
      send_error("bad_message", "messages are JSON text frames");
    } else if (!bucket_.try_take(Clock::now())) {
      send_error("rate_limited", "too many messages; slow down");
      // Strikes count within a burst: a client refused now and then over a long call is not cut off.
      const TimePoint now = Clock::now();
      if (now - last_strike_ > kStrikeMemory) strikes_ = 0;
      last_strike_ = now;
      if (++strikes_ >= service_->config().rate_strikes_before_close) {
        spdlog::warn("rtc: {} ({}) flooding, connection closed", remote_ip_,
                     identity_.empty() ? "-" : identity_);
        close(websocket::close_code::policy_error, "rate_limited");
        return;
      }
    } else if (relay_) {
      relay_->send(std::move(text));
    } else {
      handle(text);
    }
    if (!closing_ && !routing_) read();
  }

  void handle(std::string_view text) {
    auto parsed = parse_request(text);
    if (auto* err = std::get_if<ProtocolError>(&parsed)) {
      send_error(err->code, err->message);
      return;
    }
    Request& request = std::get<Request>(parsed);
    if (std::holds_alternative<request::Join>(request)) join_text_ = std::string(text);
    if (!joined_ && !std::holds_alternative<request::Join>(request) &&
        !std::holds_alternative<request::Ping>(request)) {
      send_error("not_joined", "send join first", request_name(request));
      return;
    }
    // Timed to the end of the work: with_room (and join) time it on the worker, the rest here.
    request_type_ = request.index();
    request_timed_ = false;
    std::visit([this](auto& r) { on_request(r); }, request);
    if (!request_timed_) service_->observe_request(request_type_, Clock::now() - request_arrived_);
  }

  void on_request(request::Join& r) {
    if (joined_) {
      send_error("already_joined", "this connection has joined already", "join");
      return;
    }
    if (r.protocol != kProtocolVersion) {
      send_error("unsupported_protocol", "this server speaks protocol version 1", "join");
      close(websocket::close_code::policy_error, "unsupported_protocol");
      return;
    }
    auto claims = service_->verifier().verify(r.token, std::chrono::system_clock::now());
    if (!claims) {
      send_error(to_string(claims.error()), "the access token was refused", "join");
      close(websocket::close_code::policy_error, "token_refused");
      return;
    }
    const auto& g = claims->grants;
    refusals_.claimed(g.room, claims->identity);
    if (!g.room_join || g.room.empty()) {
      send_error("permission_denied", "the token does not grant joining a room", "join");
      close(websocket::close_code::policy_error, "permission_denied");
      return;
    }
    if (!service_->routes_joins()) return join_here(r, *claims);
    // Scale-out or drain: where the room is decides (no reads until then).
    routing_ = true;
    service_->route_join(
        // Holds the session: nothing else does while no read is pending.
        g.room, r.resume, [self = shared_from_this(), r, claims = *claims](JoinRoute route) mutable {
          asio::post(self->ws_.get_executor(),
                     [self, r = std::move(r), claims = std::move(claims),
                      route = std::move(route)]() mutable { self->on_routed(r, claims, std::move(route)); });
        });
  }

  void on_routed(request::Join& r, const AccessTokenClaims& claims, JoinRoute route) {
    routing_ = false;
    if (closing_ || finished_) return;
    switch (route.kind) {
      case JoinRoute::Kind::local:
        join_here(r, claims);
        break;
      case JoinRoute::Kind::refused:
        spdlog::info("rtc: join of '{}' from {} refused: {}", claims.grants.room, remote_ip_, route.code);
        send_error(route.code, route.message, "join");
        break;
      case JoinRoute::Kind::relay:
        start_relay(route.url, claims);
        break;
    }
    read();
  }

  // The room is hosted on another node: from now on this connection passes
  // frames to and from that node's /rtc.
  void start_relay(const std::string& url, const AccessTokenClaims& claims) {
    auth_timer_.cancel();
    spdlog::info("rtc: {} joins room '{}' relayed to {}", claims.identity, claims.grants.room, url);
    SignalRelay::Handlers h;
    h.to_client = [weak = weak_from_this()](std::string message) {
      if (auto self = weak.lock()) self->send(std::move(message));
    };
    h.closed = [weak = weak_from_this()](uint16_t code, std::string reason) {
      auto self = weak.lock();
      if (!self) return;
      if (code != 0) return self->close(websocket::close_code(code), reason);
      spdlog::warn("rtc: relay to the room's node failed: {}", reason);
      self->send_error("node_unreachable", "the node that hosts this room cannot be reached; try again",
                       "join");
      self->close(websocket::close_code::try_again_later, "node_unreachable");
    };
    relay_ = std::make_unique<SignalRelay>(ws_.get_executor(), url, service_->relay_credential(remote_ip_),
                                           std::move(h));
    relay_->start(std::move(join_text_));
    relayed_ = service_->relayed().add(
        claims.grants.room, claims.identity, url, [relay = relay_.get()] { return relay->joined(); },
        weak_from_this());
  }

  void join_here(request::Join& r, const AccessTokenClaims& claims_in) {
    const AccessTokenClaims* claims = &claims_in;
    const auto& g = claims->grants;
    joined_ = true;
    auth_timer_.cancel();
    claims_ = *claims;
    room_ = g.room;
    identity_ = claims->identity;
    sfu::ParticipantInfo info;
    info.identity = claims->identity;
    info.name = claims->name;
    info.metadata = claims->metadata;
    info.can_publish = g.can_publish && !g.hidden;
    info.can_subscribe = g.can_subscribe;
    info.can_publish_data = g.can_publish_data;
    info.hidden = g.hidden;
    info.can_record = g.room_record;
    info.room_admin = g.room_admin;
    info.e2ee_supported = r.e2ee_supported;
    // Fixed when the room is created: by the configuration, or in --dev by the
    // first joiner asking. Later joins (and tokens) cannot turn it off.
    sfu::RoomSettings settings;
    settings.e2ee_required = service_->config().e2ee_required || (service_->config().dev && r.e2ee_require);
    settings.p2p = service_->config().dev && r.p2p;
    service_->note_connect(room_, identity_);
    sink_ = std::make_shared<Sink>(weak_from_this());
    sfu::MediaWorker& worker = service_->worker_for(room_);
    worker_ = &worker;
    bool resume = r.resume;
    spdlog::info("rtc: {} joins room '{}'{} from {}", identity_, room_, resume ? " (resume)" : "",
                 remote_ip_);
    request_timed_ = true;
    worker.post([&worker, room = room_, info = std::move(info), sink = sink_, resume, only = r.resume_only,
                 settings, service = service_, type = request_type_, arrived = request_arrived_]() mutable {
      sfu::Room* rm = only ? worker.find_room(room) : &worker.room(room, settings);
      if (!(resume && rm && rm->replace_sink(info.identity, sink))) {
        if (auto err = only ? resume_failed() : rm->join(std::move(info), sink, Clock::now()))
          sink->join_refused(std::move(*err));
      }
      service->observe_request(type, Clock::now() - arrived);
    });
  }

  // Runs `f` on the room's worker, if this connection still speaks for the
  // participant there (a replaced connection's late requests do nothing).
  template <class F>
  void with_room(F f) {
    request_timed_ = true;
    worker_->post([worker = worker_, room = room_, identity = identity_, sink = sink_, f = std::move(f),
                   service = service_, type = request_type_, arrived = request_arrived_]() mutable {
      auto* rm = worker->find_room(room);
      if (rm && rm->is_current_sink(identity, sink.get())) f(*rm);
      service->observe_request(type, Clock::now() - arrived);
    });
  }

  void on_request(request::Offer& r) {
    with_room([identity = identity_, sdp = std::move(r.sdp), tracks = std::move(r.tracks)](sfu::Room& room) {
      const OfferInProgress offer{room.name(), identity};
      t_offer = &offer;
      CandidateRequests::publisher_offer(room, identity, sdp, tracks, Clock::now());
      t_offer = nullptr;
    });
  }
  void on_request(request::Answer& r) { with_room(CandidateRequests::answer(identity_, std::move(r.sdp))); }
  void on_request(request::Trickle& r) { with_room(CandidateRequests::trickle(identity_, std::move(r))); }
  void on_request(request::Update& r) {
    with_room([identity = identity_, name = std::move(r.name), metadata = std::move(r.metadata)](
                  sfu::Room& room) { room.update_participant(identity, name, metadata); });
  }
  void on_request(request::Mute& r) {
    with_room([identity = identity_, sid = std::move(r.sid), muted = r.muted](sfu::Room& room) {
      room.set_track_muted(identity, sid, muted);
    });
  }
  void on_request(request::UpdateTrackSettings& r) {
    with_room([identity = identity_, sid = std::move(r.sid), settings = r.settings](sfu::Room& room) {
      room.update_track_settings(identity, sid, settings);
    });
  }
  void on_request(request::SetReceiveBandwidth& r) {
    with_room([identity = identity_, max_bps = r.max_bps](sfu::Room& room) {
      room.set_receive_bandwidth(identity, max_bps);
    });
  }
  void on_request(request::Leave&) {
    left_ = true;
    with_room([identity = identity_](sfu::Room& room) { room.leave(identity, "left"); });
    close(websocket::close_code::normal, "left");
  }
  void on_request(request::Ping& r) { send(serialize_pong(r.timestamp)); }
  void on_request(request::GetStats& r) {
    if (auto work = stats_.admit(r, identity_, weak_from_this(), Clock::now())) with_room(std::move(*work));
  }
  // Key relay: passed on as given, never logged (docs/security.md).
  void on_request(request::E2eeAnnounce& r) {
    with_room([identity = identity_, announcement = std::move(r.announcement)](sfu::Room& room) mutable {
      room.e2ee_announce(identity, std::move(announcement));
    });
  }
  void on_request(request::E2eeKeys& r) {
    with_room([identity = identity_, keys = std::move(r.keys)](sfu::Room& room) mutable {
      room.e2ee_keys(identity, std::move(keys));
    });
  }
  // Direct-connection signaling: checked and passed on by the room, never logged.
  void on_request(request::P2p& r) {
    with_room([identity = identity_, signal = std::move(r.signal)](sfu::Room& room) mutable {
      room.p2p_signal(identity, std::move(signal));
    });
  }
  void on_request(request::StartRecording&) {
    with_room([identity = identity_](sfu::Room& room) { room.start_recording(identity, Clock::now()); });
  }
  void on_request(request::StopRecording&) {
    with_room([identity = identity_](sfu::Room& room) { room.stop_recording(identity); });
  }

  // Breakout rooms: the administrator's room, or its main room when it is in a breakout room.
  bool admin(std::string_view request) {
    if (claims_.grants.room_admin) return true;
    send_error("permission_denied", "breakout rooms need the roomAdmin grant", request);
    return false;
  }
  void on_request(request::BreakoutOpen& r) {
    if (!admin("breakout_open")) return;
    const std::string main = BreakoutRooms::main_room(room_);
    auto opened = service_->mover().open_breakouts(main, r.rooms);
    if (auto* e = std::get_if<sfu::event::Error>(&opened))
      return send_error(e->code, e->message, "breakout_open");
    // Created now so the API lists them; an encrypted call stays encrypted in its breakout rooms.
    std::vector<std::pair<sfu::MediaWorker*, std::string>> targets;
    for (auto& room : std::get<std::vector<std::string>>(opened))
      targets.emplace_back(&service_->worker_for(room), std::move(room));
    sfu::MediaWorker& worker = service_->worker_for(main);
    worker.post([&worker, main, targets = std::move(targets)] {
      sfu::RoomSettings settings;
      if (auto* m = worker.find_room(main)) settings.e2ee_required = m->settings().e2ee_required;
      for (const auto& [w, room] : targets)
        w->post([w = w, room = room, settings] { w->room(room, settings); });
    });
  }
  void on_request(request::BreakoutMove& r) {
    if (!admin("breakout_move")) return;
    if (auto e = service_->mover().move_to_breakout(BreakoutRooms::main_room(room_), r.identity, r.room))
      send_error(e->code, e->message, "breakout_move");
  }
  void on_request(request::BreakoutClose&) {
    if (!admin("breakout_close")) return;
    if (auto e = service_->mover().close_breakouts(BreakoutRooms::main_room(room_)))
      send_error(e->code, e->message, "breakout_close");
  }

  void send_error(std::string_view code, std::string_view message, std::string_view request_type = {}) {
    service_->count_error(code);
    if (!joined_ && (!relay_ || request_type == "join")) refusals_.on_error(code, request_type, remote_ip_);
    send(serialize_error(code, message, request_type));
  }

  void send(std::string message) {
    if (closing_) return;
    if (queue_.size() >= service_->config().max_send_queue ||
        queued_bytes_ + message.size() > service_->config().max_send_queue_bytes) {
      spdlog::warn("rtc: {} does not read its messages, connection closed",
                   identity_.empty() ? remote_ip_ : identity_);
      close(websocket::close_code::policy_error, "send_queue_full");
      return;
    }
    queued_bytes_ += message.size();
    queue_.push_back(std::move(message));
    if (queue_.size() == 1) write_next();
  }

  void write_next() {
    ws_.text(true);
    ws_.async_write(asio::buffer(queue_.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->queue_.clear();
        self->queued_bytes_ = 0;
        self->on_closed();  // no read may be pending (a close started from on_read)
        return;
      }
      self->queued_bytes_ -= self->queue_.front().size();
      self->queue_.pop_front();
      if (!self->queue_.empty()) {
        self->write_next();
      } else if (self->close_after_write_) {
        self->do_close();
      }
    });
  }

  void close(websocket::close_code code, std::string_view reason) {
    if (closing_) return;
    closing_ = true;
    service_->count_close(reason);
    close_reason_ = websocket::close_reason(code, std::string(reason).substr(0, 120));
    auth_timer_.cancel();
    if (queue_.empty()) {
      do_close();
    } else {
      close_after_write_ = true;
    }
  }

  void do_close() {
    ws_.async_close(close_reason_, [self = shared_from_this()](beast::error_code) { self->on_closed(); });
  }

  // The connection is gone. Unless the participant left (or was replaced),
  // keep it in the room for the reconnect window, then remove it.
  void on_closed() {
    if (finished_) return;
    finished_ = true;
    closing_ = true;  // nothing more to send on a connection that is gone
    auth_timer_.cancel();
    if (relay_) relay_->close();
    if (registered_) service_->mover().left(room_, identity_, this);
    if (!joined_ || left_ || removed_ || !worker_) return;
    uint64_t generation = service_->note_disconnect(room_, identity_);
    spdlog::info("rtc: {} disconnected from '{}', may resume within {}s", identity_, room_,
                 service_->config().reconnect_window.count());
    auto timer =
        std::make_shared<asio::steady_timer>(ws_.get_executor(), service_->config().reconnect_window);
    timer->async_wait([timer, service = service_, worker = worker_, room = room_, identity = identity_,
                       sink = sink_, generation](beast::error_code ec) {
      if (ec || !service->is_current_disconnect(room, identity, generation)) return;
      // Not if a newer connection took the participant over meanwhile.
      worker->post([worker, room, identity, sink] {
        auto* rm = worker->find_room(room);
        if (rm && rm->is_current_sink(identity, sink.get())) rm->leave(identity, "connection_lost");
      });
    });
  }

  std::shared_ptr<RtcSessionListener> service_;  // the RtcService running this session
  std::string remote_ip_;
  beast::http::request<beast::http::string_body> upgrade_request_;
  http::WebSocketStream ws_;
  asio::steady_timer auth_timer_;
  beast::flat_buffer buffer_;
  std::deque<std::string> queue_;
  size_t queued_bytes_ = 0;
  TokenBucket bucket_;
  unsigned strikes_ = 0;
  bool counted_ = false;
  bool joined_ = false;
  bool left_ = false;
  bool removed_ = false;
  bool closing_ = false;
  bool close_after_write_ = false;
  bool finished_ = false;
  bool registered_ = false;             // known to the mover (the room accepted the join)
  AccessTokenClaims claims_;            // the token's, kept to mint the token of a move
  bool routing_ = false;                // a join waits for its route (no reads meanwhile)
  std::string join_text_;               // the join as the client sent it, for a relay
  std::unique_ptr<SignalRelay> relay_;  // set when the room is hosted on another node
  websocket::close_reason close_reason_;
  RelayedSessions::Registration relayed_;  // in the registry a drain reads, while relay_ is set
  std::string room_, identity_;
  JoinRefusalLog refusals_;
  sfu::MediaWorker* worker_ = nullptr;
  std::shared_ptr<Sink> sink_;  // this connection, as the room knows it (set by join)
  TimePoint last_strike_{};
  // The request being handled: when its frame arrived, its type, and whether its work times it.
  TimePoint request_arrived_{};
  size_t request_type_ = 0;
  bool request_timed_ = false;
  StatsRequestHandler stats_{service_};  // get_stats: its rate limit
};

}  // namespace

void start_rtc_session(std::shared_ptr<RtcSessionListener> listener, http::HttpRequest request,
                       std::unique_ptr<http::UpgradedConnection> connection) {
  std::make_shared<RtcSession>(std::move(listener), std::move(request), std::move(connection))->start();
}

}  // namespace ct::signal
