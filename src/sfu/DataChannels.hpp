#pragma once
// One participant's data channels (docs/protocol.md "Data messages"): the
// channels its browser opens on the publisher connection, whose messages are
// checked (grant, rate, envelope) and handed up for relay, and the two the
// server opens on the subscriber connection, which carry everyone else's
// messages to it.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "core/Clock.hpp"
#include "core/TokenBucket.hpp"

namespace ct::sctp {
struct ChannelInfo;
}
namespace ct::webrtc {
class PeerTransport;
}

namespace ct::sfu {

class DataPacket;
struct MediaCounters;

class DataChannels {
 public:
  // Limits on what one participant may send (docs/protocol.md "Data messages").
  static constexpr double kMessagesPerSecond = 100, kMessageBurst = 200;
  static constexpr double kBytesPerSecond = 1024 * 1024;
  // Channel labels of the CipherTalk client.
  static constexpr std::string_view kReliableLabel = "_reliable";
  static constexpr std::string_view kLossyLabel = "_lossy";

  struct Stats {
    uint64_t received = 0;               // messages from this participant's browser
    uint64_t relayed = 0;                // of those, handed to the room
    uint64_t delivered = 0;              // messages sent to this participant
    uint64_t dropped_not_allowed = 0;    // no canPublishData
    uint64_t dropped_rate = 0;           // over the message or byte rate
    uint64_t dropped_malformed = 0;      // not an envelope, too large, text frames
    uint64_t dropped_undeliverable = 0;  // our channel to this participant not open
  };

  class Listener {
   public:
    virtual ~Listener() = default;
    // A checked envelope from the browser, for the room to relay.
    virtual void on_data_packet(const DataPacket& packet, bool reliable) = 0;
    // The first message without the canPublishData grant (later ones are only counted).
    virtual void on_data_not_allowed() = 0;
  };

  DataChannels(Listener& listener, bool may_publish);

  // --- the browser's channels (publisher connection) ---
  void on_channel_open(uint16_t stream, const sctp::ChannelInfo& info);
  void on_channel_closed(uint16_t stream);
  void on_message(uint16_t stream, bool binary, std::span<const uint8_t> message, TimePoint now);

  // --- ours (subscriber connection) ---
  // The association is up: opens `_reliable` and `_lossy`.
  void open_own_channels(webrtc::PeerTransport& subscriber);
  void on_own_channel_closed(uint16_t stream);
  // Sends one envelope to the browser; counted undeliverable without an open channel.
  void deliver(webrtc::PeerTransport* subscriber, std::span<const uint8_t> message, bool reliable);

  // canPublishData granted or revoked while the participant is in the room.
  void set_may_publish(bool may_publish) {
    may_publish_ = may_publish;
    not_allowed_reported_ = false;
  }

  const Stats& stats() const { return stats_; }
  void add_counters(MediaCounters& counters) const;

 private:
  Listener& listener_;
  bool may_publish_;
  std::vector<std::pair<uint16_t, bool>> browser_channels_;  // stream -> lossy
  // The two we open (odd ids, we are the DTLS server).
  std::optional<uint16_t> reliable_stream_, lossy_stream_;
  TokenBucket messages_{kMessagesPerSecond, kMessageBurst};
  TokenBucket bytes_{kBytesPerSecond, kBytesPerSecond};
  bool not_allowed_reported_ = false;
  Stats stats_;
};

}  // namespace ct::sfu
