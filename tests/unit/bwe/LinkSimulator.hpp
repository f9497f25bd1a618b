#pragma once
// A deterministic bottleneck link for the estimator's tests: a FIFO queue
// drained at a (step-changing) rate, one-way delay with jitter that keeps
// order, random and burst loss, and a drop-tail limit. A receiver sends
// real transport-cc feedback (the rtp layer's builder) every 50 ms. The
// sender paces 1200-byte packets at the estimator's target and sends the
// planned probe clusters on top.
//
// Each run is written as a trace, one line per event:
//   s <send time µs> <size> [<probe cluster>]   a packet sent (numbered in order)
//   f <arrival time µs> <RTCP hex>               a feedback reaching the sender
// and replay() feeds a trace to a fresh estimator, so tests can run
// recorded feedback without the link.
#include <cstdint>
#include <string>
#include <vector>

#include "bwe/SendSideBandwidthEstimator.hpp"

namespace ct::bwe::test {

struct RateStep {
  int64_t at_us = 0;
  double bps = 0;
};

struct LinkProfile {
  std::string name;
  std::vector<RateStep> rates;  // the first at 0
  int64_t duration_us = 20'000'000;
  int64_t one_way_delay_us = 40'000;
  int64_t jitter_us = 0;  // uniform 0..jitter added, order kept
  double random_loss = 0;
  int64_t burst_start_us = 0;
  int64_t burst_length_us = 0;
  double burst_loss = 0;
  int64_t queue_limit_us = 300'000;  // drop-tail beyond this much queueing
  uint64_t seed = 1;
  BandwidthEstimatorConfig config{50'000, 300'000, 5'000'000};
};

struct Sample {
  int64_t at_us = 0;
  double target_bps = 0;
};

struct Outcome {
  std::vector<Sample> timeline;  // the target after each feedback
  std::vector<std::string> trace;
  uint64_t probes_sent = 0;
  uint64_t feedbacks = 0;
};

// Runs the closed loop: the estimator's target drives the sender.
Outcome simulate(const LinkProfile& profile);
// Feeds a recorded trace to a fresh estimator.
Outcome replay(const std::vector<std::string>& trace, const BandwidthEstimatorConfig& config);

// The capacity at `at_us`.
double capacity_at(const LinkProfile& profile, int64_t at_us);

std::vector<std::string> read_trace(const std::string& path);
void write_trace(const std::string& path, const std::vector<std::string>& lines);

}  // namespace ct::bwe::test
