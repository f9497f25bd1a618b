#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sctp/DcepMessage.hpp"

namespace ct::sctp {
namespace {

constexpr ChannelType kAllTypes[] = {
    ChannelType::Reliable,
    ChannelType::ReliableUnordered,
    ChannelType::PartialReliableRexmit,
    ChannelType::PartialReliableRexmitUnordered,
    ChannelType::PartialReliableTimed,
    ChannelType::PartialReliableTimedUnordered,
};

TEST(DcepMessage, OpenWireLayoutFollowsRfc8832) {
  ChannelInfo info;
  info.type = ChannelType::PartialReliableRexmitUnordered;
  info.priority = kPriorityHigh;
  info.reliability_parameter = 0x01020304;
  info.label = "chat";
  info.protocol = "x";
  auto bytes = DcepMessage::serialize_open(info);
  ASSERT_TRUE(bytes);
  const std::vector<uint8_t> expected = {0x03, 0x81, 0x02, 0x00, 0x01, 0x02, 0x03, 0x04, 0x00,
                                         0x04, 0x00, 0x01, 'c',  'h',  'a',  't',  'x'};
  EXPECT_EQ(*bytes, expected);
  EXPECT_EQ(DcepMessage::serialize_ack(), std::vector<uint8_t>{0x02});
}

TEST(DcepMessage, OpenRoundTripsEveryChannelType) {
  for (ChannelType type : kAllTypes) {
    ChannelInfo info;
    info.type = type;
    info.priority = kPriorityBelowNormal;
    info.reliability_parameter = is_reliable(type) ? 0 : 1500;
    info.label = "_lossy";
    info.protocol = "ciphertalk-v1";
    auto bytes = DcepMessage::serialize_open(info);
    ASSERT_TRUE(bytes);
    DcepError error = DcepError::Empty;
    auto parsed = DcepMessage::parse(*bytes, &error);
    ASSERT_TRUE(parsed) << int(type);
    EXPECT_EQ(error, DcepError::None);
    EXPECT_EQ(parsed->type, DcepMessageType::Open);
    EXPECT_EQ(parsed->open, info) << int(type);
  }
}

TEST(DcepMessage, ChannelTypeHelpers) {
  EXPECT_FALSE(is_unordered(ChannelType::Reliable));
  EXPECT_TRUE(is_unordered(ChannelType::ReliableUnordered));
  EXPECT_TRUE(is_unordered(ChannelType::PartialReliableTimedUnordered));
  EXPECT_TRUE(is_reliable(ChannelType::ReliableUnordered));
  EXPECT_TRUE(is_rexmit_limited(ChannelType::PartialReliableRexmitUnordered));
  EXPECT_TRUE(is_time_limited(ChannelType::PartialReliableTimed));
  EXPECT_FALSE(is_time_limited(ChannelType::PartialReliableRexmit));
  int known = 0;
  for (int v = 0; v < 256; ++v) known += is_known_channel_type(uint8_t(v));
  EXPECT_EQ(known, 6);
}

TEST(DcepMessage, ReliabilityParameterIsZeroForReliableTypes) {
  // RFC 8832 §5.1: sent as 0 and ignored on receipt for reliable channels.
  ChannelInfo info;
  info.type = ChannelType::ReliableUnordered;
  info.reliability_parameter = 77;
  auto bytes = DcepMessage::serialize_open(info);
  ASSERT_TRUE(bytes);
  EXPECT_EQ((*bytes)[4] | (*bytes)[5] | (*bytes)[6] | (*bytes)[7], 0);
  (*bytes)[7] = 9;  // a sender that puts something there anyway
  auto parsed = DcepMessage::parse(*bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->open.reliability_parameter, 0u);
}

TEST(DcepMessage, EmptyLabelAndProtocol) {
  ChannelInfo info;
  auto bytes = DcepMessage::serialize_open(info);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->size(), DcepMessage::kOpenHeaderSize);
  auto parsed = DcepMessage::parse(*bytes);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->open.label.empty());
  EXPECT_TRUE(parsed->open.protocol.empty());
}

TEST(DcepMessage, ParsesAck) {
  const uint8_t ack[] = {0x02};
  auto parsed = DcepMessage::parse(ack);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->type, DcepMessageType::Ack);
  const uint8_t ack_with_trailing[] = {0x02, 0xFF};
  EXPECT_TRUE(DcepMessage::parse(ack_with_trailing));
}

TEST(DcepMessage, RejectsEveryTruncation) {
  ChannelInfo info;
  info.label = "label";
  info.protocol = "protocol";
  auto bytes = DcepMessage::serialize_open(info);
  ASSERT_TRUE(bytes);
  for (size_t n = 0; n < bytes->size(); ++n) {
    DcepError error = DcepError::None;
    EXPECT_FALSE(DcepMessage::parse(std::span(*bytes).first(n), &error)) << n;
    EXPECT_EQ(error, n == 0 ? DcepError::Empty : DcepError::Truncated) << n;
  }
  // Trailing bytes after the protocol are ignored.
  bytes->push_back(0);
  EXPECT_TRUE(DcepMessage::parse(*bytes));
}

TEST(DcepMessage, RejectsLengthsBeyondTheMessage) {
  std::vector<uint8_t> bytes = {0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 'a', 'b'};
  DcepError error = DcepError::None;
  EXPECT_FALSE(DcepMessage::parse(bytes, &error));
  EXPECT_EQ(error, DcepError::Truncated);
  // Label fits, protocol does not.
  bytes = {0x03, 0x00, 0x01, 0x00, 0, 0, 0, 0, 0x00, 0x01, 0x00, 0x02, 'a', 'b'};
  EXPECT_FALSE(DcepMessage::parse(bytes, &error));
  EXPECT_EQ(error, DcepError::Truncated);
  bytes.push_back('c');
  auto parsed = DcepMessage::parse(bytes, &error);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->open.label, "a");
  EXPECT_EQ(parsed->open.protocol, "bc");
}

TEST(DcepMessage, RejectsGarbage) {
  DcepError error = DcepError::None;
  for (uint8_t type : {0x00, 0x01, 0x04, 0x30, 0xFF}) {
    const uint8_t bytes[] = {type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_FALSE(DcepMessage::parse(bytes, &error));
    EXPECT_EQ(error, DcepError::UnknownMessageType);
  }
  for (uint8_t channel_type : {0x03, 0x7F, 0x83, 0xFF, 0x40}) {
    const uint8_t bytes[] = {0x03, channel_type, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_FALSE(DcepMessage::parse(bytes, &error));
    EXPECT_EQ(error, DcepError::UnknownChannelType);
  }
}

TEST(DcepMessage, SerializeRefusesOversizedStrings) {
  ChannelInfo info;
  info.label.assign(65536, 'x');
  EXPECT_FALSE(DcepMessage::serialize_open(info));
  info.label.assign(65535, 'x');
  info.protocol.assign(65535, 'y');
  auto bytes = DcepMessage::serialize_open(info);
  ASSERT_TRUE(bytes);
  auto parsed = DcepMessage::parse(*bytes);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->open, info);
}

TEST(DcepMessage, PayloadProtocolIdentifiers) {
  // RFC 8831 §8.
  EXPECT_EQ(kPpidDcep, 50u);
  EXPECT_EQ(kPpidString, 51u);
  EXPECT_EQ(kPpidBinary, 53u);
  EXPECT_EQ(kPpidStringEmpty, 56u);
  EXPECT_EQ(kPpidBinaryEmpty, 57u);
}

}  // namespace
}  // namespace ct::sctp
