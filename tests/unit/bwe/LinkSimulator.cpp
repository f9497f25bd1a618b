#include "LinkSimulator.hpp"

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "FeedbackWriter.hpp"
#include "core/Encoding.hpp"
#include "rtp/RtcpPacket.hpp"
#include "rtp/RtcpTransportCc.hpp"

namespace ct::bwe::test {

namespace {

constexpr uint32_t kPacketSize = 1200;
constexpr int64_t kFeedbackIntervalUs = 50'000;
constexpr int64_t kStepUs = 100;
// The receiver's clock runs far from ours: only arrival differences count.
constexpr int64_t kReceiverClockOffsetUs = 987'654'321;
const TimePoint kOrigin = TimePoint{} + seconds(10'000);

TimePoint at(int64_t us) { return kOrigin + microseconds(us); }

// SplitMix64: the same numbers on every platform.
struct Random {
  uint64_t state;
  double uniform() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return double(z >> 11) / double(1ull << 53);
  }
};

// The receiver: arrivals by sequence number, reported every 50 ms.
class Receiver {
 public:
  void on_sent(std::optional<int64_t> arrival_us) { arrivals_.push_back(arrival_us); }

  // Feedback covering every packet up to the newest arrived by `now_us`,
  // or empty when there is nothing new.
  std::vector<uint8_t> feedback(int64_t now_us) {
    int64_t highest = -1;
    for (int64_t seq = int64_t(arrivals_.size()) - 1; seq >= next_; --seq) {
      if (arrivals_[size_t(seq)] && *arrivals_[size_t(seq)] <= now_us) {
        highest = seq;
        break;
      }
    }
    if (highest < next_) return {};
    std::vector<std::optional<int64_t>> statuses;
    for (int64_t seq = next_; seq <= highest; ++seq) {
      const auto& arrival = arrivals_[size_t(seq)];
      if (arrival && *arrival <= now_us) {
        statuses.push_back(*arrival + kReceiverClockOffsetUs);
      } else {
        statuses.push_back(std::nullopt);
      }
    }
    const uint16_t base = uint16_t(next_);
    next_ = highest + 1;
    return write_feedback(base, statuses, count_++);
  }

