#pragma once
// `ciphertalk loadtest`: the command line of the load client (src/loadtest):
// its options, the participants' access tokens signed with the given API
// key, and the report printed as text or JSON.
#include <string>

#include "loadtest/ScenarioRun.hpp"

namespace CLI {
class App;
}

namespace ct::app {

// Tokens for the participant's room, signed with the API key: publishers
// may publish, subscribers subscribe, each for an hour.
loadtest::TokenIssuer loadtest_token_issuer(std::string api_key, std::string api_secret);

// Registers `loadtest` on the ciphertalk command line.
void add_loadtest_command(CLI::App& app);

}  // namespace ct::app
