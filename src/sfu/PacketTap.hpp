#pragma once
// A read-only look at one publication's media packets, for what sits above
// the SFU and wants to see a track as the server receives it (payload dumps
// now, recorders later). The SFU calls a tap on its worker thread for every
// new media packet it forwards (RTX unwrapped, duplicates and packets held
// back while muted left out), before the fan-out; a tap must not block.
#include <memory>
#include <string>

namespace ct::rtp {
class RtpPacket;
}

namespace ct::sfu {

struct TrackInfo;

class PacketTap {
 public:
  virtual ~PacketTap() = default;
  virtual void on_packet(const rtp::RtpPacket& packet) = 0;
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
