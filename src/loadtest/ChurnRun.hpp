#pragma once
// Runs a Scenario with participants that come and go (Scenario::continuous):
// a join storm spreads every join over `join_within_s`; a soak replaces one
// participant in turn every `churn_interval_s` for `duration_s`. Publishers
// send as soon as they are connected. A participant that fails, or has no
// media within the setup timeout, is a failed join; during the run it is
// replaced. Everything runs on the calling thread from one 2 ms timer.
#include <memory>

#include "loadtest/ChurnReport.hpp"
#include "loadtest/Scenario.hpp"
#include "loadtest/ScenarioRun.hpp"

namespace ct::loadtest {

class ChurnRun {
 public:
  ChurnRun(const Scenario& scenario, TokenIssuer issue_token);
  ~ChurnRun();
  ChurnRun(const ChurnRun&) = delete;
  ChurnRun& operator=(const ChurnRun&) = delete;

  // Once.
  ChurnReport run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::loadtest
