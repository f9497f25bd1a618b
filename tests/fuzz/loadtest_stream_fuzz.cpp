// libFuzzer target for what a load subscriber reads from the forwarded
// media: the input is a series of RTP packets (two length bytes, then the
// packet) fed to one StreamContinuity. Whatever it sees, its counts must
// add up: every packet is taken, counted late or counted unstamped, and
// the per-layer counts sum to the packets taken.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "loadtest/PayloadStamp.hpp"
#include "loadtest/StreamContinuity.hpp"
#include "rtp/RtpPacket.hpp"

using namespace ct;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  loadtest::StreamContinuity continuity;
  uint64_t parsed = 0;
  std::vector<uint8_t> buffer;
  while (size >= 2) {
    const size_t length = std::min<size_t>(size_t(data[0]) << 8 | data[1], size - 2);
    buffer.assign(data + 2, data + 2 + length);
    data += 2 + length;
    size -= 2 + length;
    (void)loadtest::PayloadStamp::read(buffer);
    if (auto packet = rtp::RtpPacket::parse(buffer)) {
      ++parsed;
      continuity.on_packet(*packet);
    }
  }
  const auto& s = continuity.stats();
  if (s.packets + s.late + s.unstamped != parsed) abort();
  if (std::accumulate(s.layer_packets.begin(), s.layer_packets.end(), uint64_t(0)) != s.packets) abort();
  if (s.layer_switches >= s.packets + 1 || s.discontinuities >= s.packets + 1) abort();
  return 0;
}
