#pragma once
// Server configuration: built-in defaults, then --dev, then the YAML file, then
// command-line flags (each later source wins). Every key is documented in
// ciphertalk.example.yaml.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace YAML {
class Node;
}

namespace ct::app {

struct Config {
  bool dev = false;
  std::string log_level = "info";
  bool log_json = false;            // the older spelling of log.format: json
  std::string log_format = "text";  // log.format, --log-format: text or json

  // HTTP: web client, WHIP-style echo, health; later signaling and metrics.
  std::string http_bind = "0.0.0.0";
  uint16_t http_port = 7880;
  std::string web_root;  // empty: the web client built into this tree

  // Media: one UDP port per worker thread, rtc_port + worker index.
  std::string rtc_bind = "0.0.0.0";
  uint16_t rtc_port = 7882;
  unsigned workers = 1;
  // The address put in ICE candidates when the socket binds a private or
  // wildcard address (a cloud VM behind 1:1 NAT). Empty: the bind address.
  std::string announced_ip;
  // "all" offers AEAD_AES_128_GCM then AES_CM_128_HMAC_SHA1_80; "aes-cm" forces the latter.
  std::string srtp_profiles = "all";
  std::chrono::seconds consent_timeout{30};
  // A busy media worker lets datagrams gather this long (µs) between looks
  // at its socket (net::EventLoop::set_batch_window); 0 wakes per datagram.
  unsigned batch_window_us = 0;
  // STUN and TURN servers run by others (rtc.ice_servers, --ice-server),
  // handed to every participant after our own TURN server, as RTCIceServer
  // entries. TURN URLs need a username and credential; STUN URLs take none.
  struct IceServer {
    std::vector<std::string> urls;  // stun:, stuns:, turn:, turns: (RFC 7064, RFC 7065)
    std::string username;
    std::string credential;
  };
  std::vector<IceServer> ice_servers;

  // Access tokens: API key -> secret (HS256). --dev adds devkey/devsecret.
  std::map<std::string, std::string> keys;

  // Rooms and signaling.
  size_t max_participants = 100;
  // "required": every room is end-to-end encrypted (clients that cannot
  // encrypt are refused); "off": rooms are plain unless created encrypted
  // (in --dev, by the first joiner asking for it).
  std::string room_e2ee = "off";
  std::chrono::seconds empty_room_timeout{20};
  std::chrono::seconds reconnect_window{20};
  size_t max_message_bytes = 64 * 1024;
  double messages_per_second = 20;
  size_t max_connections_per_ip = 64;  // per IPv4 address or IPv6 /64
  size_t max_connections = 10000;      // signaling connections in total
  // Room service API (docs/api.md): requests per client address (token bucket).
  double api_requests_per_second = 20;
  double api_request_burst = 40;

  // Embedded TURN server (RFC 8656) with coturn-style REST credentials.
  bool turn_enabled = false;      // --dev: on
  uint16_t turn_port = 3478;      // UDP and TCP
  uint16_t turn_tls_port = 5349;  // 0: no TLS listener
  std::string turn_realm = "ciphertalk";
  std::vector<std::string> turn_secrets;    // --dev: a random one; the first signs new credentials
  std::string turn_tls_cert, turn_tls_key;  // empty in --dev: self-signed
  std::string turn_host;  // host or IP written into turn: URLs; empty: the announced/bound media address
  std::chrono::seconds turn_credential_ttl{6 * 3600};
  // An external TURN server (e.g. coturn with use-auth-secret) instead of, or
  // besides, the embedded one: its URLs and shared secret.
  std::vector<std::string> external_turn_urls;
  std::string external_turn_secret;

  // Recording (docs/recording.md): DIR/<room>/<recording-id>/ per recording.
  // Empty: recording is off and requests get "recording_disabled". --dev: ./recordings.
  std::string recordings_dir;

  // Object storage and retention for finished recordings (docs/recording.md,
  // "Object storage and retention"). Keys come from the environment, never
  // the config file: CT_S3_ACCESS_KEY_ID / CT_S3_SECRET_ACCESS_KEY (or AWS_*).
  struct StorageTarget {
    std::string endpoint;  // empty: Amazon S3 itself
    std::string bucket;
    std::string region = "us-east-1";
    std::string prefix;
    std::string sse;  // "" (none), "AES256" or "aws:kms"
  };
  std::vector<StorageTarget> storage_targets;  // every one must confirm a recording; empty: local only
  bool storage_keep_local = false;             // keep the local copy after it is stored
  uint64_t storage_multipart_threshold = 16ull << 20;
  uint64_t storage_part_size = 8ull << 20;  // at least 5 MiB (S3's minimum)
  std::chrono::seconds storage_retry_max_delay{300};
  std::chrono::seconds recording_retention{0};  // 0: off; local folders and uploaded objects

