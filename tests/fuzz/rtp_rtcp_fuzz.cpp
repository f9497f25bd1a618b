// libFuzzer target: RTCP compound iteration, every typed parser with its
// accessors, and the SSRC rewriter on a copy (rewriting twice with an
// involution must restore the input).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "../unit/rtp/RtpExercise.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto result = ct::rtp::test::exercise_rtcp(std::span<const uint8_t>(data, size));
  if (!result.ok) std::abort();
  return 0;
}
