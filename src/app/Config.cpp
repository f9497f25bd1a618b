#include "app/Config.hpp"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <variant>

#include "cluster/RedisUrl.hpp"
#include "core/Log.hpp"
#include "net/SocketAddress.hpp"
#include "stun/StunUri.hpp"

namespace ct::app {
namespace {

// "30", "30s", "2m", "500ms" -> seconds (rounded down, at least 1 when non-zero).
std::optional<std::chrono::seconds> parse_duration(const std::string& text) {
  std::string_view t(text);
  size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') ++digits;
  if (digits == 0) return std::nullopt;
  uint64_t value = 0;
  std::from_chars(t.data(), t.data() + digits, value);
  std::string_view unit = t.substr(digits);
  if (unit.empty() || unit == "s") return std::chrono::seconds(value);
  if (unit == "m") return std::chrono::seconds(value * 60);
  if (unit == "h") return std::chrono::seconds(value * 3600);
  if (unit == "d") return std::chrono::seconds(value * 86400);
  if (unit == "ms") return std::chrono::seconds(value / 1000);
  return std::nullopt;
}

// "16777216", "512K", "16M", "1G" (K/M/G: KiB/MiB/GiB; "KiB" etc. too) -> bytes.
std::optional<uint64_t> parse_size(const std::string& text) {
  std::string_view t(text);
  size_t digits = 0;
  while (digits < t.size() && t[digits] >= '0' && t[digits] <= '9') ++digits;
  if (digits == 0 || digits > 12) return std::nullopt;
  uint64_t value = 0;
  std::from_chars(t.data(), t.data() + digits, value);
  std::string_view unit = t.substr(digits);
  if (unit.empty() || unit == "B") return value;
  if (unit == "K" || unit == "KiB") return value << 10;
  if (unit == "M" || unit == "MiB") return value << 20;
  if (unit == "G" || unit == "GiB") return value << 30;
  return std::nullopt;
}

template <typename T>
void read(const YAML::Node& node, const char* key, T& out) {
  if (node[key]) out = node[key].as<T>();
}

// rtc.ice_servers: a list of {urls: URL or [URL...], username, credential}.
std::optional<std::string> read_ice_servers(const YAML::Node& list, std::vector<Config::IceServer>& out) {
  if (!list.IsSequence()) return "rtc.ice_servers: expected a list of {urls, username, credential}";
  out.clear();
  for (const auto& entry : list) {
    if (!entry.IsMap() || !entry["urls"]) return "rtc.ice_servers: every entry is a mapping with urls";
    for (const auto& kv : entry) {
      auto key = kv.first.as<std::string>();
      if (key != "urls" && key != "username" && key != "credential")
        return "rtc.ice_servers: unknown key '" + key + "' (urls, username, credential)";
    }
    Config::IceServer server;
    if (entry["urls"].IsSequence()) {
      server.urls = entry["urls"].as<std::vector<std::string>>();
    } else {
      server.urls.push_back(entry["urls"].as<std::string>());
    }
    read(entry, "username", server.username);
    read(entry, "credential", server.credential);
    out.push_back(std::move(server));
  }
  return std::nullopt;
}

// One RTCIceServer entry as a browser takes it; `where` names it in the error.
std::optional<std::string> check_ice_server(const Config::IceServer& server, const std::string& where) {
  if (server.urls.empty()) return where + ": no urls";
  bool turn = false;
  for (const auto& url : server.urls) {
    auto parsed = stun::StunUri::parse(url);
    if (auto* error = std::get_if<std::string>(&parsed)) return where + ": '" + url + "': " + *error;
    turn = turn || std::get<stun::StunUri>(parsed).is_turn();
  }
  // A browser refuses a TURN entry without credentials (InvalidAccessError),
  // and with it the whole RTCPeerConnection.
  if (turn && (server.username.empty() || server.credential.empty()))
    return where + ": turn: and turns: URLs need a username and a credential";
  return std::nullopt;
}

}  // namespace

void Config::apply_dev_defaults() {
  dev = true;
  http_bind = "127.0.0.1";
  rtc_bind = "127.0.0.1";
  announced_ip.clear();
  keys.emplace("devkey", "devsecret");
  turn_enabled = true;
  recordings_dir = "./recordings";
}

std::optional<std::string> Config::load_yaml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "cannot read config file " + path;
  std::stringstream ss;
  ss << in.rdbuf();
  auto err = load_yaml_text(ss.str());
  if (err) return path + ": " + *err;
  return std::nullopt;
}