  // --dev only: write each forwarded VP8 track, as the SFU sees it, to
  // DIR/<room>/<participant>-<track>.ivf (the proof that an E2EE room's media
  // reaches the server only as ciphertext). Empty: off.
  std::string debug_dump_payloads_dir;

  // Webhooks (docs/api.md, "Webhooks"): room events POSTed to each URL,
  // signed with the secret of webhook_api_key (empty: the first API key).
  std::vector<std::string> webhook_urls;
  std::string webhook_api_key;
  // The API key that signs webhooks: webhook_api_key, or the first key.
  std::string webhook_signing_key() const;

  // Send-side bandwidth estimation on every subscriber connection
  // (transport-cc offered, packets numbered, feedback read).
  bool subscriber_bwe = true;

  // Scale-out through Redis (docs/operations.md, "Scale-out"). An empty
  // cluster_redis: one node, as without a cluster.
  std::string cluster_redis;    // redis://[:password@]host[:port][/db]
  std::string cluster_node_id;  // empty: <hostname>-<http port>
  std::string
      cluster_node_url;  // this node's HTTP base as other nodes reach it; empty: http://<media IP>:<port>
  std::string cluster_region;  // placement prefers the first joiner's node's region
  size_t cluster_capacity =
      1000;  // participants this node is meant to hold (placement's load is a share of it)
  // With a cluster: a room may span nodes (docs/operations.md, "Cascade").
  bool cluster_cascade = true;
  uint16_t cluster_cascade_port = 0;  // first link port, + worker index; 0: any free port
  // SIGTERM: refuse new rooms and joins, let calls go on, exit when the last
  // participant leaves or after this long. Unset: 5 minutes, or 0 (exit at
  // once) in --dev without a cluster.
  std::optional<std::chrono::seconds> drain_timeout;
  std::chrono::seconds effective_drain_timeout() const;
  // From a duration like "5m", "30s" or "0". Returns an error message or nothing.
  std::optional<std::string> set_drain_timeout(const std::string& text);
  // The node id and URL this node registers under (the configured ones, or their defaults).
  std::string node_id() const;
  std::string node_url() const;

  // TEST ONLY: drop this fraction of forwarded packets to exercise NACK/RTX.
  double drop_forwarded_fraction = 0;
  // TEST ONLY: drop this fraction of the media packets publishers send (after
  // SRTP, before the SFU sees them), as loss on their uplink would.
  double drop_received_fraction = 0;

  // Applies the --dev defaults: loopback only, zero configuration.
  void apply_dev_defaults();
  // Merges a YAML file over this config. Returns an error message, or nothing on success.
  std::optional<std::string> load_yaml_file(const std::string& path);
  std::optional<std::string> load_yaml_text(const std::string& text);
  // The --s3-* and --recording-retention flags as given (empty: not given).
  // `targets[0]` is the first storage target (--s3-endpoint ...), `targets[1]`
  // the second (--s3-secondary-endpoint ...); a flag overrides that target's
  // field from the config file, or adds the target.
  struct StorageFlags {
    struct Target {
      std::string endpoint, bucket, region, prefix, sse;
      bool given() const {
        return !endpoint.empty() || !bucket.empty() || !region.empty() || !prefix.empty() || !sse.empty();
      }
    };
    Target targets[2];
    bool keep_local = false;
    std::string multipart_threshold, part_size, retry_max_delay, retention;
  };
  std::optional<std::string> apply_storage_flags(const StorageFlags& flags);
  // --ice-server URL (repeated), --ice-server-username, --ice-server-credential:
  // when any URL is given they replace rtc.ice_servers; the STUN URLs become
  // one entry, the TURN URLs another with the username and credential.
  // Returns an error message or nothing.
  std::optional<std::string> apply_ice_server_flags(const std::vector<std::string>& urls,
                                                    const std::string& username,
                                                    const std::string& credential);

  // The recording.retention and recording.storage keys. Returns an error message or nothing.
  std::optional<std::string> load_storage_yaml(const YAML::Node& recording);
  // Checks values that cannot work together. Returns an error message or nothing.
  std::optional<std::string> validate() const;
  // The IP written into ICE candidates.
  std::string candidate_ip() const;
};

}  // namespace ct::app
