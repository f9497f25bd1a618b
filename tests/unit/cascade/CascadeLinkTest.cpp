// Two nodes' ends of one cascade link: media one way, feedback the other,
// each direction under the sender's own keys.
#include <gtest/gtest.h>

#include <vector>

#include "cascade/CascadeLink.hpp"

namespace ct::cascade {
namespace {

using srtp::SrtpProfile;

constexpr uint32_t kIdAtA = 3;  // the id node A gave the link (heads what B sends)
constexpr uint32_t kIdAtB = 7;  // the id node B gave the link (heads what A sends)

std::vector<uint8_t> rtp_packet(uint16_t seq, uint32_t ssrc, size_t payload) {
  std::vector<uint8_t> p{0x80,
                         96,
                         uint8_t(seq >> 8),
                         uint8_t(seq),
                         0,
                         0,
                         0x10,
                         0,
                         uint8_t(ssrc >> 24),
                         uint8_t(ssrc >> 16),
                         uint8_t(ssrc >> 8),
                         uint8_t(ssrc)};
  for (size_t i = 0; i < payload; ++i) p.push_back(uint8_t(i));
  return p;
}

// A PLI (RFC 4585 §6.3.1) from `sender` about `media`.
std::vector<uint8_t> pli(uint32_t sender, uint32_t media) {
  return {0x81,
          206,
          0,
          2,
          uint8_t(sender >> 24),
          uint8_t(sender >> 16),
          uint8_t(sender >> 8),
          uint8_t(sender),
          uint8_t(media >> 24),
          uint8_t(media >> 16),
          uint8_t(media >> 8),
          uint8_t(media)};
}

// The send buffer: the plain packet after room for the frame header, room for the tag after it.
std::vector<uint8_t> send_buffer(const std::vector<uint8_t>& packet) {
  std::vector<uint8_t> buffer(CascadeFrame::kHeaderSize + packet.size() + CascadeLink::kMaxOverhead);
  std::copy(packet.begin(), packet.end(), buffer.begin() + CascadeFrame::kHeaderSize);
  return buffer;
}

class CascadeLinkTest : public ::testing::TestWithParam<SrtpProfile> {
 protected:
  CascadeKeys a_keys = CascadeKeys::generate(GetParam());
  CascadeKeys b_keys = CascadeKeys::generate(GetParam());
  CascadeLink a{kIdAtB, a_keys, b_keys};
  CascadeLink b{kIdAtA, b_keys, a_keys};

  // What `from` sends of `packet`, as the datagram on the wire.
  std::vector<uint8_t> sealed(CascadeLink& from, const std::vector<uint8_t>& packet, bool rtcp = false) {
    auto buffer = send_buffer(packet);
    size_t length = rtcp ? from.seal_rtcp(buffer, packet.size()) : from.seal_rtp(buffer, packet.size());
    EXPECT_GT(length, CascadeFrame::kHeaderSize + packet.size());
    buffer.resize(length);
    return buffer;
  }
};

TEST_P(CascadeLinkTest, MediaCrossesAndIsEncrypted) {
  auto packet = rtp_packet(100, 0x11223344, 200);
  auto datagram = sealed(a, packet);
  auto frame = parse_cascade_frame(datagram);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, CascadeKind::rtp);
  EXPECT_EQ(frame->link_id, kIdAtB);
  // The payload does not travel in the clear.
  EXPECT_FALSE(
      std::equal(packet.begin() + 12, packet.end(), datagram.begin() + CascadeFrame::kHeaderSize + 12));
  auto plain = b.open(*frame);
  ASSERT_TRUE(plain);
  EXPECT_EQ(std::vector<uint8_t>(plain->begin(), plain->end()), packet);
  EXPECT_EQ(a.counters().rtp_sent, 1u);
  EXPECT_EQ(b.counters().rtp_received, 1u);
}

TEST_P(CascadeLinkTest, FeedbackGoesBackToTheOrigin) {
  auto request = pli(0x5555, 0x11223344);
  auto datagram = sealed(b, request, true);
  auto frame = parse_cascade_frame(datagram);
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->kind, CascadeKind::rtcp);
  EXPECT_EQ(frame->link_id, kIdAtA);
  auto plain = a.open(*frame);
  ASSERT_TRUE(plain);
  EXPECT_EQ(std::vector<uint8_t>(plain->begin(), plain->end()), request);
  EXPECT_EQ(b.counters().rtcp_sent, 1u);
  EXPECT_EQ(a.counters().rtcp_received, 1u);
}

TEST_P(CascadeLinkTest, ReplaysAndTamperingAreRejected) {
  auto datagram = sealed(a, rtp_packet(1, 0x1, 50));
  auto copy = datagram;
  ASSERT_TRUE(b.open(*parse_cascade_frame(datagram)));
  EXPECT_FALSE(b.open(*parse_cascade_frame(copy)));  // the same packet again (RFC 3711 §3.3.2)

  auto next = sealed(a, rtp_packet(2, 0x1, 50));
  next.back() ^= 1;
  EXPECT_FALSE(b.open(*parse_cascade_frame(next)));
  EXPECT_EQ(b.counters().rejected, 2u);
  EXPECT_EQ(b.counters().rtp_received, 1u);
}

TEST_P(CascadeLinkTest, AnotherLinksKeysDoNotOpenIt) {
  // A third node's link to B, keyed differently, even under B's id for A's link.
  CascadeKeys c_keys = CascadeKeys::generate(GetParam());
  CascadeLink c{kIdAtB, c_keys, b_keys};
  auto datagram = sealed(c, rtp_packet(1, 0x1, 50));
  EXPECT_FALSE(b.open(*parse_cascade_frame(datagram)));
  // And B's own packets do not open as if from A (each direction has its own keys).
  auto own = sealed(b, rtp_packet(1, 0x2, 50));
  EXPECT_FALSE(b.open(*parse_cascade_frame(own)));
}

TEST_P(CascadeLinkTest, RefusesWhatItCannotSeal) {
  auto packet = rtp_packet(1, 0x1, 20);
  std::vector<uint8_t> no_room(CascadeFrame::kHeaderSize + packet.size());  // no room for the tag
  std::copy(packet.begin(), packet.end(), no_room.begin() + CascadeFrame::kHeaderSize);
  EXPECT_EQ(a.seal_rtp(no_room, packet.size()), 0u);
  std::vector<uint8_t> tiny(3);
  EXPECT_EQ(a.seal_rtp(tiny, 0), 0u);
  auto malformed = send_buffer(std::vector<uint8_t>(12, 0));  // version 0
  EXPECT_EQ(a.seal_rtp(malformed, 12), 0u);
  EXPECT_EQ(a.counters().rtp_sent, 0u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, CascadeLinkTest,
                         ::testing::Values(SrtpProfile::AeadAes128Gcm, SrtpProfile::Aes128CmHmacSha1_80));

}  // namespace
}  // namespace ct::cascade
