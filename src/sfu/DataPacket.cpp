#include "sfu/DataPacket.hpp"

#include <cstring>

namespace ct::sfu {
namespace {

std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

std::string_view DataPacket::to_string(Error error) {
  switch (error) {
    case Error::Truncated: return "truncated";
    case Error::UnknownVersion: return "unknown version";
    case Error::UnknownKind: return "unknown kind";
    case Error::TopicTooLong: return "topic too long";
    case Error::TooLarge: return "message too large";
  }
  return "invalid";
}

std::optional<DataPacket> DataPacket::parse(std::span<const uint8_t> message, Error* error) {
  auto fail = [&](Error e) -> std::optional<DataPacket> {
    if (error) *error = e;
    return std::nullopt;
  };
  if (message.size() > kMaxMessage) return fail(Error::TooLarge);
  if (message.size() < 2) return fail(Error::Truncated);
  if (message[0] != kVersion) return fail(Error::UnknownVersion);
  if (message[1] != kKindUser) return fail(Error::UnknownKind);
  size_t at = 2;
  auto need = [&](size_t n) { return message.size() - at >= n; };

  DataPacket packet;
  if (!need(1)) return fail(Error::Truncated);
  size_t sender_length = message[at++];
  if (!need(sender_length)) return fail(Error::Truncated);
  packet.sender_ = as_text(message.subspan(at, sender_length));
  at += sender_length;

  if (!need(2)) return fail(Error::Truncated);
  size_t topic_length = size_t(message[at]) << 8 | message[at + 1];
  at += 2;
  if (topic_length > kMaxTopic) return fail(Error::TopicTooLong);
  if (!need(topic_length)) return fail(Error::Truncated);
  packet.topic_ = as_text(message.subspan(at, topic_length));
  at += topic_length;

  if (!need(1)) return fail(Error::Truncated);
  packet.destination_count_ = message[at++];
  size_t destinations_start = at;
  for (size_t i = 0; i < packet.destination_count_; ++i) {
    if (!need(1)) return fail(Error::Truncated);
    size_t length = message[at++];
    if (!need(length)) return fail(Error::Truncated);
    at += length;
  }
  packet.destinations_ = message.subspan(destinations_start, at - destinations_start);
  packet.payload_ = message.subspan(at);
  return packet;
}

bool DataPacket::addressed_to(std::string_view identity) const {
  if (destination_count_ == 0) return true;
  bool found = false;
  for_each_destination([&](std::string_view d) { found = found || d == identity; });
  return found;
}

size_t DataPacket::size(std::string_view sender, std::string_view topic, std::span<const uint8_t> payload,
                        std::span<const std::string_view> destinations) {
  size_t n = 2 + 1 + sender.size() + 2 + topic.size() + 1 + payload.size();
  for (auto d : destinations) n += 1 + d.size();
  return n;
}

size_t DataPacket::write(std::span<uint8_t> out, std::string_view sender, std::string_view topic,
                         std::span<const uint8_t> payload, std::span<const std::string_view> destinations) {
  if (sender.size() > 255 || topic.size() > kMaxTopic || destinations.size() > 255) return 0;
  for (auto d : destinations)
    if (d.size() > 255) return 0;
  size_t total = size(sender, topic, payload, destinations);
  if (out.size() < total) return 0;
  uint8_t* p = out.data();
  auto put = [&](const void* data, size_t n) {
    if (n) std::memcpy(p, data, n);
    p += n;
  };
  *p++ = kVersion;
  *p++ = kKindUser;
  *p++ = uint8_t(sender.size());
  put(sender.data(), sender.size());
  *p++ = uint8_t(topic.size() >> 8);
  *p++ = uint8_t(topic.size());
  put(topic.data(), topic.size());
  *p++ = uint8_t(destinations.size());
  for (auto d : destinations) {
    *p++ = uint8_t(d.size());
    put(d.data(), d.size());
  }
  put(payload.data(), payload.size());
  return total;
}

size_t DataPacket::write_from_server(std::span<uint8_t> out, std::string_view topic,
                                     std::span<const uint8_t> payload) {
  size_t n = write(out, {}, topic, payload);
  if (n) out[1] = kKindServer;  // the same layout; only the kind differs
  return n;
}

}  // namespace ct::sfu
