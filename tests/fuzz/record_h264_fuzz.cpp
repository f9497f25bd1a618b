// libFuzzer target: H264FrameAssembler over a stream of packets taken from
// the input (laid out as AssemblerFuzzInput.hpp says, behind two bytes that
// set the window and the wait), and the SPS parser over the first
// byte-aligned piece. Every frame handed out is Annex B, within the
// window's bytes, a keyframe with its parameter sets after a drop or at the
// start, and the counters add up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "AssemblerFuzzInput.hpp"
#include "record/H264FrameAssembler.hpp"
#include "record/H264SequenceParameterSet.hpp"

namespace {

class Checker : public ct::record::H264FrameAssembler::Listener {
 public:
  void on_h264_frame(const ct::record::H264Frame& frame) override {
    if (frame.data.size() < 5 || frame.data[0] != 0 || frame.data[1] != 0 || frame.data[2] != 0 ||
        frame.data[3] != 1)
      std::abort();
    // Each packet adds at most its payload and a start code per NAL unit it holds.
    if (frame.data.size() > limits.max_packets * (limits.max_packet_bytes * 3)) std::abort();
    const auto& stats = assembler->stats();
    order.on_frame(stats.incomplete_frames + stats.malformed_frames,
                   frame.keyframe && !frame.parameter_sets.empty());
  }
  const ct::record::H264FrameAssembler* assembler = nullptr;
  ct::record::H264FrameAssembler::Limits limits;
  ct::fuzz::FrameOrderCheck order;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  if (const auto sps = ct::record::H264SequenceParameterSet::parse(std::span(data + 1, size - 1))) {
    if (sps->width == 0 || sps->height == 0 || sps->width > 16384 || sps->height > 32768) std::abort();
  }
  Checker checker;
  checker.limits = {size_t(data[0] % 32) + 1, 64, uint32_t(data[1] % 8)};
  ct::fuzz::fuzz_assembler<ct::record::H264FrameAssembler>(checker, checker.limits,
                                                           std::span(data + 2, size - 2));
  return 0;
}
