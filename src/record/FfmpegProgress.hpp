#pragma once
// Reads what `ffmpeg -progress pipe:1` writes: blocks of key=value lines,
// each closed by "progress=continue" (or "progress=end" at the last), and
// says how far the output has got. The lines come from another program:
// anything that is not a known key with a readable value is ignored.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ct::record {

class FfmpegProgress {
 public:
  struct Update {
    int64_t out_time_us = 0;  // how much output has been written, in its own time
    bool ended = false;       // "progress=end": ffmpeg has finished
  };

  // One line, without its newline (a trailing '\r' is ignored). Returns an
  // update at the line that closes a block.
  std::optional<Update> feed(std::string_view line);

 private:
  int64_t out_time_us_ = 0;
};

// "compose: 42% (4.2 s of 10.0 s)": the share of `total_us` done, 0 to 100.
std::string progress_text(std::string_view what, int64_t done_us, int64_t total_us);

}  // namespace ct::record
