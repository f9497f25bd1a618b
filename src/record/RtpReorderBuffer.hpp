#pragma once
// Puts one RTP stream's packets back in sequence order, for payloads that
// are whole frames on their own (an Opus packet, RFC 7587 §4.2). It runs on
// a recording writer thread, where waiting costs nothing but memory: a
// missing packet is waited for until the window of `capacity` sequence
// numbers after it is full, then skipped and counted as lost. A packet that
// comes after its turn has passed is late and dropped. The first packets
// wait until half the window has come, so that a first packet overtaken by
// the next ones still goes out first.
//
// Memory is fixed at construction: `capacity` slots of `max_payload_bytes`.
// Not thread-safe.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ct::record {

class RtpReorderBuffer {
 public:
  struct Packet {
    uint16_t sequence_number = 0;
    uint32_t timestamp = 0;
    std::span<const uint8_t> payload;  // valid only during the listener call
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // Called from inside push() or finish(), in sequence order.
    virtual void on_ordered_packet(const Packet& packet) = 0;
  };

  struct Stats {
    uint64_t packets = 0;     // handed to the listener
    uint64_t duplicates = 0;  // a copy of one still buffered
    uint64_t late = 0;        // its turn had passed
    uint64_t lost = 0;        // sequence numbers skipped, never seen
    uint64_t oversized = 0;   // payload larger than max_payload_bytes
  };

  RtpReorderBuffer(Listener& listener, size_t capacity, size_t max_payload_bytes);

  void push(uint16_t sequence_number, uint32_t timestamp, std::span<const uint8_t> payload);
  // The stream ended: everything buffered goes out in order.
  void finish();

  const Stats& stats() const { return stats_; }

 private:
  struct Slot {
    int64_t sequence = -1;  // extended; another value means empty
    uint32_t timestamp = 0;
    uint32_t size = 0;
  };

  void release_head();  // hands out or skips the packet at head_

  Listener& listener_;
  size_t max_payload_bytes_;
  std::vector<Slot> slots_;
  std::vector<uint8_t> arena_;
  Stats stats_;
  bool started_ = false;
  bool anchored_ = false;  // a packet went out (or was skipped): head_ is fixed
  int64_t head_ = 0;       // the next sequence number to hand out
  int64_t highest_ = 0;    // the highest one stored
};

}  // namespace ct::record