std::optional<std::string> Config::load_yaml_text(const std::string& text) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root || root.IsNull()) return std::nullopt;
    if (!root.IsMap()) return "the top level must be a mapping";
    static const char* kKnownTop[] = {
        "log_level", "log_json", "http",      "rtc",     "keys", "room", "signal",  "testing",
        "turn",      "debug",    "recording", "webhook", "sfu",  "api",  "cluster", "drain_timeout"};
    for (const auto& kv : root) {
      auto key = kv.first.as<std::string>();
      bool known = false;
      for (const char* k : kKnownTop) known = known || key == k;
      known = known || key == "log";  // log.format
      if (!known) return "unknown key '" + key + "'";
    }
    read(root, "log_level", log_level);
    read(root, "log_json", log_json);
    if (auto log = root["log"]) {
      read(log, "format", log_format);
      LogFormat parsed;
      if (!parse_log_format(log_format, parsed)) return "log.format must be text or json";
    }
    if (auto http = root["http"]) {
      read(http, "bind", http_bind);
      read(http, "port", http_port);
      read(http, "web_root", web_root);
    }
    if (auto rtc = root["rtc"]) {
      read(rtc, "bind", rtc_bind);
      read(rtc, "port", rtc_port);
      read(rtc, "workers", workers);
      read(rtc, "announced_ip", announced_ip);
      read(rtc, "srtp_profiles", srtp_profiles);
      read(rtc, "batch_window_us", batch_window_us);
      if (rtc["ice_servers"]) {
        if (auto err = read_ice_servers(rtc["ice_servers"], ice_servers)) return *err;
      }
      if (rtc["consent_timeout"]) {
        auto d = parse_duration(rtc["consent_timeout"].as<std::string>());
        if (!d) return "rtc.consent_timeout: expected a duration like 30s";
        consent_timeout = *d;
      }
    }
    if (auto k = root["keys"]) {
      if (!k.IsMap()) return "keys: expected a mapping of API key to secret";
      for (const auto& kv : k) keys[kv.first.as<std::string>()] = kv.second.as<std::string>();
    }
    if (auto room = root["room"]) {
      read(room, "max_participants", max_participants);
      read(room, "e2ee", room_e2ee);
      if (room["empty_timeout"]) {
        auto d = parse_duration(room["empty_timeout"].as<std::string>());
        if (!d) return "room.empty_timeout: expected a duration like 20s";
        empty_room_timeout = *d;
      }
    }
    if (auto sig = root["signal"]) {
      if (sig["reconnect_window"]) {
        auto d = parse_duration(sig["reconnect_window"].as<std::string>());
        if (!d) return "signal.reconnect_window: expected a duration like 20s";
        reconnect_window = *d;
      }
      read(sig, "max_message_bytes", max_message_bytes);
      read(sig, "messages_per_second", messages_per_second);
      read(sig, "max_connections_per_ip", max_connections_per_ip);
      read(sig, "max_connections", max_connections);
    }
    if (auto api = root["api"]) {
      read(api, "requests_per_second", api_requests_per_second);
      read(api, "request_burst", api_request_burst);
    }
    if (auto sfu = root["sfu"]) read(sfu, "subscriber_bwe", subscriber_bwe);
    if (auto t = root["testing"]) {
      read(t, "drop_forwarded_fraction", drop_forwarded_fraction);
      read(t, "drop_received_fraction", drop_received_fraction);
    }
    if (auto d = root["debug"]) read(d, "dump_payloads_dir", debug_dump_payloads_dir);
    if (auto r = root["recording"]) {
      read(r, "dir", recordings_dir);
      if (auto err = load_storage_yaml(r)) return *err;
    }
    if (auto w = root["webhook"]) {
      if (!w.IsMap()) return "webhook: expected a mapping (urls, api_key)";
      if (w["urls"] && !w["urls"].IsSequence()) return "webhook.urls: expected a list of URLs";
      read(w, "urls", webhook_urls);
      read(w, "api_key", webhook_api_key);
    }
    if (auto t = root["turn"]) {
      read(t, "enabled", turn_enabled);
      read(t, "port", turn_port);
      read(t, "tls_port", turn_tls_port);
      read(t, "realm", turn_realm);
      read(t, "secrets", turn_secrets);
      read(t, "tls_cert", turn_tls_cert);
      read(t, "tls_key", turn_tls_key);
      read(t, "host", turn_host);
      if (t["credential_ttl"]) {
        auto d = parse_duration(t["credential_ttl"].as<std::string>());
        if (!d) return "turn.credential_ttl: expected a duration like 6h";
        turn_credential_ttl = *d;
      }
      if (auto ext = t["external"]) {
        read(ext, "urls", external_turn_urls);
        read(ext, "secret", external_turn_secret);
      }
    }
    if (auto c = root["cluster"]) {
      if (!c.IsMap()) return "cluster: expected a mapping (redis, node_id, node_url, region, capacity)";
      read(c, "redis", cluster_redis);
      read(c, "node_id", cluster_node_id);
      read(c, "node_url", cluster_node_url);
      read(c, "region", cluster_region);
      read(c, "capacity", cluster_capacity);
      read(c, "cascade", cluster_cascade);
      read(c, "cascade_port", cluster_cascade_port);
    }
    if (root["drain_timeout"]) {
      if (auto err = set_drain_timeout(root["drain_timeout"].as<std::string>()))
        return "drain_timeout: " + *err;
    }
  } catch (const YAML::Exception& e) {
    return std::string("invalid YAML: ") + e.what();
  }
  return std::nullopt;
}

