#pragma once
// What a synthetic video payload says about itself, so that a load
// subscriber can tell which simulcast layer the server forwarded and how
// long the packet took (every video payload a load publisher sends, plain,
// simulcast or to Janus, and its audio payloads from their first byte): a magic tag, the layer index and the
// publisher's send time, at a fixed offset inside the VP8 data (after the longest frame header a first packet
// carries, RFC 6386 §9.1), where the SFU never writes. Reading takes untrusted bytes: anything short or
// without the tag is nullopt.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "core/Clock.hpp"

namespace ct::loadtest {

struct PayloadStamp {
  static constexpr size_t kOffset = 10;  // from the start of the VP8 data
  static constexpr size_t kSize = 15;    // magic (4), source (2), layer (1), send time in µs (8)

  uint16_t source = 0;       // which publisher
  uint8_t layer = 0;         // simulcast layer index, lowest first
  int64_t send_time_us = 0;  // the sender's steady clock

  // Writes at kOffset of `vp8_data`; false when it is shorter than kOffset + kSize.
  bool write(std::span<uint8_t> vp8_data) const;
  static std::optional<PayloadStamp> read(std::span<const uint8_t> vp8_data);

  // A send time as stamped: the steady clock in µs (publisher and subscriber
  // share the load tool's process, so they share the clock).
  static int64_t time_us(TimePoint t);
  // Sent -> `now`; negative for a garbled stamp.
  Duration age(TimePoint now) const { return microseconds(time_us(now) - send_time_us); }
};

}  // namespace ct::loadtest
