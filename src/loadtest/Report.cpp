#include "loadtest/Report.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace ct::loadtest {

std::optional<double> Report::server_us_per_packet() const {
  if (!server_cpu_s || received_total == 0) return std::nullopt;
  return *server_cpu_s * 1e6 / double(received_total);
}

std::optional<double> Report::server_packets_per_cpu_second() const {
  if (!server_cpu_s || *server_cpu_s <= 0) return std::nullopt;
  return double(received_total) / *server_cpu_s;
}

std::string Report::to_text() const {
  const Report& r = *this;
  char buffer[2048];
  std::string out;
  if (!r.ok) return "loadtest failed: " + r.error + "\n";
  // What a subscriber expects: its own room's publishers' packets (all of
  // them, or with simulcast one layer of each).
  std::string sent_note =
      r.simulcast.enabled ? "all layers; each subscriber receives one" : "per subscriber expected";
  if (r.rooms > 1)
    sent_note = "all " + std::to_string(r.rooms) + " rooms" +
                (r.simulcast.enabled ? ", all layers; each subscriber receives one layer of its room's"
                                     : "; each subscriber expects its own room's");
  std::snprintf(buffer, sizeof(buffer),
                "target %s, rooms %u, per room: publishers %u, subscribers %u; media %.1f s, SRTP %s\n"
                "setup (join -> connected): avg %.0f ms, max %.0f ms\n"
                "packets sent:     %llu (%s)\n"
                "received per subscriber: min %llu, avg %.1f, max %llu\n"
                "loss: %.3f %%   sampled unprotect: %llu ok, %llu failed   keyframe requests: %llu\n"
                "loadtest CPU: %.2f s\n",
                r.target.c_str(), r.rooms, r.publishers, r.subscribers, r.duration_s, r.srtp_profile.c_str(),
                r.setup_ms_avg, r.setup_ms_max, (unsigned long long)r.packets_sent, sent_note.c_str(),
                (unsigned long long)r.received_min, r.received_avg, (unsigned long long)r.received_max,
                r.loss_percent, (unsigned long long)r.unprotected, (unsigned long long)r.unprotect_failures,
                (unsigned long long)r.keyframe_requests, r.client_cpu_s);
  out = buffer;
  std::snprintf(buffer, sizeof(buffer),
                "forward latency: p50 %.2f ms, p99 %.2f ms, avg %.2f ms, max %.2f ms (%llu samples)\n",
                r.latency_p50_ms, r.latency_p99_ms, r.latency_avg_ms, r.latency_max_ms,
                (unsigned long long)r.latency_samples);
  out += buffer;
  if (r.simulcast.enabled) {
    const auto& m = r.simulcast;
    std::snprintf(
        buffer, sizeof(buffer),
        "simulcast layers sent (q/h/f): %llu / %llu / %llu; received: %llu / %llu / %llu; "
        "paused by dynacast: %llu\n"
        "layer switches seen: %llu (fewest for one subscriber %llu) after %llu tile-size requests\n"
        "discontinuities: %llu   video lost: %llu   late: %llu\n",
        (unsigned long long)r.layer_packets_sent[0], (unsigned long long)r.layer_packets_sent[1],
        (unsigned long long)r.layer_packets_sent[2], (unsigned long long)m.layer_packets_received[0],
        (unsigned long long)m.layer_packets_received[1], (unsigned long long)m.layer_packets_received[2],
        (unsigned long long)r.layer_pauses, (unsigned long long)m.switches,
        (unsigned long long)m.switches_min, (unsigned long long)m.switch_requests,
        (unsigned long long)m.discontinuities, (unsigned long long)m.lost, (unsigned long long)m.late);
    out += buffer;
  }
  if (r.server_cpu_s) {
    std::snprintf(buffer, sizeof(buffer),
                  "server CPU: %.2f s = %.2f us per received packet, %.0f packets per CPU-second\n",
                  *r.server_cpu_s, r.server_us_per_packet().value_or(0),
                  r.server_packets_per_cpu_second().value_or(0));
    out += buffer;
  }
  return out;
}

std::string Report::to_json() const {
  const Report& r = *this;
  nlohmann::json j = {{"ok", r.ok},
                      {"publishers", r.publishers},
                      {"subscribers", r.subscribers},
                      {"duration_s", r.duration_s},
                      {"setup_ms_avg", r.setup_ms_avg},
                      {"setup_ms_max", r.setup_ms_max},
                      {"packets_sent", r.packets_sent},
                      {"received_min", r.received_min},
                      {"received_avg", r.received_avg},
                      {"received_max", r.received_max},
                      {"received_total", r.received_total},
                      {"loss_percent", r.loss_percent},
                      {"unprotected", r.unprotected},
                      {"unprotect_failures", r.unprotect_failures},
                      {"keyframe_requests", r.keyframe_requests},
                      {"srtp_profile", r.srtp_profile},
                      {"client_cpu_s", r.client_cpu_s},
                      {"publisher_send_errors", r.publisher_send_errors}};
  j["target"] = r.target;
  j["rooms"] = r.rooms;
  j["latency_samples"] = r.latency_samples;
  j["latency_p50_ms"] = r.latency_p50_ms;
  j["latency_p99_ms"] = r.latency_p99_ms;
  j["latency_avg_ms"] = r.latency_avg_ms;
  j["latency_max_ms"] = r.latency_max_ms;
  if (!r.ok) j["error"] = r.error;
  if (r.simulcast.enabled) {
    const auto& m = r.simulcast;
    j["simulcast"] = {{"layer_packets_sent", r.layer_packets_sent},
                      {"layer_packets_received", m.layer_packets_received},
                      {"layer_pauses", r.layer_pauses},
                      {"switch_requests", m.switch_requests},
                      {"layer_switches", m.switches},
                      {"layer_switches_min", m.switches_min},
                      {"discontinuities", m.discontinuities},
                      {"video_received", m.video_received},
                      {"video_lost", m.lost},
                      {"video_late", m.late}};
  }
  if (r.server_cpu_s) {
    j["server_cpu_s"] = *r.server_cpu_s;
    j["server_us_per_packet"] = r.server_us_per_packet().value_or(0);
    j["server_packets_per_cpu_s"] = r.server_packets_per_cpu_second().value_or(0);
  }
  return j.dump() + "\n";
}

}  // namespace ct::loadtest
