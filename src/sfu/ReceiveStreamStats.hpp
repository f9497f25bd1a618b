#pragma once
// Reception statistics of one inbound RTP stream at the server: sequence
// tracking (RFC 3550 A.1), loss (A.3) and interarrival jitter (A.8) for the
// report blocks of our RRs, LSR/DLSR for the sender's RTT, and the missing
// packets to NACK (RFC 4585 §6.2.1) with retries and giving up.
// Allocation-free per packet: the NACK list is reserved up front.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/Clock.hpp"
#include "rtp/RtcpReportBlock.hpp"

namespace ct::sfu {

class ReceiveStreamStats {
 public:
  // A.1's MAX_DROPOUT: a forward step up to this is a gap, beyond it a jump.
  static constexpr uint32_t kMaxDropout = 3000;
  // How far behind the highest a packet still counts as late rather than a
  // jump. A.1 uses 100 (MAX_MISORDER), but retransmissions answer NACKs one
  // RTT later, hundreds of packets behind at video rates.
  static constexpr uint32_t kMaxBehind = 3000;
  // How far before the first packet a late one may extend the range (A.1's MAX_MISORDER).
  static constexpr uint32_t kMaxMisorderBeforeFirst = 100;
  // Received flags for duplicate detection cover this many sequence numbers.
  static constexpr size_t kHistory = 4096;
  static constexpr uint8_t kMaxNacksPerPacket = 10;
  static constexpr Duration kMinNackInterval = milliseconds(20);
  static constexpr Duration kNackGiveUpAge = milliseconds(1000);
  static constexpr uint32_t kMaxNackDistance = 1000;

  explicit ReceiveStreamStats(uint32_t clock_rate);

  // Every packet of the stream, retransmissions (RTX-unwrapped) included:
  // they fill gaps. Duplicates are counted apart and change nothing else.
  // Returns false for a packet worth nothing downstream: a duplicate (e.g. a
  // retransmission that arrived after the original, or a bandwidth probe
  // repeating an old packet) or a stray from long before the stream began.
  bool on_packet(uint16_t sequence_number, uint32_t rtp_timestamp, TimePoint arrival, size_t bytes = 0);
  // The sender's SR, for LSR/DLSR (RFC 3550 §6.4.1).
  void on_sender_report(uint64_t ntp_timestamp, TimePoint now);

  // A report block for our RR. Starts a new interval for fraction lost.
  rtp::RtcpReportBlock make_report_block(uint32_t ssrc, TimePoint now);

  // Appends the missing sequence numbers to NACK now. A packet is NACKed at
  // most kMaxNacksPerPacket times, not more often than max(rtt, 20 ms), and
  // given up kNackGiveUpAge after its gap was seen or once more than
  // kMaxNackDistance packets behind the highest.
  void collect_nacks(TimePoint now, std::vector<uint16_t>& out);
  void set_rtt(Duration rtt) { rtt_ = rtt; }

  // Fraction lost (0..1) over the last interval make_report_block() closed.
  double loss_fraction() const { return loss_fraction_; }
  // Every packet passed to on_packet (duplicates too), and their bytes.
  uint64_t packets_received() const { return packets_; }
  uint64_t bytes_received() const { return bytes_; }
  uint64_t duplicates() const { return duplicates_; }
  // Expected minus received since the first packet (A.3), not clamped.
  int64_t cumulative_lost() const;
  uint32_t extended_highest_sequence() const { return uint32_t(max_ext_); }
  double jitter() const { return jitter_; }  // in RTP timestamp units
  size_t pending_nacks() const { return missing_.size(); }

 private:
  struct Missing {
    int64_t ext;  // extended sequence number
    TimePoint detected;
    TimePoint last_nack;
    uint8_t nacks;
  };

  void start(int64_t ext, uint32_t rtp_timestamp, TimePoint arrival);
  void advance(int64_t ext, TimePoint arrival);
  void update_jitter(uint32_t rtp_timestamp, TimePoint arrival);
  bool test_and_set_received(int64_t ext);
  void clear_received(int64_t ext);
  void forget_missing(int64_t ext);

  uint32_t clock_rate_;
  bool started_ = false;
  int64_t base_ext_ = 0;
  int64_t max_ext_ = 0;
  bool have_bad_sequence_ = false;  // A.1's bad_seq
  uint16_t bad_sequence_ = 0;
  int64_t received_ = 0;  // distinct packets since base
  int64_t lost_before_restart_ = 0;
  int64_t expected_prior_ = 0;
  int64_t received_prior_ = 0;
  double loss_fraction_ = 0;

  TimePoint time_origin_{};
  uint32_t last_transit_ = 0;
  bool have_transit_ = false;
  double jitter_ = 0;

  bool have_sr_ = false;
  uint32_t last_sr_ = 0;
  TimePoint last_sr_at_{};

  uint64_t packets_ = 0;
  uint64_t bytes_ = 0;
  uint64_t duplicates_ = 0;

  std::array<uint64_t, kHistory / 64> received_flags_{};
  std::vector<Missing> missing_;  // ascending ext, at most kMaxNackDistance
  Duration rtt_ = Duration::zero();
};

}  // namespace ct::sfu
