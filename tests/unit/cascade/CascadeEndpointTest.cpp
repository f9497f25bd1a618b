// A node's table of links: a datagram finds its link by the id in its frame.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "cascade/CascadeEndpoint.hpp"

namespace ct::cascade {
namespace {

using srtp::SrtpProfile;

std::vector<uint8_t> rtp_packet(uint16_t seq) {
  std::vector<uint8_t> p{0x80, 111, uint8_t(seq >> 8), uint8_t(seq), 0, 0, 3, 0xc0, 0, 0, 0x0a, 0x0b};
  p.resize(60, 0x55);
  return p;
}

// Two nodes, each with its endpoint, linked for one room.
struct TwoNodes {
  CascadeKeys a_keys = CascadeKeys::generate(SrtpProfile::AeadAes128Gcm);
  CascadeKeys b_keys = CascadeKeys::generate(SrtpProfile::AeadAes128Gcm);
  CascadeEndpoint a, b;
  uint32_t id_at_a = a.unused_link_id();
  uint32_t id_at_b = b.unused_link_id();
  TwoNodes() {
    EXPECT_TRUE(a.add_link(id_at_a, id_at_b, a_keys, b_keys));
    EXPECT_TRUE(b.add_link(id_at_b, id_at_a, b_keys, a_keys));
  }
  // What A sends B on the link.
  std::vector<uint8_t> from_a(uint16_t seq) {
    auto packet = rtp_packet(seq);
    std::vector<uint8_t> buffer(packet.size() + CascadeLink::kMaxOverhead);
    std::copy(packet.begin(), packet.end(), buffer.begin() + CascadeFrame::kHeaderSize);
    buffer.resize(a.find(id_at_a)->seal_rtp(buffer, packet.size()));
    return buffer;
  }
};

TEST(CascadeEndpointTest, ADatagramFindsItsLinkAndOpens) {
  TwoNodes nodes;
  auto datagram = nodes.from_a(1);
  auto received = nodes.b.receive(datagram);
  ASSERT_TRUE(received);
  EXPECT_EQ(received->link_id, nodes.id_at_b);
  EXPECT_EQ(received->kind, CascadeKind::rtp);
  auto expected = rtp_packet(1);
  EXPECT_EQ(std::vector<uint8_t>(received->packet.begin(), received->packet.end()), expected);
}

TEST(CascadeEndpointTest, DropsWhatIsNoFrameOrNamesNoLink) {
  TwoNodes nodes;
  std::vector<uint8_t> stun(20, 0);
  EXPECT_FALSE(nodes.b.receive(stun));
  EXPECT_EQ(nodes.b.counters().not_cascade, 1u);

  auto datagram = nodes.from_a(1);
  nodes.b.remove_link(nodes.id_at_b);
  EXPECT_FALSE(nodes.b.receive(datagram));
  EXPECT_EQ(nodes.b.counters().unknown_link, 1u);
  EXPECT_EQ(nodes.b.link_count(), 0u);
  EXPECT_EQ(nodes.b.find(nodes.id_at_b), nullptr);
}

TEST(CascadeEndpointTest, AFrameUnderAnotherLinksIdDoesNotOpen) {
  TwoNodes nodes;
  // B's second link (another room with A), keyed differently.
  uint32_t other = nodes.b.unused_link_id();
  ASSERT_TRUE(nodes.b.add_link(other, 99, CascadeKeys::generate(SrtpProfile::AeadAes128Gcm),
                               CascadeKeys::generate(SrtpProfile::AeadAes128Gcm)));
  auto datagram = nodes.from_a(1);
  datagram[2] = uint8_t(other >> 24);
  datagram[3] = uint8_t(other >> 16);
  datagram[4] = uint8_t(other >> 8);
  datagram[5] = uint8_t(other);
  EXPECT_FALSE(nodes.b.receive(datagram));
  EXPECT_EQ(nodes.b.find(other)->counters().rejected, 1u);
}

TEST(CascadeEndpointTest, IdsAreNonZeroAndUnique) {
  CascadeEndpoint endpoint;
  auto keys = CascadeKeys::generate(SrtpProfile::AeadAes128Gcm);
  std::set<uint32_t> ids;
  for (int i = 0; i < 200; ++i) {
    uint32_t id = endpoint.unused_link_id();
    EXPECT_NE(id, 0u);
    ASSERT_TRUE(endpoint.add_link(id, 1, keys, keys));
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_FALSE(endpoint.add_link(0, 1, keys, keys));
  EXPECT_FALSE(endpoint.add_link(*ids.begin(), 1, keys, keys));  // taken
  EXPECT_EQ(endpoint.link_count(), 200u);
}

}  // namespace
}  // namespace ct::cascade
