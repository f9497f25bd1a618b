#include "loadtest/ChurnReport.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace ct::loadtest {

double JoinTimes::quantile(double q) const {
  if (samples_.empty()) return 0;
  std::vector<double> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  const double rank = std::ceil(std::clamp(q, 0.0, 1.0) * double(sorted.size()));
  const size_t index = rank < 1 ? 0 : size_t(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

double JoinTimes::max() const {
  return samples_.empty() ? 0 : *std::max_element(samples_.begin(), samples_.end());
}

size_t JoinTimes::below(double ms) const {
  return size_t(std::count_if(samples_.begin(), samples_.end(), [ms](double s) { return s < ms; }));
}

std::string ChurnReport::to_text() const {
  if (!error.empty() && joins == 0) return "loadtest failed: " + error + "\n";
  char buffer[1024];
  std::string shape;
  if (join_within_s > 0) {
    std::snprintf(buffer, sizeof(buffer), "; joins spread over %.1f s", join_within_s);
    shape += buffer;
  }
  if (churn_interval_s > 0) {
    std::snprintf(buffer, sizeof(buffer), "; one participant replaced every %.1f s", churn_interval_s);
    shape += buffer;
  }
  std::snprintf(buffer, sizeof(buffer),
                "rooms %u, per room: publishers %u, subscribers %u%s; run %.1f s\n"
                "joins: %llu, failed: %llu, replaced by churn: %llu; packets received by subscribers: %llu\n"
                "first media after join (%zu joins): p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms\n",
                rooms, publishers, subscribers, shape.c_str(), duration_s, (unsigned long long)joins,
                (unsigned long long)failed_joins, (unsigned long long)churn_leaves,
                (unsigned long long)packets_received, first_media.count(), first_media.quantile(0.5),
                first_media.quantile(0.9), first_media.quantile(0.99), first_media.max());
  std::string out = buffer;
  // The distribution, cumulative: how many joins had media within each bound.
  out += "  within:";
  for (double bound : {100.0, 250.0, 500.0, 1000.0, 2000.0, 5000.0}) {
    std::snprintf(buffer, sizeof(buffer), " %.0f ms %zu,", bound, first_media.below(bound));
    out += buffer;
  }
  std::snprintf(buffer, sizeof(buffer), " all %zu\n", first_media.count());
  out += buffer;
  if (!error.empty()) out += "first failure: " + error + "\n";
  return out;
}

std::string ChurnReport::to_json() const {
  nlohmann::json j{{"ok", ok},
                   {"error", error},
                   {"rooms", rooms},
                   {"publishers", publishers},
                   {"subscribers", subscribers},
                   {"join_within_s", join_within_s},
                   {"churn_interval_s", churn_interval_s},
                   {"duration_s", duration_s},
                   {"joins", joins},
                   {"failed_joins", failed_joins},
                   {"churn_leaves", churn_leaves},
                   {"packets_received", packets_received},
                   {"first_media_samples", first_media.count()},
                   {"first_media_p50_ms", first_media.quantile(0.5)},
                   {"first_media_p90_ms", first_media.quantile(0.9)},
                   {"first_media_p99_ms", first_media.quantile(0.99)},
                   {"first_media_max_ms", first_media.max()}};
  return j.dump() + "\n";
}

}  // namespace ct::loadtest
