#pragma once
// The envelope of a CipherTalk data message (docs/protocol.md, "Data
// messages"): who sent it, its topic, to whom, and the application's bytes.
// One binary data-channel message (RFC 8831 PPID 53) carries one envelope.
//
//   u8 version (1) | u8 kind (0 = user data)
//   u8 S | S bytes sender identity        (client to server: S = 0)
//   u16 T | T bytes topic (T <= 256)
//   u8 D | D x (u8 L | L bytes identity)  (server to client: D = 0)
//   payload: the rest
//
// A parsed DataPacket is a view into the message: no copy, no allocation.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ct::sfu {

class DataPacket {
 public:
  static constexpr uint8_t kVersion = 1;
  static constexpr uint8_t kKindUser = 0;
  // Sent by the server itself (the room service API), never by a client: no
  // sender, never end-to-end encrypted. parse() refuses it from clients.
  static constexpr uint8_t kKindServer = 1;
  static constexpr size_t kMaxTopic = 256;
  // The largest message the server relays, reliable or lossy (15 KiB).
  static constexpr size_t kMaxMessage = 15 * 1024;

  enum class Error { Truncated, UnknownVersion, UnknownKind, TopicTooLong, TooLarge };
  static std::string_view to_string(Error error);

  // Parses `message`; on failure returns nullopt and sets `error` if given.
  static std::optional<DataPacket> parse(std::span<const uint8_t> message, Error* error = nullptr);

  std::string_view sender() const { return sender_; }
  std::string_view topic() const { return topic_; }
  std::span<const uint8_t> payload() const { return payload_; }
  size_t destination_count() const { return destination_count_; }
  // True if the message names no destinations (everyone) or names `identity`.
  bool addressed_to(std::string_view identity) const;
  // Calls f(std::string_view identity) for each named destination.
  template <class F>
  void for_each_destination(F f) const {
    size_t at = 0;
    for (size_t i = 0; i < destination_count_; ++i) {
      size_t length = destinations_[at];
      f(std::string_view(reinterpret_cast<const char*>(destinations_.data() + at + 1), length));
      at += 1 + length;
    }
  }

  // The envelope as the server delivers it: the sender filled in, no
  // destinations. Returns the bytes written, 0 if `out` is too small or a
  // field is too long for its length prefix.
  static size_t write(std::span<uint8_t> out, std::string_view sender, std::string_view topic,
                      std::span<const uint8_t> payload, std::span<const std::string_view> destinations = {});
  static size_t size(std::string_view sender, std::string_view topic, std::span<const uint8_t> payload,
                     std::span<const std::string_view> destinations = {});
  // A kKindServer envelope: no sender, no destinations; size() with an empty sender.
  static size_t write_from_server(std::span<uint8_t> out, std::string_view topic,
                                  std::span<const uint8_t> payload);

 private:
  std::string_view sender_;
  std::string_view topic_;
  std::span<const uint8_t> destinations_;  // the D entries, still length-prefixed
  size_t destination_count_ = 0;
  std::span<const uint8_t> payload_;
};

}  // namespace ct::sfu
