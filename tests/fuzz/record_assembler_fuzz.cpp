// libFuzzer target: Vp8FrameAssembler over a stream of packets taken from
// the input (laid out as AssemblerFuzzInput.hpp says, behind a first byte
// that sets the window). Every frame handed out must start with a keyframe
// after a drop, lie within the window, and the counters must add up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "AssemblerFuzzInput.hpp"
#include "record/Vp8FrameAssembler.hpp"

namespace {

class Checker : public ct::record::Vp8FrameAssembler::Listener {
 public:
  void on_vp8_frame(const ct::record::Vp8Frame& frame) override {
    if (frame.data.empty()) std::abort();
    const uint16_t packets = uint16_t(frame.last_sequence_number - frame.first_sequence_number + 1);
    if (packets > limits.max_packets) std::abort();
    if (frame.data.size() > size_t(packets) * limits.max_packet_bytes) std::abort();
    const auto& stats = assembler->stats();
    order.on_frame(stats.incomplete_frames + stats.oversized_frames, frame.keyframe);
  }
  const ct::record::Vp8FrameAssembler* assembler = nullptr;
  ct::record::Vp8FrameAssembler::Limits limits;
  ct::fuzz::FrameOrderCheck order;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  Checker checker;
  checker.limits = {size_t(data[0] % 32) + 1, 64};
  ct::fuzz::fuzz_assembler<ct::record::Vp8FrameAssembler>(checker, checker.limits,
                                                          std::span(data + 1, size - 1));
  return 0;
}
