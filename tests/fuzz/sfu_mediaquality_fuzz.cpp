// Drives the per-stream media-quality state (ReceiveStreamStats,
// TransportCcFeedbackGenerator, RetransmissionBuffer) with arbitrary packet
// sequences and clock steps. Checks: no crash, NACK lists stay bounded, and
// every transport-cc feedback built parses back.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "core/Endian.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpTransportCc.hpp"
#include "sfu/ReceiveStreamStats.hpp"
#include "sfu/RetransmissionBuffer.hpp"
#include "sfu/TransportCcFeedbackGenerator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ct;
  sfu::ReceiveStreamStats stats(90000);
  sfu::TransportCcFeedbackGenerator feedback(1);
  sfu::RetransmissionBuffer buffer(64);
  std::vector<uint16_t> nacks;
  std::vector<uint8_t> out(1500);
  std::vector<rtp::TransportCcPacket> decoded;
  TimePoint now = TimePoint{} + seconds(10);
  // Each 6-byte record: op, sequence number, time step, value.
  for (size_t at = 0; at + 6 <= size; at += 6) {
    const uint8_t op = data[at];
    const uint16_t seq = load_u16(&data[at + 1]);
    now += microseconds(int64_t(data[at + 3]) * 97);
    const uint16_t value = load_u16(&data[at + 4]);
    switch (op % 6) {
      case 0:
        stats.on_packet(seq, uint32_t(value) * 90, now, value % 1500);
        break;
      case 1:
        feedback.on_packet(seq, value, now);
        break;
      case 2: {
        nacks.clear();
        stats.collect_nacks(now, nacks);
        if (nacks.size() > sfu::ReceiveStreamStats::kMaxNackDistance) std::abort();
        break;
      }
      case 3: {
        const size_t capacity = 20 + value % 1480;
        const size_t length = feedback.build_feedback(std::span(out).first(capacity), now);
        if (length > capacity) std::abort();
        rtp::RtcpCompound compound(std::span(out).first(length));
        while (auto packet = compound.next()) {
          const auto parsed = rtp::RtcpTransportCc::parse(*packet);
          if (!parsed) std::abort();
          parsed->packets(decoded);
        }
        if (compound.malformed()) std::abort();
        break;
      }
      case 4: {
        stats.set_rtt(milliseconds(value % 500));
        const rtp::RtcpReportBlock block = stats.make_report_block(2, now);
        if (block.cumulative_lost < -0x800000 || block.cumulative_lost > 0x7FFFFF) std::abort();
        break;
      }
      case 5: {
        const size_t length = value % 1600;
        buffer.store(std::span(data, size).first(std::min(length, size)), seq, now);
        if (const auto found = buffer.find(seq, now); found && found->size() > sfu::RetransmissionBuffer::kSlotSize) {
          std::abort();
        }
        break;
      }
    }
  }
  return 0;
}
