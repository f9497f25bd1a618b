#pragma once
// `ciphertalk compose`'s work: reads a recording folder's manifest, plans
// the grid composite (CompositeLayout) and has the ffmpeg program on $PATH
// make it, reporting its progress.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "record/CompositeLayout.hpp"

namespace ct::record {

class Composer {
 public:
  // Exit codes of `ciphertalk compose` (docs/recording.md).
  enum ExitCode : int {
    kComposed = 0,
    kFfmpegFailed = 1,  // ffmpeg ran and failed; its last error lines say why
    kBadInput = 2,      // no folder, no or unreadable manifest, nothing to compose, encrypted
    kNoFfmpeg = 3,      // no ffmpeg on $PATH
  };
  struct Result {
    int exit_code = kComposed;
    std::string message;               // on failure, what went wrong
    std::vector<std::string> skipped;  // tracks left out, and why
    CompositeLayout layout;
  };

  // `force`: compose an end-to-end encrypted recording all the same (its
  // pictures are noise). `on_progress(done_us, total_us)` as ffmpeg writes.
  static Result run(const CompositeOptions& options, bool force,
                    const std::function<void(int64_t done_us, int64_t total_us)>& on_progress);
};

}  // namespace ct::record
