#pragma once
// `ciphertalk turn`: the STUN/TURN server on its own, for deployments that
// run the relay on a separate host (or in place of coturn).
namespace CLI {
class App;
}

namespace ct::app {

// Registers `turn` on the ciphertalk command line. It runs until SIGINT or
// SIGTERM; bad options exit with code 2, a failure to bind with code 1.
void add_turn_command(CLI::App& app);

}  // namespace ct::app