 private:
  std::vector<std::optional<int64_t>> arrivals_;
  int64_t next_ = 0;
  uint8_t count_ = 0;
};

struct PendingFeedback {
  int64_t at_us;
  std::vector<uint8_t> bytes;
};

rtp::RtcpTransportCc parse(const std::vector<uint8_t>& bytes) {
  const auto packet = rtp::RtcpPacket::parse(bytes);
  if (!packet) throw std::runtime_error("bad RTCP in trace");
  const auto feedback = rtp::RtcpTransportCc::parse(*packet);
  if (!feedback) throw std::runtime_error("bad transport-cc in trace");
  return *feedback;
}

}  // namespace

double capacity_at(const LinkProfile& profile, int64_t at_us) {
  double bps = profile.rates.front().bps;
  for (const RateStep& step : profile.rates) {
    if (step.at_us <= at_us) bps = step.bps;
  }
  return bps;
}

Outcome simulate(const LinkProfile& profile) {
  Outcome run;
  run.trace.push_back("# " + profile.name);
  run.trace.push_back("# rtt " + std::to_string(2 * profile.one_way_delay_us));
  SendSideBandwidthEstimator estimator(profile.config, at(0));
  estimator.on_rtt(microseconds(2 * profile.one_way_delay_us));
  Random random{profile.seed};
  Receiver receiver;
  std::vector<PendingFeedback> in_flight;
  int64_t link_free_us = 0;  // when the queue empties
  int64_t last_arrival_us = 0;
  double media_budget_bytes = 0;
  int64_t next_probe_us = 0;
  int64_t next_feedback_us = kFeedbackIntervalUs;

  auto send = [&](int64_t now_us, int32_t cluster) {
    estimator.on_packet_sent(kPacketSize, at(now_us), cluster);
    std::ostringstream line;
    line << "s " << now_us << ' ' << kPacketSize;
    if (cluster != kNoProbeCluster) line << ' ' << cluster;
    run.trace.push_back(line.str());
    const bool in_burst =
        now_us >= profile.burst_start_us && now_us < profile.burst_start_us + profile.burst_length_us;
    const double loss = in_burst ? profile.burst_loss : profile.random_loss;
    const bool lost_on_path = loss > 0 && random.uniform() < loss;
    const double jitter = profile.jitter_us > 0 ? random.uniform() * double(profile.jitter_us) : 0;
    const int64_t start = std::max(now_us, link_free_us);
    if (start - now_us > profile.queue_limit_us) {
      receiver.on_sent(std::nullopt);  // drop-tail
      return;
    }
    link_free_us = start + int64_t(double(kPacketSize) * 8e6 / capacity_at(profile, now_us));
    if (lost_on_path) {
      receiver.on_sent(std::nullopt);
      return;
    }
    last_arrival_us = std::max(last_arrival_us, link_free_us + profile.one_way_delay_us + int64_t(jitter));
    receiver.on_sent(last_arrival_us);
  };

  for (int64_t now = 0; now < profile.duration_us; now += kStepUs) {
    // Feedback reaching the sender.
    for (auto it = in_flight.begin(); it != in_flight.end();) {
      if (it->at_us > now) break;
      estimator.on_feedback(parse(it->bytes), at(now));
      run.trace.push_back("f " + std::to_string(now) + ' ' + to_hex(it->bytes));
      run.timeline.push_back({now, double(estimator.target_bitrate())});
      ++run.feedbacks;
      it = in_flight.erase(it);
    }
    // Media paced at the target. While a probe cluster is planned the pacer
    // runs at the cluster's rate instead and every packet it sends (media
    // first, padding when there is none) belongs to the cluster.
    media_budget_bytes =
        std::min(media_budget_bytes + double(estimator.target_bitrate()) * kStepUs / 8e6, 2.0 * kPacketSize);
    const auto plan = estimator.probe_plan();
    if (!plan.empty()) {
      if (now >= next_probe_us) {
        send(now, plan.front().id());
        ++run.probes_sent;
        media_budget_bytes = std::max(media_budget_bytes - kPacketSize, 0.0);
        next_probe_us = now + int64_t(double(kPacketSize) * 8e6 / plan.front().target_bps());
      }
    } else {
      while (media_budget_bytes >= kPacketSize) {
        media_budget_bytes -= kPacketSize;
        send(now, kNoProbeCluster);
      }
    }
    if (now >= next_feedback_us) {
      next_feedback_us += kFeedbackIntervalUs;
      auto bytes = receiver.feedback(now);
      if (!bytes.empty()) in_flight.push_back({now + profile.one_way_delay_us, std::move(bytes)});
    }
  }
  return run;
}

Outcome replay(const std::vector<std::string>& trace, const BandwidthEstimatorConfig& config) {
  Outcome run;
  SendSideBandwidthEstimator estimator(config, at(0));
  bool rtt_set = false;
  for (const std::string& line : trace) {
    if (line.empty() || line[0] == '#') {
      // "# rtt <µs>" gives the path's round trip.
      if (line.rfind("# rtt ", 0) == 0) {
        estimator.on_rtt(microseconds(std::stoll(line.substr(6))));
        rtt_set = true;
      }
      continue;
    }
    std::istringstream in(line);
    char kind = 0;
    int64_t t = 0;
    in >> kind >> t;
    if (kind == 's') {
      uint32_t size = 0;
      int32_t cluster = kNoProbeCluster;
      in >> size;
      if (!(in >> cluster)) cluster = kNoProbeCluster;
      estimator.on_packet_sent(size, at(t), cluster);
      run.probes_sent += cluster != kNoProbeCluster;
    } else if (kind == 'f') {
      std::string hex;
      in >> hex;
      const auto bytes = from_hex(hex);
      if (!bytes) throw std::runtime_error("bad hex in trace: " + line);
      estimator.on_feedback(parse(*bytes), at(t));
      run.timeline.push_back({t, double(estimator.target_bitrate())});
      ++run.feedbacks;
    } else {
      throw std::runtime_error("bad trace line: " + line);
    }
  }
  if (!rtt_set) throw std::runtime_error("trace has no rtt line");
  return run;
}

std::vector<std::string> read_trace(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("missing trace " + path);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(file, line)) lines.push_back(line);
  return lines;
}

void write_trace(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream file(path);
  for (const std::string& line : lines) file << line << '\n';
  if (!file) throw std::runtime_error("cannot write " + path);
}

}  // namespace ct::bwe::test
