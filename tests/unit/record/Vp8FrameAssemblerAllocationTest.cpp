// The assembler sits on the media path: once it has seen the largest frame,
// pushing packets allocates nothing. Counted by replacing the global
// operator new for this test binary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "Vp8Packetizer.hpp"
#include "record/Vp8FrameAssembler.hpp"

namespace {
std::atomic<size_t> allocations{0};
}  // namespace

void* operator new(size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace ct::record {
namespace {

class ByteCounter : public Vp8FrameAssembler::Listener {
 public:
  void on_vp8_frame(const Vp8Frame& frame) override {
    bytes += frame.data.size();
    ++frames;
  }
  size_t bytes = 0;
  size_t frames = 0;
};

TEST(Vp8FrameAssemblerAllocation, NoneOncePastTheLargestFrame) {
  // Two rounds of the same frames, some reordered, one lost packet
  // followed by a keyframe: the second round must not allocate.
  test::Vp8Packetizer packetizer(65000, 1200);
  std::vector<test::RtpVp8Packet> round[2];
  for (int r = 0; r < 2; ++r) {
    for (int i = 0; i < 60; ++i) {
      const bool keyframe = i % 20 == 0;
      std::vector<uint8_t> frame(keyframe ? 9000 : 1500 + size_t(i) * 10, uint8_t(i));
      frame[0] = keyframe ? 0x50 : 0x31;
      for (auto& packet : packetizer.packetize(uint32_t(r * 60 + i) * 3000, frame))
        round[r].push_back(packet);
    }
    std::swap(round[r][10], round[r][12]);
    round[r].erase(round[r].begin() + 40);
  }
  ByteCounter counter;
  Vp8FrameAssembler assembler(counter);
  for (const auto& packet : round[0]) {
    assembler.push(packet.sequence_number, packet.timestamp, packet.marker, packet.payload);
  }
  const size_t frames_before = counter.frames;
  const size_t before = allocations.load();
  for (const auto& packet : round[1]) {
    assembler.push(packet.sequence_number, packet.timestamp, packet.marker, packet.payload);
  }
  const size_t during = allocations.load() - before;
  EXPECT_EQ(during, 0u);
  EXPECT_GT(counter.frames - frames_before, 40u);
  EXPECT_EQ(assembler.stats().incomplete_frames, 2u);
}

}  // namespace
}  // namespace ct::record
