#pragma once
// What a join storm or a soak (ChurnRun) measured: how many joins there
// were, how many failed and why, and the distribution of each join's time
// from the WebSocket connect to its first media; text and JSON forms.
#include <cstdint>
#include <string>
#include <vector>

namespace ct::loadtest {

// Exact quantiles of a small set of samples (one per join).
class JoinTimes {
 public:
  void add(double ms) { samples_.push_back(ms); }
  size_t count() const { return samples_.size(); }
  // The smallest sample with at least q of all samples at or below it
  // (nearest rank, 0 < q <= 1); 0 without samples.
  double quantile(double q) const;
  double max() const;
  // Samples below `ms` (the text form's distribution).
  size_t below(double ms) const;

 private:
  std::vector<double> samples_;
};

struct ChurnReport {
  bool ok = false;
  std::string error;  // the run could not start, or the first failed join's reason
  unsigned rooms = 1, publishers = 0, subscribers = 0;  // per room
  double join_within_s = 0, churn_interval_s = 0;
  double duration_s = 0;          // the whole run, joins to leave
  uint64_t joins = 0;             // participants that started joining
  uint64_t failed_joins = 0;      // failed, or no media within the setup timeout
  uint64_t churn_leaves = 0;      // participants replaced by the churn
  uint64_t packets_received = 0;  // by all subscribers, churned ones included
  JoinTimes first_media;          // join -> first media, ms, for every join that got there

  std::string to_text() const;
  std::string to_json() const;  // one object, one line
};

}  // namespace ct::loadtest
