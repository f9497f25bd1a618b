#pragma once
// A read-only look at one publication's media packets, for what sits above
// the SFU and wants to see a track as the server receives it (payload dumps
// now, recorders later). The SFU calls a tap on its worker thread for every
// new media packet it forwards (RTX unwrapped, duplicates and packets held
// back while muted left out), before the fan-out; a tap must not block.
#include <cstdint>
#include <memory>
#include <string>

#include "core/Clock.hpp"

namespace ct::rtp {
class RtpPacket;
}

namespace ct::sfu {

struct TrackInfo;

class PacketTap {
 public:
  virtual ~PacketTap() = default;
  virtual void on_packet(const rtp::RtpPacket& packet) = 0;
  // The same, with the time the server received the packet (its receive
  // batch's), for taps that keep arrival times: no clock read of their own.
  virtual void on_packet_at(const rtp::RtpPacket& packet, TimePoint /*arrival*/) { on_packet(packet); }
  // The publisher's RTCP sender report for this track (RFC 3550 §6.4.1):
  // its NTP and RTP timestamps of one instant, and when it arrived.
  virtual void on_sender_report(uint64_t /*ntp_timestamp*/, uint32_t /*rtp_timestamp*/,
                                TimePoint /*arrival*/) {}
  // Asked on every tick of the worker: true when the tap wants a keyframe
  // (e.g. a recording that lost a frame); the publication then asks the
  // publisher through its throttled PLI path. Must be cheap and lock-free.
  virtual bool take_keyframe_request() { return false; }
};

// Makes a tap for each new publication, or none. Shared by every worker:
// implementations keep no mutable state of their own outside the taps.
class PacketTapFactory {
 public:
  virtual ~PacketTapFactory() = default;
  virtual std::unique_ptr<PacketTap> tap_for(const std::string& room, const std::string& participant,
                                             const TrackInfo& track) const = 0;
};

}  // namespace ct::sfu
