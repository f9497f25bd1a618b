#pragma once
// `ciphertalk recover <recording-folder>`: rebuilds a recording's files from
// its raw RTP dumps after a crash, and its manifest when it is missing or
// says the recording never stopped (docs/recording.md).
namespace CLI {
class App;
}

namespace ct::app {

// Registers `recover` on the ciphertalk command line. Exit code 0 when at
// least one playable file came out, 1 when none did, 2 for a folder that is
// not there.
void add_recover_command(CLI::App& app);

}  // namespace ct::app
