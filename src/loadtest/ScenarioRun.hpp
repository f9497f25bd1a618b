#pragma once
// Runs a Scenario on the calling thread: publishers join and connect, then
// the subscribers; after a short settling time the publishers send for the
// scenario's duration, the packets in flight drain, and everyone leaves.
// The phases advance from one 2 ms timer that also paces the media and
// reads the subscribers' sockets.
#include <functional>
#include <memory>
#include <string>

#include "loadtest/Participant.hpp"
#include "loadtest/Report.hpp"
#include "loadtest/Scenario.hpp"

namespace ct::loadtest {

// The access token a participant joins a room with, minted by whoever knows
// the server's API key; throws std::runtime_error naming what is wrong.
using TokenIssuer =
    std::function<std::string(const std::string& room, const std::string& identity, Participant::Role role)>;

class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, TokenIssuer issue_token);
  ~ScenarioRun();
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;

  // Once. A failure (a bad URL, a participant that fails, setup over its
  // time limit) is in the report's error.
  Report run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ct::loadtest
