// ciphertalk: the one binary. Subcommands: serve, token, turn, loadtest, compose, recover, version.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "app/ComposeCommand.hpp"
#include "app/Config.hpp"
#include "app/LoadTestCommand.hpp"
#include "app/NodeCommand.hpp"
#include "app/RecoverCommand.hpp"
#include "app/RoomCommand.hpp"
#include "app/Server.hpp"
#include "app/TokenCommand.hpp"
#include "app/TurnCommand.hpp"
#include "core/Log.hpp"

#ifndef CT_VERSION
#define CT_VERSION "dev"
#endif

int main(int argc, char** argv) {
  CLI::App app{"CipherTalk: self-hosted group voice and video calls (SFU, STUN/TURN, E2EE key relay)",
               "ciphertalk"};
  app.require_subcommand(1);

  std::string config_file;
  bool dev = false;
  std::string log_level;
  std::string log_format;
  std::string http_bind, rtc_bind, announced_ip, web_root, srtp_profiles, room_e2ee, dump_payloads,
      recordings_dir;
  int http_port = -1, rtc_port = -1, workers = -1, turn_port = -1, turn_tls_port = -1;
  bool no_turn = false;
  double api_rate = -1, api_burst = -1;
  std::string subscriber_bwe;

  auto* serve = app.add_subcommand("serve", "Run the server (HTTP, signaling, media)");
  serve->add_flag(
      "--dev", dev,
      "Development mode: no config needed, loopback only (HTTP 127.0.0.1:7880, UDP 127.0.0.1:7882)");
  serve->add_option("-c,--config", config_file, "YAML config file (see ciphertalk.example.yaml)")
      ->check(CLI::ExistingFile);
  serve->add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  serve->add_option("--log-format", log_format, "text, or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}));
  serve->add_option("--http-bind", http_bind, "HTTP listen address");
  serve->add_option("--http-port", http_port, "HTTP port (web client, /echo, /healthz)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--rtc-bind", rtc_bind, "Media UDP listen address");
  serve->add_option("--rtc-port", rtc_port, "First media UDP port; worker i uses port+i")
      ->check(CLI::Range(1, 65535));
  serve->add_option("--workers", workers, "Media worker threads")->check(CLI::Range(1, 64));
  serve->add_option("--announced-ip", announced_ip,
                    "Address put in ICE candidates (public IP behind 1:1 NAT)");
  serve->add_option("--web-root", web_root, "Directory of the web client's files");
  serve
      ->add_option("--srtp-profiles", srtp_profiles,
                   "all (AES-GCM first) or aes-cm (force AES_CM_128_HMAC_SHA1_80)")
      ->check(CLI::IsMember({"all", "aes-cm"}));

  int batch_window_us = -1;
  serve
      ->add_option("--batch-window-us", batch_window_us,
                   "Microseconds a busy media worker lets datagrams gather between looks at its socket (0: "
                   "wake per datagram)")
      ->check(CLI::Range(0, 1000));

  ct::app::add_token_command(app);
  ct::app::add_turn_command(app);
  ct::app::add_loadtest_command(app);
  ct::app::add_compose_command(app);
  ct::app::add_recover_command(app);
  ct::app::add_room_commands(app);
  ct::app::add_node_command(app);

  serve->add_option("--turn-port", turn_port, "Embedded TURN port, UDP and TCP (3478)")
      ->check(CLI::Range(1, 65535));
  serve->add_option("--turn-tls-port", turn_tls_port, "Embedded TURN TLS port (5349; 0 = none)")
      ->check(CLI::Range(0, 65535));
  serve->add_flag("--no-turn", no_turn, "Do not run the embedded TURN server");
  std::vector<std::string> ice_server_urls;
  std::string ice_server_username, ice_server_credential;
  serve->add_option("--ice-server", ice_server_urls,
                    "An external STUN/TURN URL handed to clients besides ours (stun:host:port, "
                    "turn:host:port?transport=udp|tcp, turns:...; repeat it)");
  serve->add_option("--ice-server-username", ice_server_username, "Username for the --ice-server turn: URLs");
  serve->add_option("--ice-server-credential", ice_server_credential,
                    "Credential (password) for the --ice-server turn: URLs");
  serve->add_option("--room-e2ee", room_e2ee, "off, or required: every room is end-to-end encrypted")
      ->check(CLI::IsMember({"off", "required"}));
  serve->add_option("--debug-dump-payloads", dump_payloads,
                    "--dev only: write each forwarded VP8 track as the server sees it to "
                    "DIR/<room>/<participant>-<track>.ivf");

  serve
      ->add_option("--subscriber-bwe", subscriber_bwe,
                   "on or off: send-side bandwidth estimation on subscriber connections (on)")
      ->check(CLI::IsMember({"on", "off"}));

  serve->add_option(
      "--recordings-dir", recordings_dir,
      "Record rooms on request into DIR/<room>/<recording-id>/ (--dev: ./recordings; unset: recording off)");

  // Object storage and retention (docs/recording.md, "Object storage and retention").
  ct::app::Config::StorageFlags storage;
  for (int i = 0; i < 2; ++i) {
    auto& t = storage.targets[i];
    const std::string p = i == 0 ? "--s3-" : "--s3-secondary-";
    const std::string which = i == 0 ? "Object storage" : "Second object storage target";
    serve->add_option(p + "endpoint", t.endpoint, which + ": S3-compatible endpoint URL (empty: Amazon S3)");
    serve->add_option(p + "bucket", t.bucket, which + ": bucket for finished recordings");
    serve->add_option(p + "region", t.region, which + ": region for the signature (us-east-1)");
    serve->add_option(p + "prefix", t.prefix, which + ": key prefix; keys are PREFIX<room>/<id>/<file>");
    serve->add_option(p + "sse", t.sse, which + ": server-side encryption: none, AES256 or aws:kms")
        ->check(CLI::IsMember({"none", "AES256", "aws:kms"}));
  }
  serve->add_flag("--s3-keep-local", storage.keep_local,
                  "Keep the local copy of a recording once it is stored");
  serve->add_option("--s3-multipart-threshold", storage.multipart_threshold,
                    "Files larger than this go up in parts (16M)");
  serve->add_option("--s3-part-size", storage.part_size, "Size of each part, at least 5M (8M)");
  serve->add_option("--s3-retry-max-delay", storage.retry_max_delay,
                    "Longest wait between attempts to store a recording (5m)");
  serve->add_option(
      "--recording-retention", storage.retention,
      "Delete recordings, local and stored, this long after they end (e.g. 30d; off by default)");

  // Webhooks (docs/api.md, "Webhooks").
  std::vector<std::string> webhook_urls;
  std::string webhook_api_key;
  serve->add_option("--webhook-url", webhook_urls,
                    "POST room events to this URL (repeat for several; replaces webhook.urls)");
  serve->add_option("--webhook-api-key", webhook_api_key,
                    "API key whose secret signs webhooks (default: the first API key)");

  serve->add_option("--api-requests-per-second", api_rate,
                    "Room service API requests per client address and second (20)");
  serve->add_option("--api-request-burst", api_burst, "Room service API requests a client address may burst (40)");
  int max_connections_per_ip = -1;
  serve
      ->add_option("--max-connections-per-ip", max_connections_per_ip,
                   "Signaling connections per client address (an IPv4 address or IPv6 /64; 64)")
      ->check(CLI::Range(1, 1000000));

  // Scale-out and drain (docs/operations.md, "Scale-out").
  std::string redis, node_id, node_url, region, drain_timeout;
  int capacity = -1;
  serve->add_option("--redis", redis,
                    "Join the cluster that shares this Redis: redis://host:port (unset: one node)");
  serve->add_option("--node-id", node_id, "This node's id in the cluster (<hostname>-<http port>)");
  serve->add_option("--node-url", node_url,
                    "This node's HTTP base URL as the other nodes reach it (http://<media IP>:<http port>)");
  serve->add_option("--region", region,
                    "This node's region; new rooms prefer a node of the first joiner's region");
  serve->add_option("--capacity", capacity, "Participants this node is meant to hold (1000)")
      ->check(CLI::Range(1, 1000000));
  std::string cascade;
  int cascade_port = -1;
  serve
      ->add_option("--cascade", cascade,
                   "With --redis: serve a room here too, linked to its home node, when that node is in "
                   "another region or full (on)")
      ->check(CLI::IsMember({"on", "off"}));
  serve
      ->add_option("--cascade-port", cascade_port,
                   "First UDP port of the links between nodes, one per worker (0: any free port)")
      ->check(CLI::Range(0, 65535));
  serve->add_option("--drain-timeout", drain_timeout,
                    "After SIGTERM, wait this long for calls to end (5m; 0 in --dev without --redis)");

  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([] { std::printf("ciphertalk %s\n", CT_VERSION); });

  CLI11_PARSE(app, argc, argv);

  if (*serve) {
    ct::app::Config config;
    if (dev) config.apply_dev_defaults();
    if (!config_file.empty()) {
      if (auto err = config.load_yaml_file(config_file)) {
        std::fprintf(stderr, "ciphertalk: %s\n", err->c_str());
        return 2;
      }
    }
    if (!log_level.empty()) config.log_level = log_level;
    if (!log_format.empty()) config.log_format = log_format;
    if (!http_bind.empty()) config.http_bind = http_bind;
    if (http_port >= 0) config.http_port = uint16_t(http_port);
    if (!rtc_bind.empty()) config.rtc_bind = rtc_bind;
    if (rtc_port >= 0) config.rtc_port = uint16_t(rtc_port);
    if (workers > 0) config.workers = unsigned(workers);
    if (batch_window_us >= 0) config.batch_window_us = unsigned(batch_window_us);
    if (!announced_ip.empty()) config.announced_ip = announced_ip;
    if (!web_root.empty()) config.web_root = web_root;
    if (!srtp_profiles.empty()) config.srtp_profiles = srtp_profiles;
    if (turn_port > 0) config.turn_port = uint16_t(turn_port);
    if (turn_tls_port >= 0) config.turn_tls_port = uint16_t(turn_tls_port);
    if (no_turn) config.turn_enabled = false;
    if (!room_e2ee.empty()) config.room_e2ee = room_e2ee;
    if (!dump_payloads.empty()) config.debug_dump_payloads_dir = dump_payloads;
    if (!recordings_dir.empty()) config.recordings_dir = recordings_dir;
    if (!webhook_urls.empty()) config.webhook_urls = webhook_urls;
    if (!webhook_api_key.empty()) config.webhook_api_key = webhook_api_key;
    if (api_rate >= 0) config.api_requests_per_second = api_rate;
    if (api_burst >= 0) config.api_request_burst = api_burst;
    if (max_connections_per_ip > 0) config.max_connections_per_ip = size_t(max_connections_per_ip);
    if (!subscriber_bwe.empty()) config.subscriber_bwe = subscriber_bwe == "on";
    if (!redis.empty()) config.cluster_redis = redis;
    if (!node_id.empty()) config.cluster_node_id = node_id;
    if (!node_url.empty()) config.cluster_node_url = node_url;
    if (!region.empty()) config.cluster_region = region;
    if (capacity > 0) config.cluster_capacity = size_t(capacity);
    if (!cascade.empty()) config.cluster_cascade = cascade == "on";
    if (cascade_port >= 0) config.cluster_cascade_port = uint16_t(cascade_port);
    if (!drain_timeout.empty()) {
      if (auto err = config.set_drain_timeout(drain_timeout)) {
        std::fprintf(stderr, "ciphertalk: --drain-timeout: %s\n", err->c_str());
        return 2;
      }
    }
    if (auto err =
            config.apply_ice_server_flags(ice_server_urls, ice_server_username, ice_server_credential)) {
      std::fprintf(stderr, "ciphertalk: %s\n", err->c_str());
      return 2;
    }
    if (auto err = config.apply_storage_flags(storage)) {
      std::fprintf(stderr, "ciphertalk: %s\n", err->c_str());
      return 2;
    }
    if (auto err = config.validate()) {
      std::fprintf(stderr, "ciphertalk: %s\n", err->c_str());
      return 2;
    }
    ct::LogFormat format = ct::LogFormat::text;
    ct::parse_log_format(config.log_format, format);
    if (config.log_json) format = ct::LogFormat::json;
    ct::configure_logging(config.log_level, format);
    try {
      ct::app::Server server(config);
      server.start();
      server.run_until_signal();
    } catch (const std::exception& e) {
      spdlog::critical("{}", e.what());
      return 1;
    }
  }
  return 0;
}
