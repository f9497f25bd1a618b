#pragma once
// Transport-wide sequence numbers for what we send
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2), and the memory of
// when each packet left and how big it was, so that a transport-cc feedback
// (§3.1) can be turned into per-packet results. Packets live in a fixed
// ring: no allocation per packet or per feedback.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "bwe/PacketResult.hpp"
#include "core/Clock.hpp"
#include "rtp/RtcpTransportCc.hpp"

namespace ct::bwe {

class SendHistory {
 public:
  // Packets remembered (a power of two); feedback for older ones is counted as expired.
  static constexpr size_t kCapacity = 4096;
  // Statuses one feedback may carry; larger ones are refused (libwebrtc
  // reports a few hundred at most).
  static constexpr size_t kMaxPacketsPerFeedback = 1024;

  struct Counters {
    uint64_t feedbacks = 0;      // parsed feedback handed to on_feedback
    uint64_t oversized = 0;      // feedback with more than kMaxPacketsPerFeedback statuses
    uint64_t reported = 0;       // results handed out
    uint64_t duplicates = 0;     // statuses for packets already reported the same way
    uint64_t late_arrivals = 0;  // reported lost first, received in a later feedback
    uint64_t unknown = 0;        // never sent, or expired from the ring
  };

  // Numbers the next outgoing packet and remembers it; returns the 16-bit
  // value for the header extension.
  uint16_t on_packet_sent(uint32_t size, TimePoint now, int32_t probe_cluster = kNoProbeCluster);

  // Matches the feedback's statuses to sent packets. Returns the results of
  // packets whose status is news (first report, or lost then received), in
  // sequence order; the span stays valid until the next call.
  std::span<const PacketResult> on_feedback(const rtp::RtcpTransportCc& feedback);

  // The unwrapped number the next sent packet gets.
  int64_t next_sequence_number() const { return next_; }
  const Counters& counters() const { return counters_; }

 private:
  enum class Status : uint8_t { kEmpty, kSent, kLost, kReceived };
  struct Entry {
    int64_t sequence_number = -1;
    int64_t send_time_us = 0;
    uint32_t size = 0;
    int32_t probe_cluster = kNoProbeCluster;
    Status status = Status::kEmpty;
  };

  Entry& entry_of(int64_t sequence_number) {
    return ring_[size_t(uint64_t(sequence_number) & (kCapacity - 1))];
  }
  // The 24-bit reference time, unwrapped against the previous feedback's.
  int64_t unwrap_reference_time(int32_t reference_time);

  int64_t next_ = 0;
  bool have_reference_ = false;
  int64_t last_reference_ = 0;
  Counters counters_;
  std::array<Entry, kCapacity> ring_{};
  std::array<rtp::TransportCcPacket, kMaxPacketsPerFeedback> statuses_{};
  std::array<PacketResult, kMaxPacketsPerFeedback> results_{};
};

}  // namespace ct::bwe
