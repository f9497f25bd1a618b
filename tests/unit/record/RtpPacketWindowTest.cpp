// The reorder window under the frame assemblers: packets stored by extended
// sequence number across the 16-bit wrap, late and duplicate packets
// counted and refused, room made by giving up on the head, waits bounded in
// RTP time, and oversized or garbage input refused without harm.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "record/RtpPacketWindow.hpp"

namespace ct::record {
namespace {

using Packet = RtpPacketWindow::Packet;

std::vector<uint8_t> bytes_of(uint16_t sequence_number) {
  return {uint8_t(sequence_number >> 8), uint8_t(sequence_number), 0xA5};
}

// Admits and stores one packet, as an assembler does; the extended
// sequence number, or nothing when it was refused.
std::optional<int64_t> put(RtpPacketWindow& window, uint16_t sequence_number, uint32_t timestamp,
                           bool marker = false) {
  const std::optional<int64_t> sequence = window.admit(sequence_number);
  if (!sequence) return std::nullopt;
  if (!window.store(*sequence, Packet{.timestamp = timestamp, .marker = marker}, bytes_of(sequence_number)))
    return std::nullopt;
  return sequence;
}

// What an assembler does when it gives up on the head: moves it past the
// first stored packet, or past that packet's whole timestamp run; false
// when nothing is stored. Counts the calls that dropped something.
struct GiveUp {
  RtpPacketWindow& window;
  bool whole_run = false;
  int count = 0;
  bool operator()() {
    const std::optional<int64_t> stored = window.first_stored();
    if (!stored) return false;
    ++count;
    window.advance_to(whole_run ? window.timestamp_run_from(*stored).end : *stored + 1);
    return true;
  }
};

TEST(RtpPacketWindowTest, StoresPacketsWithTheirDataAndHeaderFields) {
  RtpPacketWindow window(8, 16);
  const auto first = put(window, 100, 9000);
  const auto second = put(window, 101, 9000, true);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*second, *first + 1);
  EXPECT_EQ(window.head(), *first);
  EXPECT_EQ(window.highest(), *second);
  const Packet* packet = window.slot_at(*second);
  ASSERT_NE(packet, nullptr);
  EXPECT_EQ(packet->timestamp, 9000u);
  EXPECT_TRUE(packet->marker);
  EXPECT_EQ(packet->sequence, *second);
  const auto data = window.data_at(*second);
  EXPECT_EQ(std::vector<uint8_t>(data.begin(), data.end()), bytes_of(101));
  EXPECT_EQ(window.slot_at(*second + 1), nullptr);
}

TEST(RtpPacketWindowTest, SequenceNumbersRunOnAcrossTheWrap) {
  RtpPacketWindow window(16, 16);
  const auto before = put(window, 65534, 1);
  const auto last = put(window, 65535, 1);
  const auto wrapped = put(window, 0, 2);
  const auto after = put(window, 1, 2);
  ASSERT_TRUE(before && last && wrapped && after);
  EXPECT_EQ(*last, *before + 1);
  EXPECT_EQ(*wrapped, *before + 2);
  EXPECT_EQ(*after, *before + 3);
  // And back across it: the nearer candidate wins (RFC 3550 A.1).
  EXPECT_EQ(window.extend(65533), *before - 1);
  EXPECT_EQ(window.extend(5), *before + 7);
}

TEST(RtpPacketWindowTest, TheFirstPacketsMayArriveOutOfOrder) {
  RtpPacketWindow window(8, 16);
  const auto later = put(window, 10, 1);
  const auto earlier = put(window, 8, 1);
  ASSERT_TRUE(later && earlier);
  EXPECT_EQ(window.head(), *earlier);
  EXPECT_EQ(window.first_stored(), *earlier);
  EXPECT_EQ(window.counts().late, 0u);
}

TEST(RtpPacketWindowTest, APacketBeforeTheHeadOnceItAdvancedIsLate) {
  RtpPacketWindow window(8, 16);
  const auto first = put(window, 10, 1, true);
  ASSERT_TRUE(first);
  window.advance_to(*first + 1);
  EXPECT_TRUE(window.anchored());
  EXPECT_FALSE(put(window, 9, 1));
  EXPECT_FALSE(put(window, 10, 1));  // written already: late, not a duplicate
  EXPECT_EQ(window.counts().late, 2u);
  EXPECT_EQ(window.counts().duplicate, 0u);
}

TEST(RtpPacketWindowTest, APacketAWindowBehindTheHighestIsLateEvenAtTheStart) {
  RtpPacketWindow window(4, 16);
  ASSERT_TRUE(put(window, 10, 1));
  EXPECT_FALSE(put(window, 6, 1));
  EXPECT_EQ(window.counts().late, 1u);
  EXPECT_TRUE(put(window, 7, 1));
}

TEST(RtpPacketWindowTest, ACopyOfAStoredPacketIsADuplicate) {
  RtpPacketWindow window(8, 16);
  ASSERT_TRUE(put(window, 10, 1));
  ASSERT_TRUE(put(window, 11, 1));
  EXPECT_FALSE(put(window, 10, 1));
  EXPECT_FALSE(put(window, 11, 1));
  EXPECT_EQ(window.counts().duplicate, 2u);
  EXPECT_EQ(window.counts().late, 0u);
}

TEST(RtpPacketWindowTest, MakingRoomGivesUpOnTheHeadUntilTheNewPacketFits) {
  RtpPacketWindow window(4, 16);
  const auto first = put(window, 0, 1);
  ASSERT_TRUE(put(window, 1, 2));
  ASSERT_TRUE(put(window, 2, 3));
  const auto sequence = window.admit(5);
  ASSERT_TRUE(sequence);
  EXPECT_FALSE(window.has_room_for(*sequence));
  GiveUp give_up{window};
  window.make_room_for(*sequence, give_up);
  EXPECT_EQ(give_up.count, 2);
  EXPECT_EQ(window.head(), *first + 2);
  EXPECT_TRUE(window.store(*sequence, Packet{.timestamp = 4}, bytes_of(5)));
  EXPECT_EQ(window.highest(), *sequence);
}

TEST(RtpPacketWindowTest, MakingRoomWithNothingStoredMovesTheHeadUpToTheNewPacket) {
  RtpPacketWindow window(4, 16);
  const auto first = put(window, 0, 1);
  ASSERT_TRUE(first);
  window.advance_to(*first + 1);
  const auto far = window.admit(100);
  ASSERT_TRUE(far);
  window.make_room_for(*far, [] { return false; });
  EXPECT_EQ(window.head(), *far - 3);
  EXPECT_TRUE(window.store(*far, Packet{.timestamp = 2}, bytes_of(100)));
}

TEST(RtpPacketWindowTest, InsertAdmitsMakesRoomAndStoresInOneStep) {
  RtpPacketWindow window(2, 16);
  GiveUp give_up{window};
  const auto first = window.insert(1, Packet{.timestamp = 1}, bytes_of(1), give_up);
  ASSERT_TRUE(first);
  ASSERT_TRUE(window.insert(2, Packet{.timestamp = 2}, bytes_of(2), give_up));
  const auto third = window.insert(3, Packet{.timestamp = 3, .marker = true}, bytes_of(3), give_up);
  ASSERT_TRUE(third);
  EXPECT_EQ(give_up.count, 1);
  EXPECT_TRUE(window.slot_at(*third)->marker);
  EXPECT_FALSE(window.insert(3, Packet{}, bytes_of(3), give_up));                  // duplicate
  EXPECT_FALSE(window.insert(1, Packet{}, bytes_of(1), give_up));                  // late
  EXPECT_FALSE(window.insert(4, Packet{}, std::vector<uint8_t>(17, 0), give_up));  // oversized
  EXPECT_EQ(give_up.count, 1);  // nothing was dropped for the oversized one
  EXPECT_EQ(window.counts().stored, 3u);
  EXPECT_EQ(window.counts().duplicate, 1u);
  EXPECT_EQ(window.counts().late, 1u);
}

TEST(RtpPacketWindowTest, TheHeadExpiresOnceTheNewestIsMaxWaitPastIt) {
  RtpPacketWindow window(16, 16);
  ASSERT_TRUE(put(window, 1, 1000));
  ASSERT_TRUE(put(window, 3, 1090));
  EXPECT_FALSE(window.head_expired(90));
  EXPECT_FALSE(window.head_expired(0));  // 0: the window bounds the wait alone
  ASSERT_TRUE(put(window, 4, 1091));
  EXPECT_TRUE(window.head_expired(90));
  GiveUp give_up{window, true};
  window.drop_expired(90, give_up);
  EXPECT_EQ(give_up.count, 1);
  EXPECT_EQ(window.first_stored(), window.extend(3));
}

TEST(RtpPacketWindowTest, ExpiryIsMeasuredAcrossTheTimestampWrap) {
  RtpPacketWindow window(16, 16);
  ASSERT_TRUE(put(window, 1, 0xFFFFFFF0u));
  ASSERT_TRUE(put(window, 2, 0x10));
  EXPECT_FALSE(window.head_expired(0x20));
  EXPECT_TRUE(window.head_expired(0x1F));
}

TEST(RtpPacketWindowTest, ATimestampRunSpansGapsAndNotesItsMarker) {
  RtpPacketWindow window(16, 16);
  const auto first = put(window, 1, 7);
  ASSERT_TRUE(first);
  ASSERT_TRUE(put(window, 3, 7, true));
  ASSERT_TRUE(put(window, 4, 8));
  const RtpPacketWindow::TimestampRun run = window.timestamp_run_from(*first);
  EXPECT_EQ(run.end, *first + 3);
  EXPECT_FALSE(run.contiguous);
  EXPECT_TRUE(run.marked);
  const RtpPacketWindow::TimestampRun last = window.timestamp_run_from(*first + 3);
  EXPECT_EQ(last.end, *first + 4);
  EXPECT_TRUE(last.contiguous);
  EXPECT_FALSE(last.marked);
}

TEST(RtpPacketWindowTest, DropAllGivesUpUntilNothingIsLeft) {
  RtpPacketWindow window(8, 16);
  ASSERT_TRUE(put(window, 1, 1));
  ASSERT_TRUE(put(window, 3, 2));
  GiveUp give_up{window, true};
  window.drop_all(give_up);
  EXPECT_EQ(give_up.count, 2);
  EXPECT_FALSE(window.first_stored());
}

TEST(RtpPacketWindowTest, OversizedAndTruncatedDataAndSequencesOutsideTheWindowAreRefused) {
  RtpPacketWindow window(4, 3);
  const auto sequence = window.admit(50);
  ASSERT_TRUE(sequence);
  const std::vector<uint8_t> oversized(4, 0xFF);
  EXPECT_FALSE(window.store(*sequence, Packet{}, oversized));
  EXPECT_EQ(window.slot_at(*sequence), nullptr);
  // An empty payload is stored as empty, not read past.
  EXPECT_TRUE(window.store(*sequence, Packet{}, {}));
  EXPECT_TRUE(window.data_at(*sequence).empty());
  EXPECT_FALSE(window.store(*sequence + 4, Packet{}, bytes_of(54)));  // past the window
  EXPECT_FALSE(window.store(*sequence - 1, Packet{}, bytes_of(49)));  // before the head
  EXPECT_EQ(window.highest(), *sequence);
}

TEST(RtpPacketWindowTest, ZeroLimitsStillHoldOnePacketOfOneByte) {
  RtpPacketWindow window(0, 0);
  EXPECT_EQ(window.capacity(), 1u);
  EXPECT_EQ(window.max_packet_bytes(), 1u);
  const auto sequence = window.admit(7);
  ASSERT_TRUE(sequence);
  const uint8_t byte = 0x42;
  EXPECT_TRUE(window.store(*sequence, Packet{}, std::span(&byte, 1)));
  EXPECT_EQ(window.data_at(*sequence)[0], 0x42);
}

// Garbage: random sequence numbers, timestamps and sizes. What is stored
// always lies within the window and reads back as written.
TEST(RtpPacketWindowTest, GarbageKeepsEveryStoredPacketInsideTheWindow) {
  std::mt19937 random(7);
  RtpPacketWindow window(32, 8);
  uint64_t refused = 0, stored = 0;
  for (int i = 0; i < 20000; ++i) {
    const auto sequence_number = uint16_t(random());
    const auto size = size_t(random() % 12);
    const std::vector<uint8_t> data(size, uint8_t(sequence_number));
    const auto sequence = window.admit(sequence_number);
    if (!sequence) {
      ++refused;
      continue;
    }
    GiveUp give_up{window};
    window.make_room_for(*sequence, give_up);
    if (!window.store(*sequence, Packet{.timestamp = uint32_t(random())}, data)) {
      EXPECT_GT(size, 8u);
      continue;
    }
    ++stored;
    EXPECT_GE(*sequence, window.head());
    EXPECT_LT(window.highest() - window.head(), int64_t(window.capacity()));
    const auto read = window.data_at(*sequence);
    EXPECT_EQ(std::vector<uint8_t>(read.begin(), read.end()), data);
  }
  EXPECT_EQ(refused, window.counts().late + window.counts().duplicate);
  EXPECT_EQ(stored, window.counts().stored);
  EXPECT_GT(stored, 0u);
  EXPECT_GT(window.counts().late, 0u);
}

}  // namespace
}  // namespace ct::record
