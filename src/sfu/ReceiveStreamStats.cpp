#include "sfu/ReceiveStreamStats.hpp"

#include <algorithm>
#include <cstdlib>

namespace ct::sfu {

namespace {
constexpr uint32_t kSequenceModulo = 65536;
}  // namespace

ReceiveStreamStats::ReceiveStreamStats(uint32_t clock_rate) : clock_rate_(clock_rate) {
  missing_.reserve(kMaxNackDistance);
}

bool ReceiveStreamStats::test_and_set_received(int64_t ext) {
  const uint64_t bit = uint64_t(ext) & (kHistory - 1);
  uint64_t& word = received_flags_[bit / 64];
  const uint64_t mask = uint64_t(1) << (bit % 64);
  const bool was_set = (word & mask) != 0;
  word |= mask;
  return was_set;
}

void ReceiveStreamStats::clear_received(int64_t ext) {
  const uint64_t bit = uint64_t(ext) & (kHistory - 1);
  received_flags_[bit / 64] &= ~(uint64_t(1) << (bit % 64));
}

void ReceiveStreamStats::start(int64_t ext, uint32_t rtp_timestamp, TimePoint arrival) {
  if (started_)
    lost_before_restart_ = cumulative_lost();
  else
    time_origin_ = arrival;
  started_ = true;
  base_ext_ = max_ext_ = ext;
  have_bad_sequence_ = false;
  received_ = 1;
  expected_prior_ = received_prior_ = 0;
  received_flags_.fill(0);
  test_and_set_received(ext);
  missing_.clear();
  // The old stream's timestamps say nothing about the new one's transit.
  have_transit_ = false;
  update_jitter(rtp_timestamp, arrival);
}

void ReceiveStreamStats::advance(int64_t ext, TimePoint arrival) {
  // Packets between the old and new highest are missing for now: clear their
  // stale flags and queue them for NACK, the last kMaxNackDistance only.
  const int64_t oldest_nackable = ext - int64_t(kMaxNackDistance);
  for (int64_t gap = max_ext_ + 1; gap < ext; ++gap) clear_received(gap);
  const auto keep = std::lower_bound(missing_.begin(), missing_.end(), oldest_nackable,
                                     [](const Missing& m, int64_t value) { return m.ext < value; });
  missing_.erase(missing_.begin(), keep);
  for (int64_t gap = std::max(max_ext_ + 1, oldest_nackable); gap < ext; ++gap) {
    missing_.push_back(Missing{gap, arrival, TimePoint{}, 0});
  }
  max_ext_ = ext;
  test_and_set_received(ext);
}

void ReceiveStreamStats::forget_missing(int64_t ext) {
  const auto it = std::lower_bound(missing_.begin(), missing_.end(), ext,
                                   [](const Missing& m, int64_t value) { return m.ext < value; });
  if (it != missing_.end() && it->ext == ext) missing_.erase(it);
}

void ReceiveStreamStats::update_jitter(uint32_t rtp_timestamp, TimePoint arrival) {
  // A.8: the arrival time in timestamp units; the origin is arbitrary since
  // only differences of transit times count. 64-bit µs products hold for years.
  const int64_t elapsed_us = std::chrono::duration_cast<microseconds>(arrival - time_origin_).count();
  const uint32_t arrival_units = uint32_t(elapsed_us * int64_t(clock_rate_) / 1'000'000);
  const uint32_t transit = arrival_units - rtp_timestamp;
  if (have_transit_) {
    const int32_t d = int32_t(transit - last_transit_);
    jitter_ += (std::abs(double(d)) - jitter_) / 16.0;
  }
  last_transit_ = transit;
  have_transit_ = true;
}

bool ReceiveStreamStats::on_packet(uint16_t sequence_number, uint32_t rtp_timestamp, TimePoint arrival,
                                   size_t bytes) {
  ++packets_;
  bytes_ += bytes;
  if (!started_) {
    start(sequence_number, rtp_timestamp, arrival);
    return true;
  }
  const uint16_t udelta = uint16_t(sequence_number - uint16_t(max_ext_));
  if (udelta == 0) {
    ++duplicates_;
    return false;
  } else if (udelta < kMaxDropout) {
    // In order, possibly after a gap. Only these update jitter: late and
    // retransmitted packets would add their queueing delay to it.
    advance(max_ext_ + udelta, arrival);
    ++received_;
    have_bad_sequence_ = false;
    update_jitter(rtp_timestamp, arrival);
  } else if (udelta >= kSequenceModulo - kMaxBehind) {
    // Late: reordered or a retransmission.
    const int64_t ext = max_ext_ - int64_t(kSequenceModulo - udelta);
    // A packet from shortly before the first one received extends the range
    // back; one from long before is a stray (A.1's MAX_MISORDER bounds it).
    if (ext < base_ext_ && base_ext_ - ext > int64_t(kMaxMisorderBeforeFirst)) return false;
    if (test_and_set_received(ext)) {
      ++duplicates_;
      return false;
    }
    base_ext_ = std::min(base_ext_, ext);
    ++received_;
    forget_missing(ext);
  } else if (have_bad_sequence_ && sequence_number == bad_sequence_) {
    // A.1: two sequential packets after a large jump: the source restarted.
    start(max_ext_ + udelta, rtp_timestamp, arrival);
  } else {
    // A jump: forwarded as before; the next packet tells whether the source restarted.
    have_bad_sequence_ = true;
    bad_sequence_ = uint16_t(sequence_number + 1);
  }
  return true;
}

void ReceiveStreamStats::on_sender_report(uint64_t ntp_timestamp, TimePoint now) {
  // §6.4.1 LSR: the middle 32 bits of the SR's NTP timestamp.
  last_sr_ = uint32_t(ntp_timestamp >> 16);
  last_sr_at_ = now;
  have_sr_ = true;
}

int64_t ReceiveStreamStats::cumulative_lost() const {
  if (!started_) return lost_before_restart_;
  const int64_t expected = max_ext_ - base_ext_ + 1;
  return lost_before_restart_ + expected - received_;
}

rtp::RtcpReportBlock ReceiveStreamStats::make_report_block(uint32_t ssrc, TimePoint now) {
  rtp::RtcpReportBlock block;
  block.ssrc = ssrc;
  if (started_) {
    // A.3: fraction lost over the interval since the last report.
    const int64_t expected = max_ext_ - base_ext_ + 1;
    const int64_t expected_interval = expected - expected_prior_;
    const int64_t received_interval = received_ - received_prior_;
    expected_prior_ = expected;
    received_prior_ = received_;
    const int64_t lost_interval = expected_interval - received_interval;
    if (expected_interval > 0 && lost_interval > 0) {
      block.fraction_lost = uint8_t(std::min<int64_t>((lost_interval << 8) / expected_interval, 255));
      loss_fraction_ = double(lost_interval) / double(expected_interval);
    } else {
      loss_fraction_ = 0;
    }
    // 24-bit signed on the wire: clamp rather than wrap (§6.4.1).
    block.cumulative_lost = int32_t(std::clamp<int64_t>(cumulative_lost(), -0x800000, 0x7FFFFF));
    block.extended_highest_sequence = uint32_t(max_ext_);
    block.jitter = uint32_t(jitter_);
  }
  if (have_sr_) {
    block.last_sr = last_sr_;
    // DLSR in units of 1/65536 s.
    const int64_t delay_us = std::chrono::duration_cast<microseconds>(now - last_sr_at_).count();
    block.delay_since_last_sr = uint32_t(std::max<int64_t>(delay_us, 0) * 65536 / 1'000'000);
  }
  return block;
}

void ReceiveStreamStats::collect_nacks(TimePoint now, std::vector<uint16_t>& out) {
  const Duration retry_interval = std::max<Duration>(rtt_, kMinNackInterval);
  size_t kept = 0;
  for (Missing& entry : missing_) {
    const bool give_up = max_ext_ - entry.ext > int64_t(kMaxNackDistance) ||
                         now - entry.detected > kNackGiveUpAge || entry.nacks >= kMaxNacksPerPacket;
    if (give_up) continue;
    if (entry.nacks == 0 || now - entry.last_nack >= retry_interval) {
      out.push_back(uint16_t(entry.ext));
      ++entry.nacks;
      entry.last_nack = now;
    }
    missing_[kept++] = entry;
  }
  missing_.erase(missing_.begin() + std::ptrdiff_t(kept), missing_.end());
}

}  // namespace ct::sfu
