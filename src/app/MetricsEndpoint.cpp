#include "app/MetricsEndpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <string_view>

#include "core/Log.hpp"
#include "http/HttpServer.hpp"
#include "metrics/PrometheusWriter.hpp"
#include "sfu/MediaWorker.hpp"
#include "turn/TurnServer.hpp"

#ifndef CT_VERSION
#define CT_VERSION "dev"
#endif

namespace ct::app {
namespace {

using metrics::MetricType;
using metrics::PrometheusWriter;

// One family with one sample per worker, labelled worker="N" (plus `labels`).
template <class Value>
void per_worker(PrometheusWriter& w, const std::vector<sfu::WorkerMetrics>& workers, std::string_view name,
                MetricType type, std::string_view help, Value value) {
  w.family(name, type, help);
  for (const auto& m : workers) {
    std::string worker = std::to_string(m.worker);
    w.sample({{"worker", worker}}, uint64_t(value(m)));
  }
}

// One family whose samples split one quantity by a label (direction, reason, kind) per worker.
struct Split {
  std::string_view value;
  uint64_t (*get)(const sfu::WorkerMetrics&);
};
void per_worker_split(PrometheusWriter& w, const std::vector<sfu::WorkerMetrics>& workers,
                      std::string_view name, MetricType type, std::string_view help, std::string_view label,
                      std::initializer_list<Split> splits) {
  w.family(name, type, help);
  for (const auto& m : workers) {
    std::string worker = std::to_string(m.worker);
    for (const auto& s : splits) w.sample({{"worker", worker}, {label, s.value}}, s.get(m));
  }
}

void write_workers(PrometheusWriter& w, const std::vector<sfu::WorkerMetrics>& ws) {
  using M = const sfu::WorkerMetrics&;
  const auto gauge = MetricType::gauge;
  const auto counter = MetricType::counter;
  per_worker(w, ws, "ciphertalk_rooms", gauge, "Open rooms.", [](M m) { return m.rooms; });
  per_worker(w, ws, "ciphertalk_participants", gauge, "Participants in rooms (including hidden ones).",
             [](M m) { return m.census.participants; });
  per_worker_split(w, ws, "ciphertalk_published_tracks", gauge, "Tracks being published.", "kind",
                   {{"audio", [](M m) { return uint64_t(m.census.audio_publications); }},
                    {"video", [](M m) { return uint64_t(m.census.video_publications); }}});
  per_worker(w, ws, "ciphertalk_subscriptions", gauge, "Tracks being forwarded to a subscriber.",
             [](M m) { return m.census.subscriptions; });
  per_worker(w, ws, "ciphertalk_echo_sessions", gauge, "Open /echo test sessions.",
             [](M m) { return m.echo_sessions; });
  per_worker(w, ws, "ciphertalk_rooms_created_total", counter, "Rooms opened.",
             [](M m) { return m.media.rooms_created; });
  per_worker(w, ws, "ciphertalk_participants_joined_total", counter,
             "Participants who joined a room (a resumed connection is not a new join).",
             [](M m) { return m.media.participants_joined; });
  per_worker(w, ws, "ciphertalk_tracks_published_total", counter, "Tracks published.",
             [](M m) { return m.media.tracks_published; });

  per_worker_split(w, ws, "ciphertalk_udp_packets_total", counter, "Datagrams on the worker's media port.",
                   "direction",
                   {{"in", [](M m) { return m.socket.received_packets; }},
                    {"out", [](M m) { return m.socket.sent_packets; }}});
  per_worker_split(w, ws, "ciphertalk_udp_bytes_total", counter, "Bytes on the worker's media port.",
                   "direction",
                   {{"in", [](M m) { return m.socket.received_bytes; }},
                    {"out", [](M m) { return m.socket.sent_bytes; }}});
  per_worker(w, ws, "ciphertalk_udp_blocked_sends_total", counter,
             "Times the media port's send buffer was full (the rest waited in the backlog).",
             [](M m) { return m.socket.blocked_sends; });
  per_worker_split(w, ws, "ciphertalk_udp_dropped_total", counter,
                   "Datagrams the media port dropped, by reason.", "reason",
                   {{"send_error", [](M m) { return m.socket.send_errors; }},
                    {"backlog_full", [](M m) { return m.socket.backlog_drops; }},
                    {"unknown_source", [](M m) { return m.port.unknown_source; }},
                    {"unknown_ufrag", [](M m) { return m.port.unknown_ufrag; }},
                    {"malformed", [](M m) { return m.port.malformed; }}});

  per_worker_split(w, ws, "ciphertalk_rtp_packets_total", counter,
                   "RTP packets on participants' connections (SRTP; retransmissions included).", "direction",
                   {{"in", [](M m) { return m.media.rtp_packets_in; }},
                    {"out", [](M m) { return m.media.rtp_packets_out; }}});
  per_worker_split(
      w, ws, "ciphertalk_rtp_bytes_total", counter,
      "RTP bytes on participants' connections, header and payload before encryption.", "direction",
      {{"in", [](M m) { return m.media.rtp_bytes_in; }}, {"out", [](M m) { return m.media.rtp_bytes_out; }}});
  per_worker_split(w, ws, "ciphertalk_rtcp_packets_total", counter,
                   "SRTCP packets on participants' connections.", "direction",
                   {{"in", [](M m) { return m.media.rtcp_packets_in; }},
                    {"out", [](M m) { return m.media.rtcp_packets_out; }}});
  per_worker_split(
      w, ws, "ciphertalk_rtp_dropped_total", counter,
      "Media packets dropped: SRTP/SRTCP that failed to authenticate or decrypt, replays, or could not be "
      "protected (srtp_error); media before DTLS finished (before_connect); test-only fault injection.",
      "reason",
      {{"srtp_error", [](M m) { return m.media.srtp_errors; }},
       {"before_connect", [](M m) { return m.media.dropped_before_connect; }},
       {"fault_injection", [](M m) { return m.media.dropped_by_fault_injection; }}});
  per_worker(w, ws, "ciphertalk_published_packets_total", counter,
             "RTP packets received on published tracks (retransmissions included).",
             [](M m) { return m.media.publication_packets_in; });
  per_worker(w, ws, "ciphertalk_forwarded_packets_total", counter, "RTP packets forwarded to subscribers.",
             [](M m) { return m.media.forwarded; });
  per_worker(w, ws, "ciphertalk_simulcast_layer_switches_total", counter,
             "Simulcast layer changes made for subscribers, each at a keyframe of the new layer.",
             [](M m) { return m.media.layer_switches; });
  per_worker_split(w, ws, "ciphertalk_bandwidth_allocations_total", counter,
                   "Changes the per-subscriber bandwidth allocator made to what a subscriber receives of a "
                   "track: paused (not even its lowest layer fits), downgraded (a cheaper layer or fewer "
                   "temporal layers), upgraded (a dearer one, or resumed).",
                   "result",
                   {{"paused", [](M m) { return m.media.bandwidth_paused; }},
                    {"downgraded", [](M m) { return m.media.bandwidth_downgraded; }},
                    {"upgraded", [](M m) { return m.media.bandwidth_upgraded; }}});
  per_worker_split(w, ws, "ciphertalk_retransmissions_total", counter,
                   "Packets subscribers asked for again (NACK): resent, no longer kept, or not resent (never "
                   "sent to them, just resent, or over the per-subscriber budget).",
                   "result",
                   {{"sent", [](M m) { return m.media.retransmitted; }},
                    {"missing", [](M m) { return m.media.retransmissions_missing; }},
                    {"limited", [](M m) { return m.media.retransmissions_limited; }}});
  per_worker(w, ws, "ciphertalk_nacks_sent_total", counter, "NACKs sent to publishers for lost packets.",
             [](M m) { return m.media.nacks_sent; });
  per_worker_split(w, ws, "ciphertalk_data_messages_total", counter,
                   "Data channel messages: from participants' browsers (in), to them (out).", "direction",
                   {{"in", [](M m) { return m.media.data_received; }},
                    {"out", [](M m) { return m.media.data_delivered; }}});
  per_worker_split(w, ws, "ciphertalk_data_dropped_total", counter,
                   "Data channel messages dropped, by reason.", "reason",
                   {{"not_allowed", [](M m) { return m.media.data_dropped_not_allowed; }},
                    {"rate", [](M m) { return m.media.data_dropped_rate; }},
                    {"malformed", [](M m) { return m.media.data_dropped_malformed; }},
                    {"undeliverable", [](M m) { return m.media.data_dropped_undeliverable; }}});
  per_worker_split(w, ws, "ciphertalk_keyframe_requests_total", counter,
                   "Keyframe requests (PLI/FIR) for publishers: sent, or held back by the throttle.",
                   "result",
                   {{"sent", [](M m) { return m.media.keyframe_requests_sent; }},
                    {"throttled", [](M m) { return m.media.keyframe_requests_throttled; }}});
  // Round trips as a count and a sum (average: the rate of one over the other).
  per_worker_split(
      w, ws, "ciphertalk_round_trips_total", counter,
      "Round trips measured to participants' browsers: on subscriber connections from receiver "
      "reports of the server's SRs, on publisher connections from RTCP XR DLRR answers to its RRTRs.",
      "connection",
      {{"publisher", [](M m) { return m.media.publisher_round_trips; }},
       {"subscriber", [](M m) { return m.media.subscriber_round_trips; }}});
  w.family("ciphertalk_round_trip_seconds_total", counter,
           "The sum of the round trips counted in ciphertalk_round_trips_total, in seconds.");
  for (const auto& m : ws) {
    std::string worker = std::to_string(m.worker);
    w.sample({{"worker", worker}, {"connection", "publisher"}},
             double(m.media.publisher_round_trip_us) / 1e6);
    w.sample({{"worker", worker}, {"connection", "subscriber"}},
             double(m.media.subscriber_round_trip_us) / 1e6);
  }
}

// How the media path does: forward latency, loop utilisation, feedback from
// subscribers and to publishers, round trips and jitter (distributions over
// all workers; no per-participant labels).
void write_media_path(PrometheusWriter& w, const std::vector<sfu::WorkerMetrics>& ws) {
  using M = const sfu::WorkerMetrics&;
  sfu::MediaCounters all;
  for (const auto& m : ws) {
    all.forward_latency += m.media.forward_latency;
    all.subscriber_rtt += m.media.subscriber_rtt;
    all.publisher_rtt += m.media.publisher_rtt;
    all.jitter += m.media.jitter;
  }
  w.family("ciphertalk_forward_latency_seconds", MetricType::histogram,
           "Time from a media packet's arrival at the SFU (after SRTP decryption) to its last copy handed to "
           "the send batch (SRTP-protected), measured on the media worker's clock.");
  w.histogram(all.forward_latency.bounds(), all.forward_latency.counts(), all.forward_latency.sum());
  w.family("ciphertalk_worker_loop_utilization_ratio", MetricType::gauge,
           "Share of the last second the media worker's thread spent handling events (its CPU time over "
           "wall time, 0..1).");
  for (const auto& m : ws) w.sample({{"worker", std::to_string(m.worker)}}, m.loop_utilization);
  w.family("ciphertalk_worker_busy_seconds_total", MetricType::counter,
           "CPU time the media worker's thread has used since it started.");
  for (const auto& m : ws) w.sample({{"worker", std::to_string(m.worker)}}, m.busy_seconds);
  per_worker(w, ws, "ciphertalk_worker_queue_depth", MetricType::gauge,
             "Tasks other threads posted to the media worker (joins, signaling, API calls) not yet started.",
             [](M m) { return m.queued_tasks; });
  per_worker_split(w, ws, "ciphertalk_rtcp_feedback_received_total", MetricType::counter,
                   "RTCP feedback packets from subscribers' browsers about the tracks they receive.", "type",
                   {{"nack", [](M m) { return m.media.nacks_received; }},
                    {"pli", [](M m) { return m.media.plis_received; }},
                    {"fir", [](M m) { return m.media.firs_received; }}});
  per_worker_split(w, ws, "ciphertalk_rtcp_feedback_sent_total", MetricType::counter,
                   "RTCP feedback packets the SFU sent to publishers (keyframe requests go as PLI).", "type",
                   {{"nack", [](M m) { return m.media.nacks_sent; }},
                    {"pli", [](M m) { return m.media.keyframe_requests_sent; }}});
  w.family("ciphertalk_round_trip_time_seconds", MetricType::histogram,
           "Round trips to participants' browsers as each is measured: on subscriber connections from "
           "receiver reports, on publisher connections from RTCP XR DLRR.");
  w.histogram({{"connection", "publisher"}}, all.publisher_rtt.bounds(), all.publisher_rtt.counts(),
              all.publisher_rtt.sum());
  w.histogram({{"connection", "subscriber"}}, all.subscriber_rtt.bounds(), all.subscriber_rtt.counts(),
              all.subscriber_rtt.sum());
  w.family("ciphertalk_jitter_seconds", MetricType::histogram,
           "Interarrival jitter (RFC 3550 A.8) of publishers' streams, each time the SFU's receiver report "
           "carries it.");
  w.histogram(all.jitter.bounds(), all.jitter.counts(), all.jitter.sum());
}

// Refusals by every limiter that protects the server, in one family.
void write_rate_limits(PrometheusWriter& w, const MetricsEndpoint::Snapshot& s) {
  w.family("ciphertalk_rate_limited_total", MetricType::counter,
           "Requests refused by a rate limit or cap, by limiter: signaling messages over the per-connection "
           "rate, signaling connections over the per-address or total cap, room service API requests over "
           "the per-address rate, data channel messages over the per-participant rate.");
  if (s.signal) {
    auto it = s.signal->errors.find("rate_limited");
    w.sample({{"limiter", "signal_messages"}}, it == s.signal->errors.end() ? uint64_t{0} : it->second);
    w.sample({{"limiter", "signal_connections_per_ip"}}, s.signal->refused_per_ip);
    w.sample({{"limiter", "signal_connections"}}, s.signal->refused_total);
  }
  if (s.api_rate_limited) w.sample({{"limiter", "api_requests"}}, *s.api_rate_limited);
  uint64_t data = 0;
  for (const auto& m : s.workers) data += m.media.data_dropped_rate;
  if (!s.workers.empty()) w.sample({{"limiter", "data_messages"}}, data);
}

void write_request_latency(PrometheusWriter& w, const std::vector<signal::RequestLatency::Histogram>& hs) {
  w.family("ciphertalk_signal_request_duration_seconds", MetricType::histogram,
           "Signaling requests from the frame's arrival to the end of their work (on the room's media "
           "worker for most), by request type.");
  for (const auto& h : hs)
    w.histogram({{"type", h.type}}, signal::RequestLatency::kBounds, h.counts, h.sum_seconds);
}

// Subscriber bandwidth estimation: what was numbered and what the feedback
// said, and the distribution of the live connections' estimates over all
// workers (no per-participant labels).
void write_subscriber_bwe(PrometheusWriter& w, const std::vector<sfu::WorkerMetrics>& ws) {
  using M = const sfu::WorkerMetrics&;
  const auto counter = MetricType::counter;
  per_worker_split(w, ws, "ciphertalk_subscriber_bwe_packets_total", counter,
                   "Packets sent on subscriber connections with a transport-wide sequence number, and "
                   "what the browsers' transport-cc feedback reported of them.",
                   "result",
                   {{"sent", [](M m) { return m.media.bwe_packets_sent; }},
                    {"acked", [](M m) { return m.media.bwe_packets_acked; }},
                    {"lost", [](M m) { return m.media.bwe_packets_lost; }}});
  per_worker_split(w, ws, "ciphertalk_subscriber_bwe_feedback_total", counter,
                   "Transport-cc feedback packets from subscribers: used, or dropped as malformed.", "result",
                   {{"used", [](M m) { return m.media.bwe_feedbacks; }},
                    {"malformed", [](M m) { return m.media.bwe_feedbacks_malformed; }}});
  per_worker(w, ws, "ciphertalk_subscriber_bwe_probe_clusters_total", counter,
             "Probe clusters sent on subscriber connections.",
             [](M m) { return m.media.bwe_probe_clusters_sent; });

  sfu::MediaCounters all;
  for (const auto& m : ws) {
    for (size_t i = 0; i < all.estimate_buckets.size(); ++i)
      all.estimate_buckets[i] += m.media.estimate_buckets[i];
    all.estimates += m.media.estimates;
    all.estimate_sum_bps += m.media.estimate_sum_bps;
  }
  w.family("ciphertalk_subscriber_bandwidth_estimate_bits", MetricType::histogram,
           "Send-side bandwidth estimates of the subscriber connections that have one, in bits per second.");
  w.histogram(sfu::MediaCounters::kEstimateBuckets, all.estimate_buckets, double(all.estimate_sum_bps));
}

void write_by_label(PrometheusWriter& w, std::string_view name, std::string_view help, std::string_view label,
                    const std::map<std::string, uint64_t>& values) {
  w.family(name, MetricType::counter, help);
  for (const auto& [key, value] : values) w.sample({{label, key}}, value);
}

void write_signal(PrometheusWriter& w, const signal::RtcService::Stats& s) {
  w.family("ciphertalk_signal_connections", MetricType::gauge, "Open signaling WebSocket connections.");
  w.sample(uint64_t(s.connections));
  w.family("ciphertalk_signal_connections_total", MetricType::counter, "Signaling connections accepted.");
  w.sample(s.connections_total);
  w.family("ciphertalk_signal_messages_total", MetricType::counter, "Signaling messages received.");
  w.sample(s.messages);
  write_by_label(w, "ciphertalk_signal_errors_total", "Error messages sent to clients, by code.", "code",
                 s.errors);
  write_by_label(w, "ciphertalk_signal_closed_total",
                 "Signaling connections the server ended, by reason (left: after the client's leave).",
                 "reason", s.closes);
}

// WHIP ingest or WHEP playback: `name` "whip" or "whep", `what` as the help text says it.
void write_http_sdp(PrometheusWriter& w, const std::string& name, const std::string& what,
                    const signal::HttpSdpSessionRegistry::Stats& s) {
  w.family("ciphertalk_" + name + "_sessions", MetricType::gauge, "Live " + what + " sessions.");
  w.sample(uint64_t(s.sessions));
  write_by_label(w, "ciphertalk_" + name + "_requests_total", what + " requests answered, by HTTP status.",
                 "result", s.requests);
}

void write_turn(PrometheusWriter& w, const turn::TurnStats& s) {
  w.family("ciphertalk_turn_allocations", MetricType::gauge, "TURN allocations open.");
  w.sample(s.allocations_active);
  w.family("ciphertalk_turn_allocations_total", MetricType::counter, "TURN allocations made.");
  w.sample(s.allocations_total);
  w.family("ciphertalk_turn_relayed_packets_total", MetricType::counter, "Packets relayed by TURN.");
  w.sample({{"direction", "to_peer"}}, s.packets_to_peers);
  w.sample({{"direction", "to_client"}}, s.packets_to_clients);
  w.family("ciphertalk_turn_relayed_bytes_total", MetricType::counter, "Bytes relayed by TURN.");
  w.sample({{"direction", "to_peer"}}, s.bytes_to_peers);
  w.sample({{"direction", "to_client"}}, s.bytes_to_clients);
  w.family("ciphertalk_turn_refused_total", MetricType::counter,
           "TURN requests refused, by reason (error code).");
  const std::pair<std::string_view, uint64_t> refused[] = {
      {"unauthenticated", s.refused_unauthenticated},      // 401
      {"stale_nonce", s.refused_stale_nonce},              // 438
      {"bad_request", s.refused_bad_request},              // 400, 420
      {"forbidden_peer", s.refused_forbidden_peer},        // 403
      {"allocation_mismatch", s.refused_mismatch},         // 437
      {"wrong_credentials", s.refused_wrong_credentials},  // 441
      {"unsupported", s.refused_unsupported},              // 440, 442, 443
      {"quota", s.refused_quota},                          // 486
      {"capacity", s.refused_capacity},                    // 508
  };
  for (const auto& [reason, value] : refused) w.sample({{"reason", reason}}, value);
  w.family("ciphertalk_turn_dropped_total", MetricType::counter, "Relayed packets TURN dropped, by reason.");
  const std::pair<std::string_view, uint64_t> dropped[] = {
      {"no_permission", s.dropped_no_permission},
      {"bandwidth", s.dropped_bandwidth},
      {"malformed", s.dropped_malformed},
      {"receiver_full", s.dropped_send_full},
  };
  for (const auto& [reason, value] : dropped) w.sample({{"reason", reason}}, value);
}

void write_uploads(PrometheusWriter& w, const record::RecordingUploader::Stats& s) {
  w.family("ciphertalk_recording_uploads_total", MetricType::counter,
           "Recording files put into object storage, by result (ok: confirmed by the store).");
  w.sample({{"result", "ok"}}, s.files_uploaded);
  w.sample({{"result", "failed"}}, s.file_upload_failures);
  w.family("ciphertalk_recording_upload_bytes_total", MetricType::counter,
           "Bytes of recordings the object stores accepted.");
  w.sample(s.bytes_uploaded);
  w.family("ciphertalk_recording_upload_retries_total", MetricType::counter,
           "Object storage requests repeated after a transient failure.");
  w.sample(s.retries);
  w.family("ciphertalk_recordings_stored_total", MetricType::counter,
           "Recordings every object storage target confirmed.");
  w.sample(s.recordings_stored);
  w.family("ciphertalk_recordings_pending_upload", MetricType::gauge,
           "Finished recordings not yet confirmed by every object storage target.");
  w.sample(s.recordings_pending);
  w.family("ciphertalk_recording_retention_deleted_total", MetricType::counter,
           "Recordings deleted by the retention period: local folders and stored objects.");
  w.sample({{"where", "local"}}, s.retention_deleted_local);
  w.sample({{"where", "object_storage"}}, s.retention_deleted_remote);
  w.family("ciphertalk_recording_retention_failures_total", MetricType::counter,
           "Deletions (or listings) the retention period could not make.");
  w.sample(s.retention_failures);
}

void write_webhooks(PrometheusWriter& w, const webhook::WebhookSender::Stats& s) {
  w.family("ciphertalk_webhook_events_total", MetricType::counter,
           "Webhook events by outcome, counted per URL (delivered: a 2xx answer; failed: given up; "
           "dropped: the queue was full).");
  w.sample({{"result", "delivered"}}, s.delivered);
  w.sample({{"result", "dropped"}}, s.dropped);
  w.sample({{"result", "failed"}}, s.failed);
  w.family("ciphertalk_webhook_delivery_seconds", MetricType::histogram,
           "Time from a webhook event to its delivery, retries included.");
  w.histogram(webhook::WebhookSender::kLatencyBounds, s.latency_buckets, s.latency_sum_seconds);
  w.family("ciphertalk_webhook_queue_depth", MetricType::gauge,
           "Webhook events waiting to be delivered, counted per URL.");
  w.sample(s.queued);
}

// The node's id (one series per process: bounded), its cluster link and drain state.
void write_node(PrometheusWriter& w, const NodeRouter::Status& n) {
  w.family("ciphertalk_node_info", MetricType::gauge,
           "This node's id and region (--node-id, --region) as labels; the value is always 1.");
  w.sample({{"node", n.node_id}, {"region", n.region}}, uint64_t{1});
  w.family("ciphertalk_node_draining", MetricType::gauge,
           "1 while this node drains (after SIGTERM): no new rooms or joins, calls go on.");
  w.sample(uint64_t{n.draining});
  if (!n.cluster) return;
  w.family("ciphertalk_cluster_redis_up", MetricType::gauge,
           "1 when this node's last call to the cluster's Redis succeeded (--redis).");
  w.sample(uint64_t{n.redis_up});
}

}  // namespace

MetricsEndpoint::MetricsEndpoint(boost::asio::io_context& http_io, MetricsSources sources)
    : http_io_(http_io), sources_(std::move(sources)) {}

std::string MetricsEndpoint::render(const Snapshot& s) {
  PrometheusWriter w;
  w.family("ciphertalk_build_info", MetricType::gauge,
           "CipherTalk's version, as a label; the value is always 1.");
  w.sample({{"version", CT_VERSION}}, uint64_t{1});
  if (!s.workers.empty()) {
    write_workers(w, s.workers);
    write_subscriber_bwe(w, s.workers);
    write_media_path(w, s.workers);
  }
  if (s.signal) write_signal(w, *s.signal);
  if (!s.request_latency.empty()) write_request_latency(w, s.request_latency);
  write_rate_limits(w, s);
  if (s.turn) write_turn(w, *s.turn);
  if (s.uploads) write_uploads(w, *s.uploads);
  if (s.webhooks) write_webhooks(w, *s.webhooks);
  if (s.whip) write_http_sdp(w, "whip", "WHIP ingest", *s.whip);
  if (s.whep) write_http_sdp(w, "whep", "WHEP playback", *s.whep);
  s.process.write(w);
  if (s.node) write_node(w, *s.node);
  return w.take() + s.cascade;
}

void MetricsEndpoint::install(http::HttpServer& server) {
  server.add_route("GET", "/metrics",
                   [this](const http::HttpRequest&, http::Responder respond) { scrape(std::move(respond)); });
}

void MetricsEndpoint::scrape(http::Responder respond) {
  // Scrapes that arrive while one is being gathered share its answer, so
  // however many clients ask, the workers are asked once at a time.
  if (in_flight_) {
    in_flight_->waiting.push_back(std::move(respond));
    return;
  }
  in_flight_ = std::make_shared<Gather>();
  in_flight_->waiting.push_back(std::move(respond));
  in_flight_->snapshot.workers.resize(sources_.workers.size());
  in_flight_->pending = sources_.workers.size();
  if (in_flight_->pending == 0) {
    finish();
    return;
  }
  for (size_t i = 0; i < sources_.workers.size(); ++i) {
    sfu::MediaWorker* worker = sources_.workers[i];
    worker->post([this, worker, i, gather = in_flight_] {
      sfu::WorkerMetrics m = worker->collect_metrics();
      boost::asio::post(http_io_, [this, i, gather, m] {
        gather->snapshot.workers[i] = m;
        if (--gather->pending == 0) finish();
      });
    });
  }
}

void MetricsEndpoint::finish() {
  auto gather = std::move(in_flight_);
  http::HttpResponse response;
  try {
    if (sources_.rtc) gather->snapshot.signal = sources_.rtc->stats();
    if (sources_.rtc) gather->snapshot.request_latency = sources_.rtc->request_latency().snapshot();
    if (sources_.room_api) gather->snapshot.api_rate_limited = sources_.room_api->rate_limited();
    if (sources_.turn) gather->snapshot.turn = sources_.turn->stats();
    if (sources_.uploader) gather->snapshot.uploads = sources_.uploader->stats();
    if (sources_.webhooks) gather->snapshot.webhooks = sources_.webhooks->stats();
    if (sources_.whip) gather->snapshot.whip = sources_.whip->stats();
    if (sources_.whep) gather->snapshot.whep = sources_.whep->stats();
    gather->snapshot.process = metrics::ProcessMetrics::read_self();
    if (sources_.node) gather->snapshot.node = sources_.node->status();
    if (sources_.cascade) gather->snapshot.cascade = sources_.cascade->metrics_text();
    response.body = render(gather->snapshot);
    response.content_type = std::string(metrics::PrometheusWriter::kContentType);
  } catch (const std::exception& e) {
    // Runs in a posted handler: nothing above would catch it.
    spdlog::error("metrics: cannot render: {}", e.what());
    response = http::HttpResponse::text(500, "metrics unavailable\n");
  }
  response.cross_origin = false;  // for Prometheus, not for pages on other origins
  for (auto& respond : gather->waiting) respond(response);
}

}  // namespace ct::app
