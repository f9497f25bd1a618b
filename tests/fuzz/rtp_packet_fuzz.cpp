// libFuzzer target: RtpPacket parse, every getter, extension iteration and
// typed readers, RTX helpers, setters and extension id rewrites on copies.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "../unit/rtp/RtpExercise.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto result = ct::rtp::test::exercise_rtp(std::span<const uint8_t>(data, size));
  if (!result.ok) std::abort();
  return 0;
}
