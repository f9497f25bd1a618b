// libFuzzer target: upload.json as a restart reads it. Any bytes parse or
// are refused without throwing; what parses writes back to the same state.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "record/RecordingUploadState.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ct::record::RecordingUploadState;
  const auto state = RecordingUploadState::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!state) return 0;
  const auto again = RecordingUploadState::parse(state->serialize());
  if (!again) std::abort();
  // Names that are not UTF-8 come back with replacement characters; the rest must match.
  if (again->stored() != state->stored() || again->targets().size() > state->targets().size()) std::abort();
  return 0;
}