std::optional<std::string> Config::load_storage_yaml(const YAML::Node& recording) {
  if (recording["retention"]) {
    auto d = parse_duration(recording["retention"].as<std::string>());
    if (!d) return "recording.retention: expected a duration like 30d, 12h or 0 (off)";
    recording_retention = *d;
  }
  auto storage = recording["storage"];
  if (!storage) return std::nullopt;
  if (!storage.IsMap()) return "recording.storage: expected a mapping";
  read(storage, "keep_local", storage_keep_local);
  for (const char* key : {"multipart_threshold", "part_size"}) {
    if (!storage[key]) continue;
    auto size = parse_size(storage[key].as<std::string>());
    if (!size) return std::string("recording.storage.") + key + ": expected a size like 16M";
    (std::string_view(key) == "part_size" ? storage_part_size : storage_multipart_threshold) = *size;
  }
  if (storage["retry_max_delay"]) {
    auto d = parse_duration(storage["retry_max_delay"].as<std::string>());
    if (!d) return "recording.storage.retry_max_delay: expected a duration like 5m";
    storage_retry_max_delay = *d;
  }
  if (auto targets = storage["targets"]) {
    if (!targets.IsSequence()) return "recording.storage.targets: expected a list";
    storage_targets.clear();
    for (const auto& t : targets) {
      if (!t.IsMap()) return "recording.storage.targets: each target is a mapping";
      StorageTarget target;
      read(t, "endpoint", target.endpoint);
      read(t, "bucket", target.bucket);
      read(t, "region", target.region);
      read(t, "prefix", target.prefix);
      read(t, "sse", target.sse);
      storage_targets.push_back(std::move(target));
    }
  }
  return std::nullopt;
}

std::optional<std::string> Config::apply_storage_flags(const StorageFlags& flags) {
  for (size_t i = 0; i < 2; ++i) {
    const auto& f = flags.targets[i];
    if (!f.given()) continue;
    if (storage_targets.size() < i)
      return "--s3-secondary-* needs a first target (--s3-endpoint/--s3-bucket)";
    if (storage_targets.size() == i) storage_targets.emplace_back();
    StorageTarget& t = storage_targets[i];
    if (!f.endpoint.empty()) t.endpoint = f.endpoint;
    if (!f.bucket.empty()) t.bucket = f.bucket;
    if (!f.region.empty()) t.region = f.region;
    if (!f.prefix.empty()) t.prefix = f.prefix;
    if (!f.sse.empty()) t.sse = f.sse;
  }
  if (flags.keep_local) storage_keep_local = true;
  if (!flags.multipart_threshold.empty()) {
    auto size = parse_size(flags.multipart_threshold);
    if (!size) return "--s3-multipart-threshold: expected a size like 16M";
    storage_multipart_threshold = *size;
  }
  if (!flags.part_size.empty()) {
    auto size = parse_size(flags.part_size);
    if (!size) return "--s3-part-size: expected a size like 8M";
    storage_part_size = *size;
  }
  if (!flags.retry_max_delay.empty()) {
    auto d = parse_duration(flags.retry_max_delay);
    if (!d) return "--s3-retry-max-delay: expected a duration like 5m";
    storage_retry_max_delay = *d;
  }
  if (!flags.retention.empty()) {
    auto d = parse_duration(flags.retention);
    if (!d) return "--recording-retention: expected a duration like 30d, 12h or 0 (off)";
    recording_retention = *d;
  }
  return std::nullopt;
}

