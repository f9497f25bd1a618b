// Finding or adding a header extension element in a packet about to be sent.
#include <gtest/gtest.h>

#include <vector>

#include "rtp/RtpExtensionSlot.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketBuilder.hpp"

namespace ct::rtp {
namespace {

constexpr uint8_t kId = 4;

struct Built {
  std::vector<uint8_t> buffer;
  size_t length = 0;
};

// A packet with `extensions` (id, size) and a recognisable payload, in a buffer with `room` spare bytes.
Built build(std::vector<std::pair<uint8_t, size_t>> extensions, size_t payload_size = 20, uint8_t padding = 0,
            size_t room = 64, ExtensionForm form = ExtensionForm::None) {
  std::vector<std::vector<uint8_t>> data;
  for (auto [id, size] : extensions) data.emplace_back(size, uint8_t(0xA0 + id));
  std::vector<uint8_t> payload(payload_size);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = uint8_t(i + 1);
  RtpPacketBuilder builder;
  builder.payload_type(96).sequence_number(7).timestamp(9).ssrc(0x11223344).payload(payload).padding(padding);
  if (form != ExtensionForm::None) builder.extension_form(form);
  for (size_t i = 0; i < extensions.size(); ++i) builder.add_extension(extensions[i].first, data[i]);
  Built b;
  b.buffer.resize(builder.size() + room);
  b.length = builder.build(b.buffer);
  return b;
}

// The packet parses, its other elements and payload are intact, and `id` holds `value`.
void expect_intact(Built& b, std::vector<std::pair<uint8_t, size_t>> others, size_t payload_size,
                   uint16_t value) {
  auto packet = RtpPacket::parse(std::span(b.buffer).first(b.length));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->ssrc(), 0x11223344u);
  EXPECT_EQ(packet->sequence_number(), 7);
  auto number = read_transport_sequence_number(packet->find_extension(kId));
  ASSERT_TRUE(number);
  EXPECT_EQ(*number, value);
  EXPECT_EQ(packet->find_extension(kId).size(), 2u);
  for (auto [id, size] : others) {
    auto data = packet->find_extension(id);
    ASSERT_EQ(data.size(), size) << int(id);
    for (uint8_t byte : data) EXPECT_EQ(byte, uint8_t(0xA0 + id));
  }
  ASSERT_EQ(packet->payload().size(), payload_size);
  for (size_t i = 0; i < payload_size; ++i) EXPECT_EQ(packet->payload()[i], uint8_t(i + 1));
}

TEST(RtpExtensionSlot, AnElementAlreadyThereIsOverwrittenInPlace) {
  Built b = build({{1, 1}, {kId, 2}, {3, 3}});
  const size_t length = b.length;
  auto slot = extension_slot(b.buffer, b.length, kId, 2);
  ASSERT_EQ(slot.size(), 2u);
  EXPECT_EQ(b.length, length);
  write_transport_sequence_number(slot, 0xBEEF);
  expect_intact(b, {{1, 1}, {3, 3}}, 20, 0xBEEF);
}

TEST(RtpExtensionSlot, APacketWithoutExtensionsGetsAOneByteBlock) {
  Built b = build({}, 20, 4);
  const size_t length = b.length;
  auto slot = extension_slot(b.buffer, b.length, kId, 2);
  ASSERT_EQ(slot.size(), 2u);
  EXPECT_EQ(b.length, length + 8);  // block header + one word
  write_transport_sequence_number(slot, 1);
  expect_intact(b, {}, 20, 1);
  auto packet = RtpPacket::parse(std::span(b.buffer).first(b.length));
  EXPECT_EQ(packet->extension_form(), ExtensionForm::OneByte);
  EXPECT_EQ(packet->padding_size(), 4u);  // RTP padding moved along
}

TEST(RtpExtensionSlot, ARemovedElementsPaddingIsReused) {
  Built b = build({{1, 1}, {2, 3}, {3, 1}});
  auto packet = RtpPacket::parse(std::span(b.buffer).first(b.length));
  RtpExtensionIdMap drop_two = RtpExtensionIdMap::identity();
  drop_two.set(2, 0);
  ASSERT_TRUE(packet->rewrite_extension_ids(drop_two));
  const size_t length = b.length;
  auto slot = extension_slot(b.buffer, b.length, kId, 2);
  ASSERT_EQ(slot.size(), 2u);
  EXPECT_EQ(b.length, length);  // no growth: the 4 zero bytes hold it
  write_transport_sequence_number(slot, 77);
  expect_intact(b, {{1, 1}, {3, 1}}, 20, 77);
}

TEST(RtpExtensionSlot, AFullBlockGrowsByWholeWords) {
  Built b = build({{1, 3}, {2, 3}});  // 8 bytes, no padding
  const size_t length = b.length;
  auto slot = extension_slot(b.buffer, b.length, kId, 2);
  ASSERT_EQ(slot.size(), 2u);
  EXPECT_EQ(b.length, length + 4);
  write_transport_sequence_number(slot, 65535);
  expect_intact(b, {{1, 3}, {2, 3}}, 20, 65535);
}

TEST(RtpExtensionSlot, TheTwoByteFormTakesATwoByteElement) {
  Built b = build({{1, 2}, {20, 5}}, 20, 0, 64, ExtensionForm::TwoByte);
  auto slot = extension_slot(b.buffer, b.length, kId, 2);
  ASSERT_EQ(slot.size(), 2u);
  write_transport_sequence_number(slot, 300);
  expect_intact(b, {{1, 2}, {20, 5}}, 20, 300);
  EXPECT_EQ(RtpPacket::parse(std::span(b.buffer).first(b.length))->extension_form(), ExtensionForm::TwoByte);
}

TEST(RtpExtensionSlot, RefusesWhatItCannotDo) {
  // The element exists with another size.
  Built b = build({{kId, 4}});
  size_t length = b.length;
  EXPECT_TRUE(extension_slot(b.buffer, b.length, kId, 2).empty());
  EXPECT_EQ(b.length, length);
  // No room to grow.
  Built full = build({{1, 3}, {2, 3}}, 20, 0, 3);
  length = full.length;
  EXPECT_TRUE(extension_slot(full.buffer, full.length, kId, 2).empty());
  EXPECT_EQ(full.length, length);
  // An id the one-byte form cannot carry.
  Built one = build({{1, 1}});
  EXPECT_TRUE(extension_slot(one.buffer, one.length, 15, 2).empty());
  // A length beyond the buffer.
  size_t too_long = one.buffer.size() + 1;
  EXPECT_TRUE(extension_slot(one.buffer, too_long, kId, 2).empty());
}

TEST(RtpExtensionSlot, TruncatedAndGarbageInputIsRefusedWithoutTouchingIt) {
  Built b = build({{1, 1}, {2, 3}});
  for (size_t cut = 0; cut < b.length; ++cut) {
    std::vector<uint8_t> copy(b.buffer.begin(), b.buffer.begin() + cut);
    copy.resize(cut + 16);
    size_t length = cut;
    auto slot = extension_slot(copy, length, kId, 2);
    // A prefix may still parse as a shorter packet; then the element must lie inside it.
    if (!slot.empty()) {
      EXPECT_GE(slot.data(), copy.data());
      EXPECT_LE(slot.data() + slot.size(), copy.data() + length);
      EXPECT_TRUE(RtpPacket::parse(std::span(copy).first(length)));
    } else {
      EXPECT_EQ(length, cut);
    }
  }
  std::vector<uint8_t> garbage(64, 0xFF);
  size_t length = 40;
  EXPECT_TRUE(extension_slot(garbage, length, kId, 2).empty());
  // An extension block with a profile that is not RFC 8285's.
  Built other = build({{1, 1}});
  other.buffer[12] = 0x12;
  other.buffer[13] = 0x34;
  EXPECT_TRUE(extension_slot(other.buffer, other.length, kId, 2).empty());
}

}  // namespace
}  // namespace ct::rtp
