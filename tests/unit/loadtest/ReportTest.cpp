#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "loadtest/Report.hpp"

namespace ct::loadtest {
namespace {

TEST(Report, AsTextAndJson) {
  Report r;
  r.ok = true;
  r.publishers = 1;
  r.subscribers = 2;
  r.packets_sent = 1000;
  r.received_min = 990;
  r.received_max = 1000;
  r.received_total = 1990;
  r.received_avg = 995;
  r.loss_percent = 0.5;
  r.server_cpu_s = 0.01;
  auto j = nlohmann::json::parse(r.to_json());
  EXPECT_EQ(j["packets_sent"], 1000);
  EXPECT_EQ(j["received_min"], 990);
  EXPECT_DOUBLE_EQ(j["server_packets_per_cpu_s"].get<double>(), 199000.0);
  EXPECT_NEAR(j["server_us_per_packet"].get<double>(), 5.025, 0.001);
  EXPECT_NE(r.to_text().find("min 990"), std::string::npos);

  Report failed;
  failed.error = "no server";
  EXPECT_EQ(nlohmann::json::parse(failed.to_json())["error"], "no server");
  EXPECT_NE(failed.to_text().find("no server"), std::string::npos);
}

TEST(Report, NamesTheTargetRoomsAndLatency) {
  Report r;
  r.ok = true;
  r.target = "janus";
  r.rooms = 5;
  r.latency_samples = 300;
  r.latency_p50_ms = 0.42;
  r.latency_p99_ms = 2.5;
  r.latency_avg_ms = 0.5;
  r.latency_max_ms = 7.25;
  auto j = nlohmann::json::parse(r.to_json());
  EXPECT_EQ(j["target"], "janus");
  EXPECT_EQ(j["rooms"], 5);
  EXPECT_EQ(j["latency_samples"], 300);
  EXPECT_DOUBLE_EQ(j["latency_p99_ms"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(j["latency_max_ms"].get<double>(), 7.25);
  const std::string text = r.to_text();
  EXPECT_NE(text.find("target janus, rooms 5"), std::string::npos) << text;
  EXPECT_NE(text.find("p50 0.42 ms, p99 2.50 ms, avg 0.50 ms, max 7.25 ms (300 samples)"), std::string::npos)
      << text;
}

TEST(Report, PacketsSentWithRoomsSaysEachSubscriberExpectsItsOwnRoom) {
  Report r;
  r.ok = true;
  r.packets_sent = 5000;
  EXPECT_NE(r.to_text().find("5000 (per subscriber expected)"), std::string::npos) << r.to_text();
  r.rooms = 5;
  EXPECT_NE(r.to_text().find("5000 (all 5 rooms; each subscriber expects its own room's)"), std::string::npos)
      << r.to_text();
  EXPECT_EQ(r.to_text().find("per subscriber expected"), std::string::npos) << r.to_text();
}

TEST(Report, SimulcastCountsOnlyWithSimulcast) {
  Report r;
  r.ok = true;
  EXPECT_FALSE(nlohmann::json::parse(r.to_json()).contains("simulcast"));
  EXPECT_EQ(r.to_text().find("layer switches"), std::string::npos);
  r.simulcast.enabled = true;
  r.layer_packets_sent = {30, 60, 180};
  r.layer_pauses = 2;
  r.simulcast.layer_packets_received = {10, 20, 90};
  r.simulcast.switches = 7;
  r.simulcast.switches_min = 3;
  r.simulcast.discontinuities = 1;
  auto j = nlohmann::json::parse(r.to_json())["simulcast"];
  EXPECT_EQ(j["layer_switches"], 7);
  EXPECT_EQ(j["layer_switches_min"], 3);
  EXPECT_EQ(j["discontinuities"], 1);
  EXPECT_EQ(j["layer_packets_sent"][2], 180);
  EXPECT_EQ(j["layer_pauses"], 2);
  EXPECT_EQ(j["layer_packets_received"][1], 20);
  const auto text = r.to_text();
  EXPECT_NE(text.find("layer switches seen: 7 (fewest for one subscriber 3)"), std::string::npos);
  EXPECT_NE(text.find("discontinuities: 1"), std::string::npos);
  EXPECT_NE(text.find("each subscriber receives one"), std::string::npos);
  EXPECT_NE(text.find("paused by dynacast: 2"), std::string::npos);
}

}  // namespace
}  // namespace ct::loadtest
