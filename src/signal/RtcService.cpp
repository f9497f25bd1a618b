#include "signal/RtcService.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "core/Log.hpp"
#include "http/HttpServer.hpp"
#include "http/WebSocketUpgrade.hpp"
#include "net/SocketAddress.hpp"
#include "sfu/MediaWorker.hpp"
#include "signal/RtcSession.hpp"
#include "turn/RestCredentials.hpp"

namespace ct::signal {

namespace {

// Listed at 0 from the start, so a first refusal shows as an increase
// (docs/protocol.md "Error codes"; the close reasons RtcSession uses).
constexpr std::string_view kErrorCodes[] = {"bad_json",
                                            "bad_message",
                                            "unknown_type",
                                            "not_joined",
                                            "already_joined",
                                            "unsupported_protocol",
                                            "token_malformed",
                                            "token_bad_signature",
                                            "token_wrong_algorithm",
                                            "token_unknown_key",
                                            "token_expired",
                                            "token_not_yet_valid",
                                            "token_missing_identity",
                                            "token_missing_grants",
                                            "permission_denied",
                                            "join_timeout",
                                            "room_full",
                                            "publish_not_allowed",
                                            "too_many_tracks",
                                            "bad_sdp",
                                            "no_offer_pending",
                                            "track_not_found",
                                            "data_not_allowed",
                                            "rate_limited",
                                            "too_many_connections",
                                            "recording_disabled",
                                            "recording_not_allowed",
                                            "recording_active",
                                            "recording_not_active",
                                            "recording_failed",
                                            "e2ee_unsupported",
                                            "e2ee_not_enabled",
                                            "recipient_not_found",
                                            "participant_not_found",
                                            "already_in_room",
                                            "move_unavailable",
                                            "bad_breakout_name",
                                            "breakout_not_found",
                                            "breakouts_not_open"};
constexpr std::string_view kCloseReasons[] = {"left",
                                              "token_refused",
                                              "permission_denied",
                                              "unsupported_protocol",
                                              "join_timeout",
                                              "rate_limited",
                                              "message_too_big",
                                              "send_queue_full",
                                              "too_many_connections",
                                              "duplicate_identity",
                                              "resumed_elsewhere",
                                              "connection_lost",
                                              "moved"};

// The block one client is likely to own: an IPv4 address, or an IPv6 /64
// (RFC 6177: a site gets at least a /64, so one host can use many addresses in it).
std::string connection_key(const std::string& ip) {
  auto parsed = net::SocketAddress::parse_ip(ip, 0);
  if (!parsed) return ip;
  net::SocketAddress a = parsed->unmapped();
  if (a.is_v4()) return a.ip_string();
  std::array<uint8_t, 16> prefix{};
  std::copy(a.bytes(), a.bytes() + 8, prefix.begin());
  return net::SocketAddress::v6(prefix, 0).ip_string() + "/64";
}

}  // namespace

RtcService::RtcService(RtcServiceConfig config, std::vector<sfu::MediaWorker*> workers)
    : config_(std::move(config)), verifier_(config_.keys), workers_(std::move(workers)) {
  std::optional<AccessTokenSigner> signer;
  if (!config_.keys.empty()) signer.emplace(config_.keys.begin()->first, config_.keys.begin()->second);
  mover_ = std::make_unique<ParticipantMover>(std::move(signer));
  for (auto code : kErrorCodes) stats_.errors[std::string(code)] = 0;
  for (auto reason : kCloseReasons) stats_.closes[std::string(reason)] = 0;
}

void RtcService::install(http::HttpServer& server) {
  server.set_upgrade_handler(
      "/rtc",
      [weak = weak_from_this()](http::HttpRequest req, std::unique_ptr<http::UpgradedConnection> conn) {
        if (auto self = weak.lock()) start_rtc_session(self, std::move(req), std::move(conn));
      });
  if (!config_.dev) return;
  // --dev only: lets the web page join without an application backend.
  auto key = config_.keys.begin();
  AccessTokenSigner signer(key->first, key->second);
  server.add_route(
      "GET", "/api/dev/token",
      [signer, api_key = key->first](http::HttpRequest req, http::Responder respond) {
        auto room = req.query.find("room");
        auto identity = req.query.find("identity");
        if (room == req.query.end() || identity == req.query.end() || room->second.empty() ||
            identity->second.empty() || room->second.size() > 128 || identity->second.size() > 128) {
          respond(http::HttpResponse::json(
              400, R"json({"error":"room and identity are required (at most 128 characters)"})json"));
          return;
        }
        AccessTokenClaims claims;
        claims.api_key = api_key;
        claims.identity = identity->second;
        if (auto name = req.query.find("name"); name != req.query.end())
          claims.name = name->second.substr(0, 128);
        claims.grants.room = room->second;
        claims.grants.room_join = true;
        // Development tokens may do everything in their room: record, administer.
        claims.grants.room_record = true;
        claims.grants.room_admin = true;
        claims.expires = std::chrono::system_clock::now() + std::chrono::hours(6);
        std::string token = signer.sign(claims);
        respond(http::HttpResponse::json(200, std::string(R"({"token":")") + token + R"("})"));
      });
}

std::vector<IceServer> RtcService::ice_servers_for(const std::string& identity) const {
  std::vector<IceServer> out;
  auto now = std::chrono::system_clock::now();
  for (const auto& t : config_.turn) {
    auto creds = turn::make_rest_credentials(t.secret, identity, t.ttl, now);
    out.push_back({t.urls, creds.username, creds.password});
  }
  return out;
}

sfu::MediaWorker& RtcService::worker_for(const std::string& room) const {
  return *workers_[std::hash<std::string>{}(room) % workers_.size()];
}

bool RtcService::acquire_connection(const std::string& ip) {
  const std::string key = connection_key(ip);
  std::lock_guard lock(mutex_);
  if (stats_.connections >= config_.max_connections) return false;
  size_t& n = connections_per_ip_[key];
  if (n >= config_.max_connections_per_ip) {
    if (n == 0) connections_per_ip_.erase(key);
    return false;
  }
  ++n;
  ++stats_.connections;
  ++stats_.connections_total;
  return true;
}

void RtcService::release_connection(const std::string& ip) {
  const std::string key = connection_key(ip);
  std::lock_guard lock(mutex_);
  auto it = connections_per_ip_.find(key);
  if (it == connections_per_ip_.end()) return;
  --stats_.connections;
  if (--it->second == 0) connections_per_ip_.erase(it);
}

RtcService::Stats RtcService::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void RtcService::count_message() {
  std::lock_guard lock(mutex_);
  ++stats_.messages;
}

void RtcService::count_error(std::string_view code) {
  std::lock_guard lock(mutex_);
  ++stats_.errors[std::string(code)];
}

void RtcService::count_close(std::string_view reason) {
  std::lock_guard lock(mutex_);
  ++stats_.closes[std::string(reason)];
}

uint64_t RtcService::note_disconnect(const std::string& room, const std::string& identity) {
  std::lock_guard lock(mutex_);
  uint64_t g = next_generation_++;
  disconnect_generation_[room + '\n' + identity] = g;
  return g;
}

bool RtcService::is_current_disconnect(const std::string& room, const std::string& identity,
                                       uint64_t generation) {
  std::lock_guard lock(mutex_);
  auto it = disconnect_generation_.find(room + '\n' + identity);
  if (it == disconnect_generation_.end() || it->second != generation) return false;
  disconnect_generation_.erase(it);
  return true;
}

void RtcService::note_connect(const std::string& room, const std::string& identity) {
  std::lock_guard lock(mutex_);
  disconnect_generation_.erase(room + '\n' + identity);
}

}  // namespace ct::signal