std::optional<std::string> Config::validate() const {
  if (!net::SocketAddress::parse_ip(http_bind, 0)) return "http.bind is not an IP address: " + http_bind;
  if (!net::SocketAddress::parse_ip(rtc_bind, 0)) return "rtc.bind is not an IP address: " + rtc_bind;
  if (!announced_ip.empty() && !net::SocketAddress::parse_ip(announced_ip, 0)) {
    return "rtc.announced_ip is not an IP address: " + announced_ip;
  }
  if (announced_ip.empty() && (rtc_bind == "0.0.0.0" || rtc_bind == "::")) {
    return "rtc.bind is a wildcard address; set rtc.announced_ip (--announced-ip) to the address browsers "
           "can reach";
  }
  if (workers == 0 || workers > 64) return "rtc.workers must be between 1 and 64";
  if (unsigned(rtc_port) + workers - 1 > 65535) return "rtc.port + rtc.workers exceeds 65535";
  if (srtp_profiles != "all" && srtp_profiles != "aes-cm")
    return "rtc.srtp_profiles must be 'all' or 'aes-cm'";
  if (consent_timeout.count() < 5) return "rtc.consent_timeout must be at least 5s";
  if (batch_window_us > 1000) return "rtc.batch_window_us must be between 0 and 1000";
  if (keys.empty()) return "no API keys: set keys: {KEY: SECRET} in the config (or use --dev)";
  for (const auto& [k, secret] : keys) {
    if (k.empty() || secret.empty()) return "keys: API keys and secrets must not be empty";
  }
  if (max_participants == 0) return "room.max_participants must be at least 1";
  if (room_e2ee != "off" && room_e2ee != "required") return "room.e2ee must be 'off' or 'required'";
  if (!debug_dump_payloads_dir.empty() && !dev) {
    return "debug.dump_payloads_dir (--debug-dump-payloads) writes media to disk and is refused without "
           "--dev";
  }
  if (max_message_bytes < 1024) return "signal.max_message_bytes must be at least 1024";
  if (!(messages_per_second > 0)) return "signal.messages_per_second must be positive";
  if (!(api_requests_per_second > 0)) return "api.requests_per_second must be positive";
  if (!cluster_redis.empty() && !cluster::RedisUrl::parse(cluster_redis))
    return "cluster.redis (--redis) is not a redis://host:port URL: " + cluster_redis;
  if (!cluster_node_url.empty() && !std::string_view(cluster_node_url).starts_with("http://") &&
      !std::string_view(cluster_node_url).starts_with("https://"))
    return "cluster.node_url (--node-url) must be an http:// or https:// URL: " + cluster_node_url;
  if (cluster_capacity == 0) return "cluster.capacity must be at least 1";
  if (!(api_request_burst >= 1)) return "api.request_burst must be at least 1";
  if (turn_enabled && !dev && turn_secrets.empty())
    return "turn.enabled needs turn.secrets (one or more shared secrets)";
  if (turn_enabled && turn_tls_port != 0 && !dev && (turn_tls_cert.empty() || turn_tls_key.empty())) {
    return "turn.tls_port needs turn.tls_cert and turn.tls_key (or set tls_port: 0)";
  }
  if (!external_turn_urls.empty() && external_turn_secret.empty())
    return "turn.external.urls needs turn.external.secret";
  for (const auto& url : external_turn_urls) {
    auto parsed = stun::StunUri::parse(url);
    if (auto* error = std::get_if<std::string>(&parsed))
      return "turn.external.urls: '" + url + "': " + *error;
    if (!std::get<stun::StunUri>(parsed).is_turn())
      return "turn.external.urls: '" + url + "' is not a turn: URL";
  }
  for (size_t i = 0; i < ice_servers.size(); ++i) {
    if (auto err = check_ice_server(ice_servers[i], "rtc.ice_servers[" + std::to_string(i) + "]")) return err;
  }
  for (const auto& t : storage_targets) {
    if (t.bucket.empty()) return "recording.storage.targets: every target needs a bucket (--s3-bucket)";
    if (t.sse != "" && t.sse != "none" && t.sse != "AES256" && t.sse != "aws:kms")
      return "recording.storage.targets: sse must be none, AES256 or aws:kms";
    if (!t.endpoint.empty() && t.endpoint.rfind("http://", 0) != 0 && t.endpoint.rfind("https://", 0) != 0)
      return "recording.storage.targets: endpoint must start with http:// or https://";
  }
  if (!storage_targets.empty() && recordings_dir.empty())
    return "recording.storage needs recording.dir (--recordings-dir)";
  if (recording_retention.count() > 0 && recordings_dir.empty())
    return "recording.retention needs recording.dir (--recordings-dir)";
  if (storage_part_size < (5ull << 20))
    return "recording.storage.part_size must be at least 5M (S3's minimum)";
  if (storage_retry_max_delay.count() < 1) return "recording.storage.retry_max_delay must be at least 1s";
  for (const auto& url : webhook_urls) {
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
      return "webhook.urls: every URL must start with http:// or https:// (" + url + ")";
  }
  if (!webhook_api_key.empty() && !keys.count(webhook_api_key))
    return "webhook.api_key is not one of the API keys (keys:): " + webhook_api_key;
  if (drop_forwarded_fraction < 0 || drop_forwarded_fraction >= 1) {
    return "testing.drop_forwarded_fraction must be in [0, 1)";
  }
  if (drop_received_fraction < 0 || drop_received_fraction >= 1) {
    return "testing.drop_received_fraction must be in [0, 1)";
  }
  return std::nullopt;
}

