#include "bwe/SendHistory.hpp"

namespace ct::bwe {

namespace {
int64_t to_us(TimePoint t) { return std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count(); }
}  // namespace

uint16_t SendHistory::on_packet_sent(uint32_t size, TimePoint now, int32_t probe_cluster) {
  const int64_t sequence_number = next_++;
  entry_of(sequence_number) = {sequence_number, to_us(now), size, probe_cluster, Status::kSent};
  return uint16_t(sequence_number);
}

int64_t SendHistory::unwrap_reference_time(int32_t reference_time) {
  if (!have_reference_) {
    have_reference_ = true;
    last_reference_ = reference_time;
    return last_reference_;
  }
  // §3.1: a 24-bit signed field; take the value nearest the previous one.
  int32_t step = int32_t(uint32_t(reference_time - int32_t(last_reference_)) & 0xFFFFFF);
  if (step >= 0x800000) step -= 0x1000000;
  last_reference_ += step;
  return last_reference_;
}

std::span<const PacketResult> SendHistory::on_feedback(const rtp::RtcpTransportCc& feedback) {
  ++counters_.feedbacks;
  const size_t count = feedback.packet_status_count();
  if (count > kMaxPacketsPerFeedback) {
    ++counters_.oversized;
    return {};
  }
  if (feedback.packets(std::span(statuses_).first(count)) != count) return {};
  // The base is the 16-bit number nearest the newest we sent.
  const int64_t newest = next_ - 1;
  const int64_t base = newest + int16_t(uint16_t(feedback.base_sequence_number() - uint16_t(newest)));
  int64_t arrival_us =
      unwrap_reference_time(feedback.reference_time()) * rtp::RtcpTransportCc::kReferenceTimeUnitUs;
  size_t out = 0;
  for (size_t i = 0; i < count; ++i) {
    const rtp::TransportCcPacket& status = statuses_[i];
    // Deltas accumulate over every received packet, known to us or not.
    if (status.received) arrival_us += int64_t(status.delta) * rtp::RtcpTransportCc::kDeltaUnitUs;
    const int64_t sequence_number = base + int64_t(i);
    Entry& entry = entry_of(sequence_number);
    if (sequence_number < 0 || sequence_number >= next_ || entry.sequence_number != sequence_number) {
      ++counters_.unknown;
      continue;
    }
    if (entry.status == Status::kReceived || (entry.status == Status::kLost && !status.received)) {
      ++counters_.duplicates;
      continue;
    }
    if (entry.status == Status::kLost) ++counters_.late_arrivals;
    entry.status = status.received ? Status::kReceived : Status::kLost;
    results_[out++] = {sequence_number, entry.send_time_us,  status.received ? arrival_us : 0,
                       entry.size,      entry.probe_cluster, status.received};
  }
  counters_.reported += out;
  return std::span(results_).first(out);
}

}  // namespace ct::bwe
