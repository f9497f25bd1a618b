#pragma once
// `ciphertalk compose <recording-folder>`: one grid video with mixed audio
// from a recording's tracks, made by FFmpeg (docs/recording.md, Composing).
namespace CLI {
class App;
}

namespace ct::app {

// Registers `compose` on the ciphertalk command line; its exit codes are
// record::Composer's.
void add_compose_command(CLI::App& app);

}  // namespace ct::app
