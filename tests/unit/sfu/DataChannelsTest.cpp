#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sctp/DcepMessage.hpp"
#include "sfu/DataChannels.hpp"
#include "sfu/DataPacket.hpp"
#include "sfu/MediaCounters.hpp"

namespace ct::sfu {
namespace {

struct Relayed {
  std::string topic;
  std::vector<uint8_t> payload;
  bool reliable;
};

struct FakeRoom final : DataChannels::Listener {
  void on_data_packet(const DataPacket& packet, bool reliable) override {
    relayed.push_back(
        {std::string(packet.topic()), {packet.payload().begin(), packet.payload().end()}, reliable});
  }
  void on_data_not_allowed() override { ++refusals; }
  std::vector<Relayed> relayed;
  int refusals = 0;
};

std::vector<uint8_t> envelope(std::string_view topic, size_t payload_size = 3) {
  std::vector<uint8_t> payload(payload_size, 0x42);
  std::vector<uint8_t> out(DataPacket::size("", topic, payload));
  EXPECT_EQ(DataPacket::write(out, "", topic, payload), out.size());
  return out;
}

sctp::ChannelInfo channel(std::string label, sctp::ChannelType type) {
  sctp::ChannelInfo info;
  info.label = std::move(label);
  info.type = type;
  return info;
}

const TimePoint t0 = TimePoint{} + seconds(100);

TEST(DataChannels, EnvelopesAreRelayedReliablyOrLossyByTheirChannel) {
  FakeRoom room;
  DataChannels data(room, true);
  data.on_channel_open(0, channel("_reliable", sctp::ChannelType::Reliable));
  data.on_channel_open(2, channel("_lossy", sctp::ChannelType::PartialReliableRexmitUnordered));
  // Any channel that does not retransmit is lossy, whatever its label.
  data.on_channel_open(4, channel("app", sctp::ChannelType::PartialReliableTimed));
  data.on_message(0, true, envelope("chat"), t0);
  data.on_message(2, true, envelope("cursor"), t0);
  data.on_message(4, true, envelope("app"), t0);
  ASSERT_EQ(room.relayed.size(), 3u);
  EXPECT_EQ(room.relayed[0].topic, "chat");
  EXPECT_TRUE(room.relayed[0].reliable);
  EXPECT_FALSE(room.relayed[1].reliable);
  EXPECT_FALSE(room.relayed[2].reliable);
  EXPECT_EQ(room.relayed[0].payload, std::vector<uint8_t>(3, 0x42));

  // A closed channel's stream is forgotten: a message on it is relayed as reliable.
  data.on_channel_closed(2);
  data.on_message(2, true, envelope("late"), t0);
  ASSERT_EQ(room.relayed.size(), 4u);
  EXPECT_TRUE(room.relayed[3].reliable);
  EXPECT_EQ(data.stats().received, 4u);
  EXPECT_EQ(data.stats().relayed, 4u);
}

TEST(DataChannels, WithoutTheGrantNothingIsRelayedAndTheRefusalIsReportedOnce) {
  FakeRoom room;
  DataChannels data(room, false);
  for (int i = 0; i < 3; ++i) data.on_message(0, true, envelope("chat"), t0);
  EXPECT_TRUE(room.relayed.empty());
  EXPECT_EQ(room.refusals, 1);
  EXPECT_EQ(data.stats().dropped_not_allowed, 3u);
}

TEST(DataChannels, TextFramesTruncatedAndOversizedEnvelopesAreDropped) {
  FakeRoom room;
  DataChannels data(room, true);
  auto good = envelope("chat");
  data.on_message(0, false, good, t0);  // a text frame
  data.on_message(0, true, std::span(good).first(3), t0);
  const std::vector<uint8_t> garbage = {9, 9, 9, 9, 9, 9};
  data.on_message(0, true, garbage, t0);
  data.on_message(0, true, envelope("big", DataPacket::kMaxMessage), t0);
  EXPECT_TRUE(room.relayed.empty());
  EXPECT_EQ(data.stats().dropped_malformed, 4u);
  EXPECT_EQ(data.stats().relayed, 0u);
}

TEST(DataChannels, MessageRateIsLimitedAfterTheBurstAndRecovers) {
  FakeRoom room;
  DataChannels data(room, true);
  auto message = envelope("chat");
  size_t sent = size_t(DataChannels::kMessageBurst) + 50;
  for (size_t i = 0; i < sent; ++i) data.on_message(0, true, message, t0);
  EXPECT_EQ(room.relayed.size(), size_t(DataChannels::kMessageBurst));
  EXPECT_EQ(data.stats().dropped_rate, 50u);
  // A second later the bucket has refilled by the rate.
  for (size_t i = 0; i < 150; ++i) data.on_message(0, true, message, t0 + seconds(1));
  EXPECT_EQ(room.relayed.size(), size_t(DataChannels::kMessageBurst + DataChannels::kMessagesPerSecond));
}

TEST(DataChannels, ByteRateIsLimited) {
  FakeRoom room;
  DataChannels data(room, true);
  auto large = envelope("file", 14 * 1024);
  for (int i = 0; i < 100; ++i) data.on_message(0, true, large, t0);
  // 1 MiB of burst holds 73 messages of about 14 KiB.
  EXPECT_EQ(room.relayed.size(), size_t(DataChannels::kBytesPerSecond / large.size()));
  EXPECT_GT(data.stats().dropped_rate, 0u);
}

TEST(DataChannels, DeliveryNeedsAnOpenChannelOfOurs) {
  FakeRoom room;
  DataChannels data(room, true);
  auto message = envelope("chat");
  data.deliver(nullptr, message, true);
  data.deliver(nullptr, message, false);
  EXPECT_EQ(data.stats().dropped_undeliverable, 2u);
  EXPECT_EQ(data.stats().delivered, 0u);
}

TEST(DataChannels, CountsAddUpForTheMetricsEndpoint) {
  FakeRoom room;
  DataChannels data(room, true);
  data.on_message(0, true, envelope("chat"), t0);
  data.on_message(0, false, envelope("chat"), t0);
  data.deliver(nullptr, envelope("chat"), true);
  MediaCounters counters;
  counters.data_received = 10;  // adds to what is there
  data.add_counters(counters);
  EXPECT_EQ(counters.data_received, 12u);
  EXPECT_EQ(counters.data_dropped_malformed, 1u);
  EXPECT_EQ(counters.data_dropped_undeliverable, 1u);
  EXPECT_EQ(counters.data_delivered, 0u);
}

}  // namespace
}  // namespace ct::sfu