std::optional<std::string> Config::apply_ice_server_flags(const std::vector<std::string>& urls,
                                                          const std::string& username,
                                                          const std::string& credential) {
  if (urls.empty()) {
    if (!username.empty() || !credential.empty())
      return "--ice-server-username and --ice-server-credential go with --ice-server turn: URLs";
    return std::nullopt;
  }
  IceServer stun_servers, turn_servers{{}, username, credential};
  for (const auto& url : urls) {
    auto parsed = stun::StunUri::parse(url);
    if (auto* error = std::get_if<std::string>(&parsed)) return "--ice-server '" + url + "': " + *error;
    (std::get<stun::StunUri>(parsed).is_turn() ? turn_servers : stun_servers).urls.push_back(url);
  }
  if (turn_servers.urls.empty() && (!username.empty() || !credential.empty()))
    return "--ice-server-username and --ice-server-credential go with --ice-server turn: URLs";
  if (!turn_servers.urls.empty() && (username.empty() || credential.empty()))
    return "--ice-server turn: URLs need --ice-server-username and --ice-server-credential";
  ice_servers.clear();
  if (!stun_servers.urls.empty()) ice_servers.push_back(std::move(stun_servers));
  if (!turn_servers.urls.empty()) ice_servers.push_back(std::move(turn_servers));
  return std::nullopt;
}

std::string Config::webhook_signing_key() const {
  if (!webhook_api_key.empty() || keys.empty()) return webhook_api_key;
  return keys.begin()->first;
}

std::string Config::candidate_ip() const { return announced_ip.empty() ? rtc_bind : announced_ip; }

}  // namespace ct::app

namespace ct::app {

std::optional<std::string> Config::set_drain_timeout(const std::string& text) {
  auto d = parse_duration(text);
  if (!d) return "expected a duration like 5m, 30s or 0";
  drain_timeout = *d;
  return std::nullopt;
}

std::chrono::seconds Config::effective_drain_timeout() const {
  if (drain_timeout) return *drain_timeout;
  // A single development node stops at once, as before drain existed.
  if (dev && cluster_redis.empty()) return std::chrono::seconds(0);
  return std::chrono::seconds(300);
}

std::string Config::node_id() const {
  if (!cluster_node_id.empty()) return cluster_node_id;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || !host[0]) std::strcpy(host, "ciphertalk");
  return std::string(host) + "-" + std::to_string(http_port);
}

std::string Config::node_url() const {
  if (!cluster_node_url.empty()) return cluster_node_url;
  std::string ip = candidate_ip();
  if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
  return "http://" + ip + ":" + std::to_string(http_port);
}

}  // namespace ct::app
