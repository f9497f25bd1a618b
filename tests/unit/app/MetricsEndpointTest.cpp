#include <gtest/gtest.h>

#include <string>

#include "app/MetricsEndpoint.hpp"

namespace ct::app {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(MetricsEndpoint, RendersEveryWorkerUnderOneFamily) {
  MetricsEndpoint::Snapshot s;
  s.workers.resize(2);
  s.workers[0].worker = 0;
  s.workers[0].rooms = 2;
  s.workers[0].census.participants = 5;
  s.workers[0].census.video_publications = 3;
  s.workers[0].media.forwarded = 1000;
  s.workers[0].media.layer_switches = 12;
  s.workers[0].media.bandwidth_paused = 2;
  s.workers[0].media.bandwidth_downgraded = 5;
  s.workers[0].media.bandwidth_upgraded = 4;
  s.workers[0].socket.backlog_drops = 7;
  s.workers[1].worker = 1;
  s.workers[1].rooms = 1;
  s.workers[1].port.malformed = 4;
  std::string text = MetricsEndpoint::render(s);

  EXPECT_TRUE(has_line(text, "# TYPE ciphertalk_rooms gauge"));
  EXPECT_TRUE(has_line(text, "ciphertalk_rooms{worker=\"0\"} 2"));
  EXPECT_TRUE(has_line(text, "ciphertalk_rooms{worker=\"1\"} 1"));
  EXPECT_TRUE(has_line(text, "ciphertalk_participants{worker=\"0\"} 5"));
  EXPECT_TRUE(has_line(text, "ciphertalk_published_tracks{worker=\"0\",kind=\"video\"} 3"));
  EXPECT_TRUE(has_line(text, "ciphertalk_forwarded_packets_total{worker=\"0\"} 1000"));
  EXPECT_TRUE(has_line(text, "ciphertalk_simulcast_layer_switches_total{worker=\"0\"} 12"));
  EXPECT_TRUE(has_line(text, "ciphertalk_bandwidth_allocations_total{worker=\"0\",result=\"paused\"} 2"));
  EXPECT_TRUE(has_line(text, "ciphertalk_bandwidth_allocations_total{worker=\"0\",result=\"downgraded\"} 5"));
  EXPECT_TRUE(has_line(text, "ciphertalk_bandwidth_allocations_total{worker=\"0\",result=\"upgraded\"} 4"));
  EXPECT_TRUE(has_line(text, "ciphertalk_udp_dropped_total{worker=\"0\",reason=\"backlog_full\"} 7"));
  EXPECT_TRUE(has_line(text, "ciphertalk_udp_dropped_total{worker=\"1\",reason=\"malformed\"} 4"));
  // Each family once, its samples together: worker 1's rooms come right after worker 0's.
  EXPECT_NE(text.find("ciphertalk_rooms{worker=\"0\"} 2\nciphertalk_rooms{worker=\"1\"} 1\n"),
            std::string::npos);
  // No signaling or TURN section without those sources; the process is always there.
  EXPECT_EQ(text.find("ciphertalk_signal_"), std::string::npos);
  EXPECT_EQ(text.find("ciphertalk_turn_"), std::string::npos);
  EXPECT_TRUE(has_line(text, "# TYPE process_cpu_seconds_total counter"));
  EXPECT_EQ(text.rfind("# HELP ciphertalk_build_info ", 0), 0u);
}

TEST(MetricsEndpoint, RoundTripsAreACountAndASumInSecondsPerConnection) {
  MetricsEndpoint::Snapshot s;
  s.workers.resize(1);
  s.workers[0].media.publisher_round_trips = 4;
  s.workers[0].media.publisher_round_trip_us = 10'000;  // 2.5 ms on average
  s.workers[0].media.subscriber_round_trips = 2;
  s.workers[0].media.subscriber_round_trip_us = 1'500'000;
  std::string text = MetricsEndpoint::render(s);
  EXPECT_TRUE(has_line(text, "# TYPE ciphertalk_round_trips_total counter"));
  EXPECT_TRUE(has_line(text, "ciphertalk_round_trips_total{worker=\"0\",connection=\"publisher\"} 4"));
  EXPECT_TRUE(has_line(text, "ciphertalk_round_trips_total{worker=\"0\",connection=\"subscriber\"} 2"));
  EXPECT_TRUE(has_line(text, "# TYPE ciphertalk_round_trip_seconds_total counter"));
  EXPECT_TRUE(
      has_line(text, "ciphertalk_round_trip_seconds_total{worker=\"0\",connection=\"publisher\"} 0.01"));
  EXPECT_TRUE(
      has_line(text, "ciphertalk_round_trip_seconds_total{worker=\"0\",connection=\"subscriber\"} 1.5"));
}

TEST(MetricsEndpoint, SubscriberEstimatesAreOneHistogramOverAllWorkers) {
  MetricsEndpoint::Snapshot s;
  s.workers.resize(2);
  s.workers[1].worker = 1;
  s.workers[0].media.add_estimate(250'000);
  s.workers[0].media.add_estimate(1'500'000);
  s.workers[1].media.add_estimate(20'000'000);
  s.workers[0].media.bwe_packets_sent = 100;
  s.workers[0].media.bwe_packets_acked = 90;
  s.workers[0].media.bwe_packets_lost = 2;
  s.workers[1].media.bwe_feedbacks = 7;
  s.workers[1].media.bwe_feedbacks_malformed = 1;
  std::string text = MetricsEndpoint::render(s);
  const std::string h = "ciphertalk_subscriber_bandwidth_estimate_bits";
  EXPECT_TRUE(has_line(text, "# TYPE " + h + " histogram"));
  EXPECT_TRUE(has_line(text, h + "_bucket{le=\"1e+05\"} 0"));
  EXPECT_TRUE(has_line(text, h + "_bucket{le=\"3e+05\"} 1"));
  EXPECT_TRUE(has_line(text, h + "_bucket{le=\"1e+06\"} 1"));
  EXPECT_TRUE(has_line(text, h + "_bucket{le=\"2e+06\"} 2"));
  EXPECT_TRUE(has_line(text, h + "_bucket{le=\"8e+06\"} 2"));
  EXPECT_TRUE(has_line(text, h + "_bucket{le=\"+Inf\"} 3"));
  EXPECT_TRUE(has_line(text, h + "_sum 21750000"));
  EXPECT_TRUE(has_line(text, h + "_count 3"));
  EXPECT_TRUE(has_line(text, "ciphertalk_subscriber_bwe_packets_total{worker=\"0\",result=\"sent\"} 100"));
  EXPECT_TRUE(has_line(text, "ciphertalk_subscriber_bwe_packets_total{worker=\"0\",result=\"acked\"} 90"));
  EXPECT_TRUE(has_line(text, "ciphertalk_subscriber_bwe_packets_total{worker=\"0\",result=\"lost\"} 2"));
  EXPECT_TRUE(has_line(text, "ciphertalk_subscriber_bwe_feedback_total{worker=\"1\",result=\"used\"} 7"));
  EXPECT_TRUE(
      has_line(text, "ciphertalk_subscriber_bwe_feedback_total{worker=\"1\",result=\"malformed\"} 1"));
}

TEST(MetricsEndpoint, RendersSignalingAndTurnByReason) {
  MetricsEndpoint::Snapshot s;
  signal::RtcService::Stats signal;
  signal.connections = 3;
  signal.errors["token_expired"] = 2;
  signal.closes["rate limit exceeded"] = 1;
  s.signal = signal;
  turn::TurnStats turn;
  turn.allocations_active = 4;
  turn.packets_to_peers = 10;
  turn.refused_quota = 6;
  turn.dropped_send_full = 8;
  s.turn = turn;
  std::string text = MetricsEndpoint::render(s);

  EXPECT_EQ(text.find("ciphertalk_rooms"), std::string::npos);  // no workers, no worker families
  EXPECT_TRUE(has_line(text, "ciphertalk_signal_connections 3"));
  EXPECT_TRUE(has_line(text, "ciphertalk_signal_errors_total{code=\"token_expired\"} 2"));
  EXPECT_TRUE(has_line(text, "ciphertalk_signal_closed_total{reason=\"rate limit exceeded\"} 1"));
  EXPECT_TRUE(has_line(text, "ciphertalk_turn_allocations 4"));
  EXPECT_TRUE(has_line(text, "ciphertalk_turn_relayed_packets_total{direction=\"to_peer\"} 10"));
  EXPECT_TRUE(has_line(text, "ciphertalk_turn_refused_total{reason=\"quota\"} 6"));
  EXPECT_TRUE(has_line(text, "ciphertalk_turn_dropped_total{reason=\"receiver_full\"} 8"));
}

TEST(MetricsEndpoint, RendersWebhookOutcomesLatencyAndQueueOnlyWhenConfigured) {
  MetricsEndpoint::Snapshot s;
  EXPECT_EQ(MetricsEndpoint::render(s).find("ciphertalk_webhook"), std::string::npos);
  webhook::WebhookSender::Stats w;
  w.delivered = 7;
  w.dropped = 2;
  w.failed = 1;
  w.queued = 5;
  w.latency_buckets[0] = 6;      // <= 10 ms
  w.latency_buckets.back() = 1;  // above the last bound
  w.latency_sum_seconds = 400.5;
  s.webhooks = w;
  std::string text = MetricsEndpoint::render(s);
  EXPECT_TRUE(has_line(text, "ciphertalk_webhook_events_total{result=\"delivered\"} 7"));
  EXPECT_TRUE(has_line(text, "ciphertalk_webhook_events_total{result=\"dropped\"} 2"));
  EXPECT_TRUE(has_line(text, "ciphertalk_webhook_events_total{result=\"failed\"} 1"));
  EXPECT_TRUE(has_line(text, "ciphertalk_webhook_delivery_seconds_bucket{le=\"0.01\"} 6"));
  EXPECT_TRUE(has_line(text, "ciphertalk_webhook_delivery_seconds_bucket{le=\"300\"} 6"));
  EXPECT_TRUE(has_line(text, "ciphertalk_webhook_delivery_seconds_bucket{le=\"+Inf\"} 7"));
  EXPECT_TRUE(has_line(text, "ciphertalk_webhook_delivery_seconds_sum 400.5"));
  EXPECT_TRUE(has_line(text, "ciphertalk_webhook_delivery_seconds_count 7"));
  EXPECT_TRUE(has_line(text, "ciphertalk_webhook_queue_depth 5"));
}

TEST(MetricsEndpoint, RendersWhipSessionsAndRequestsByStatus) {
  MetricsEndpoint::Snapshot s;
  signal::WhipEndpoint::Stats whip;
  whip.sessions = 2;
  whip.requests["201"] = 3;
  whip.requests["412"] = 1;
  s.whip = whip;
  std::string text = MetricsEndpoint::render(s);
  EXPECT_TRUE(has_line(text, "ciphertalk_whip_sessions 2"));
  EXPECT_TRUE(has_line(text, "ciphertalk_whip_requests_total{result=\"201\"} 3"));
  EXPECT_TRUE(has_line(text, "ciphertalk_whip_requests_total{result=\"412\"} 1"));
  EXPECT_EQ(text.find("ciphertalk_whep_"), std::string::npos) << "no WHEP endpoint, no WHEP families";
}

TEST(MetricsEndpoint, RendersWhepSessionsAndRequestsByStatusApartFromWhip) {
  MetricsEndpoint::Snapshot s;
  signal::WhepEndpoint::Stats whep;
  whep.sessions = 1;
  whep.requests["201"] = 4;
  whep.requests["404"] = 2;
  s.whep = whep;
  s.whip = signal::WhipEndpoint::Stats{};
  std::string text = MetricsEndpoint::render(s);
  EXPECT_TRUE(has_line(text, "ciphertalk_whep_sessions 1"));
  EXPECT_TRUE(has_line(text, "ciphertalk_whep_requests_total{result=\"201\"} 4"));
  EXPECT_TRUE(has_line(text, "ciphertalk_whep_requests_total{result=\"404\"} 2"));
  EXPECT_TRUE(has_line(text, "ciphertalk_whip_sessions 0"));
  EXPECT_NE(text.find("# TYPE ciphertalk_whep_requests_total counter"), std::string::npos);
}

TEST(MetricsEndpoint, MediaPathHistogramsSumOverWorkersAndGaugesStayPerWorker) {
  MetricsEndpoint::Snapshot s;
  s.workers.resize(2);
  s.workers[1].worker = 1;
  s.workers[0].media.forward_latency.observe(0.00002);  // under the first bound (25 us)
  s.workers[1].media.forward_latency.observe(0.0003);   // (250 us, 500 us]
  s.workers[0].media.subscriber_rtt.observe(0.02);
  s.workers[1].media.publisher_rtt.observe(5.0);
  s.workers[0].media.plis_received = 3;
  s.workers[0].loop_utilization = 0.25;
  s.workers[1].loop_utilization = 0.5;
  s.workers[1].queued_tasks = 7;
  s.workers[1].media.data_dropped_rate = 4;
  signal::RtcService::Stats signal;
  signal.errors["rate_limited"] = 6;
  signal.refused_per_ip = 2;
  s.signal = signal;
  s.api_rate_limited = 9;
  signal::RequestLatency latency;
  latency.observe(0, milliseconds(3));
  s.request_latency = latency.snapshot();
  std::string text = MetricsEndpoint::render(s);

  const std::string f = "ciphertalk_forward_latency_seconds";
  EXPECT_TRUE(has_line(text, "# TYPE " + f + " histogram"));
  EXPECT_TRUE(has_line(text, f + "_bucket{le=\"2.5e-05\"} 1"));
  EXPECT_TRUE(has_line(text, f + "_bucket{le=\"0.00025\"} 1"));
  EXPECT_TRUE(has_line(text, f + "_bucket{le=\"5e-04\"} 2"));
  EXPECT_TRUE(has_line(text, f + "_count 2"));
  EXPECT_TRUE(has_line(text, "ciphertalk_worker_loop_utilization_ratio{worker=\"0\"} 0.25"));
  EXPECT_TRUE(has_line(text, "ciphertalk_worker_loop_utilization_ratio{worker=\"1\"} 0.5"));
  EXPECT_TRUE(has_line(text, "ciphertalk_worker_queue_depth{worker=\"0\"} 0"));
  EXPECT_TRUE(has_line(text, "ciphertalk_worker_queue_depth{worker=\"1\"} 7"));
  EXPECT_TRUE(has_line(text, "ciphertalk_rtcp_feedback_received_total{worker=\"0\",type=\"pli\"} 3"));
  EXPECT_TRUE(has_line(text, "ciphertalk_round_trip_time_seconds_count{connection=\"subscriber\"} 1"));
  EXPECT_TRUE(
      has_line(text, "ciphertalk_round_trip_time_seconds_bucket{connection=\"publisher\",le=\"+Inf\"} 1"));
  EXPECT_TRUE(
      has_line(text, "ciphertalk_round_trip_time_seconds_bucket{connection=\"publisher\",le=\"3.2\"} 0"));
  EXPECT_TRUE(
      has_line(text, "ciphertalk_signal_request_duration_seconds_bucket{type=\"join\",le=\"0.005\"} 1"));
  EXPECT_TRUE(has_line(text, "ciphertalk_signal_request_duration_seconds_count{type=\"offer\"} 0"));
  EXPECT_TRUE(has_line(text, "ciphertalk_rate_limited_total{limiter=\"signal_messages\"} 6"));
  EXPECT_TRUE(has_line(text, "ciphertalk_rate_limited_total{limiter=\"signal_connections_per_ip\"} 2"));
  EXPECT_TRUE(has_line(text, "ciphertalk_rate_limited_total{limiter=\"api_requests\"} 9"));
  EXPECT_TRUE(has_line(text, "ciphertalk_rate_limited_total{limiter=\"data_messages\"} 4"));
}

}  // namespace
}  // namespace ct::app
