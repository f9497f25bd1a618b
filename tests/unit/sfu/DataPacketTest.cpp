#include "sfu/DataPacket.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ct::sfu {
namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

std::vector<uint8_t> envelope(std::string_view sender, std::string_view topic, std::string_view payload,
                              std::vector<std::string_view> to = {}) {
  auto p = bytes(payload);
  std::vector<uint8_t> out(DataPacket::size(sender, topic, p, to));
  EXPECT_EQ(DataPacket::write(out, sender, topic, p, to), out.size());
  return out;
}

TEST(DataPacket, ParsesWhatTheClientSends) {
  auto message = envelope("", "chat", R"({"text":"hi"})", {"bob", "carol"});
  DataPacket::Error error{};
  auto packet = DataPacket::parse(message, &error);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->sender(), "");
  EXPECT_EQ(packet->topic(), "chat");
  EXPECT_EQ(std::string(packet->payload().begin(), packet->payload().end()), R"({"text":"hi"})");
  EXPECT_EQ(packet->destination_count(), 2u);
  std::vector<std::string> to;
  packet->for_each_destination([&](std::string_view d) { to.emplace_back(d); });
  EXPECT_EQ(to, (std::vector<std::string>{"bob", "carol"}));
  EXPECT_TRUE(packet->addressed_to("bob"));
  EXPECT_TRUE(packet->addressed_to("carol"));
  EXPECT_FALSE(packet->addressed_to("dave"));
  EXPECT_FALSE(packet->addressed_to("bo"));
}

TEST(DataPacket, ExactLayout) {
  auto message = envelope("al", "t", "xy", {"b"});
  std::vector<uint8_t> expected{1, 0, 2, 'a', 'l', 0, 1, 't', 1, 1, 'b', 'x', 'y'};
  EXPECT_EQ(message, expected);
}

TEST(DataPacket, TheServersOwnMessagesHaveTheirKindAndNoSender) {
  auto payload = bytes("xy");
  std::vector<uint8_t> out(DataPacket::size("", "t", payload));
  ASSERT_EQ(DataPacket::write_from_server(out, "t", payload), out.size());
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 1, 0, 0, 1, 't', 0, 'x', 'y'}));
  // A client cannot pass its message off as the server's.
  DataPacket::Error error{};
  EXPECT_FALSE(DataPacket::parse(out, &error));
  EXPECT_EQ(error, DataPacket::Error::UnknownKind);
  std::vector<uint8_t> small(out.size() - 1);
  EXPECT_EQ(DataPacket::write_from_server(small, "t", payload), 0u);
}

TEST(DataPacket, NoDestinationsMeansEveryoneAndEmptyPartsAreFine) {
  auto message = envelope("alice", "", "");
  auto packet = DataPacket::parse(message);
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->sender(), "alice");
  EXPECT_TRUE(packet->topic().empty());
  EXPECT_TRUE(packet->payload().empty());
  EXPECT_TRUE(packet->addressed_to("anyone"));
}

TEST(DataPacket, BinaryPayloadSurvives) {
  std::vector<uint8_t> payload{0, 1, 2, 255, 0};
  std::vector<uint8_t> out(64);
  size_t n = DataPacket::write(out, "a", "bin", payload);
  out.resize(n);
  auto packet = DataPacket::parse(out);
  ASSERT_TRUE(packet);
  EXPECT_EQ(std::vector<uint8_t>(packet->payload().begin(), packet->payload().end()), payload);
}

TEST(DataPacket, EveryTruncationIsRefused) {
  auto message = envelope("alice", "chat", "hello", {"bob"});
  size_t payload_start = message.size() - 5;
  for (size_t n = 0; n < payload_start; ++n) {
    DataPacket::Error error{};
    EXPECT_FALSE(DataPacket::parse(std::span(message.data(), n), &error)) << n;
    EXPECT_TRUE(error == DataPacket::Error::Truncated) << n;
  }
  // Cutting into the payload only shortens it: the payload is "the rest".
  auto shorter = DataPacket::parse(std::span(message.data(), payload_start + 2));
  ASSERT_TRUE(shorter);
  EXPECT_EQ(shorter->payload().size(), 2u);
}

TEST(DataPacket, RefusesBadVersionKindTopicAndSize) {
  DataPacket::Error error{};
  std::vector<uint8_t> v2{2, 0, 0, 0, 0, 0};
  EXPECT_FALSE(DataPacket::parse(v2, &error));
  EXPECT_EQ(error, DataPacket::Error::UnknownVersion);
  std::vector<uint8_t> kind{1, 7, 0, 0, 0, 0};
  EXPECT_FALSE(DataPacket::parse(kind, &error));
  EXPECT_EQ(error, DataPacket::Error::UnknownKind);
  std::vector<uint8_t> topic{1, 0, 0, 0x01, 0x01};  // 257 bytes of topic
  topic.resize(topic.size() + 257 + 1, 'x');
  EXPECT_FALSE(DataPacket::parse(topic, &error));
  EXPECT_EQ(error, DataPacket::Error::TopicTooLong);
  std::vector<uint8_t> large = envelope("", "chat", std::string(DataPacket::kMaxMessage, 'x'));
  EXPECT_FALSE(DataPacket::parse(large, &error));
  EXPECT_EQ(error, DataPacket::Error::TooLarge);
  auto fits = envelope("", "chat", std::string(DataPacket::kMaxMessage - 10, 'x'));
  EXPECT_EQ(fits.size(), DataPacket::kMaxMessage);
  EXPECT_TRUE(DataPacket::parse(fits));
}

TEST(DataPacket, GarbageNeverCrashes) {
  uint32_t state = 12345;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> junk(state % 64);
    for (auto& b : junk) {
      state = state * 1103515245u + 12345u;
      b = uint8_t(state >> 16);
    }
    if (!junk.empty()) junk[0] = 1;
    if (junk.size() > 1) junk[1] = 0;
    auto packet = DataPacket::parse(junk);
    if (packet) {
      size_t seen = 0;
      packet->for_each_destination([&](std::string_view) { ++seen; });
      EXPECT_EQ(seen, packet->destination_count());
    }
    state = state * 1103515245u + 12345u;
  }
}

TEST(DataPacket, WriteRefusesWhatCannotBeEncoded) {
  std::vector<uint8_t> out(2048);
  std::string long_sender(256, 'a');
  EXPECT_EQ(DataPacket::write(out, long_sender, "t", {}), 0u);
  std::string long_topic(DataPacket::kMaxTopic + 1, 't');
  EXPECT_EQ(DataPacket::write(out, "a", long_topic, {}), 0u);
  std::vector<uint8_t> tiny(4);
  EXPECT_EQ(DataPacket::write(tiny, "alice", "chat", {}), 0u);
}

}  // namespace
}  // namespace ct::sfu
