#pragma once
// Receiver side of transport-wide congestion control
// (draft-holmer-rmcat-transport-wide-cc-extensions-01): remembers when each
// packet of a transport arrived, by its transport-wide sequence number, and
// reports them in RTPFB FMT 15 feedback so the browser's send-side bandwidth
// estimator can ramp up. Arrivals live in a fixed ring: no allocation per
// packet or per feedback.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/Clock.hpp"
#include "rtp/RtcpTransportCc.hpp"

namespace ct::sfu {

class TransportCcFeedbackGenerator {
 public:
  // Arrivals remembered; a backlog larger than this is reported from its newest part.
  static constexpr size_t kWindow = 4096;
  // Packets per feedback packet, at most (libwebrtc sends a few hundred at most).
  static constexpr size_t kMaxPacketsPerFeedback = 512;

  explicit TransportCcFeedbackGenerator(uint32_t sender_ssrc);

  // A packet arrived. Packets that arrive after their sequence number was
  // already reported (as lost) are ignored: the sender has judged them.
  void on_packet(uint16_t transport_sequence_number, uint32_t media_ssrc, TimePoint arrival);

  // Appends zero or more complete transport-cc packets to `out` covering
  // every sequence number from the last feedback's end to the highest
  // received; returns the bytes written. What does not fit stays for the
  // next call. Packets carry no P bit (zero padding inside the length), so
  // any RTCP packet may follow them in the compound. Called every 50-100 ms
  // by the owner.
  size_t build_feedback(std::span<uint8_t> out, TimePoint now);

  uint8_t feedback_packet_count() const { return feedback_count_; }

 private:
  static constexpr int64_t kNotReceived = INT64_MIN;

  int64_t& arrival_of(int64_t ext) { return arrivals_[size_t(uint64_t(ext) & (kWindow - 1))]; }

  uint32_t sender_ssrc_;
  uint32_t media_ssrc_ = 0;
  bool started_ = false;
  TimePoint origin_{};  // arrival times are kept in µs since the first packet
  int64_t next_to_report_ = 0;  // extended transport sequence numbers
  int64_t highest_ = -1;
  uint8_t feedback_count_ = 0;
  std::array<int64_t, kWindow> arrivals_;
  std::array<rtp::TransportCcPacket, kMaxPacketsPerFeedback> scratch_{};
};

}  // namespace ct::sfu
