// Interoperability with libsrtp2 in both directions, for both profiles, RTP and
// RTCP: our protect must unprotect with libsrtp2 and the other way round.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "SrtpTestSupport.hpp"
#include "core/Encoding.hpp"
#include "srtp/SrtpSession.hpp"

namespace ct::srtp {
namespace {

using test::apply;
using test::hex;
using test::LibSrtp;
using test::make_rtcp;
using test::make_rtp;
using test::Op;
using Direction = SrtpSession::Direction;

struct Keys {
  std::vector<uint8_t> key;
  std::vector<uint8_t> salt;
};

Keys keys_for(SrtpProfile profile) {
  Keys keys{hex("e1f97a0d3e018be0d64fa32c06de4139"), hex("0ec675ad498afeebb6960b3aabe6")};
  keys.salt.resize(master_salt_length(profile));
  return keys;
}

class SrtpInterop : public ::testing::TestWithParam<SrtpProfile> {
 protected:
  SrtpProfile profile() const { return GetParam(); }
  SrtpSession ours(Direction direction) const {
    const auto keys = keys_for(profile());
    return SrtpSession(profile(), keys.key, keys.salt, direction);
  }
  LibSrtp theirs(LibSrtp::Direction direction) const {
    const auto keys = keys_for(profile());
    return LibSrtp(profile(), keys.key, keys.salt, direction);
  }
};

// Packet shapes: plain, CSRCs, header extension, both, empty payload.
struct Shape {
  uint8_t csrcs;
  uint16_t extension_words;
  size_t payload;
};
const Shape kShapes[] = {{0, 0, 160}, {3, 0, 100}, {0, 2, 1088}, {2, 3, 17}, {0, 1, 0}, {15, 0, 1}};

TEST_P(SrtpInterop, OurRtpProtectLibsrtpUnprotect) {
  auto sender = ours(Direction::Outbound);
  LibSrtp receiver = theirs(LibSrtp::Direction::Inbound);
  uint16_t seq = 100;
  for (const Shape& shape : kShapes) {
    const auto plain = make_rtp(seq++, 0x12345678, shape.payload, shape.csrcs, shape.extension_words);
    auto packet = plain;
    const SrtpResult result = apply(sender, Op::ProtectRtp, packet);
    ASSERT_TRUE(result) << to_string(result.error);
    EXPECT_EQ(packet.size(), plain.size() + rtp_overhead(profile()));
    ASSERT_EQ(receiver.unprotect_rtp(packet), srtp_err_status_ok);
    EXPECT_EQ(packet, plain);
  }
}

TEST_P(SrtpInterop, LibsrtpRtpProtectOurUnprotect) {
  LibSrtp sender = theirs(LibSrtp::Direction::Outbound);
  auto receiver = ours(Direction::Inbound);
  uint16_t seq = 7;
  for (const Shape& shape : kShapes) {
    const auto plain = make_rtp(seq++, 0xcafe0001, shape.payload, shape.csrcs, shape.extension_words);
    auto packet = plain;
    ASSERT_EQ(sender.protect_rtp(packet), srtp_err_status_ok);
    const SrtpResult result = apply(receiver, Op::UnprotectRtp, packet);
    ASSERT_TRUE(result) << to_string(result.error);
    EXPECT_EQ(packet, plain);
  }
}

TEST_P(SrtpInterop, RtcpBothWays) {
  auto our_sender = ours(Direction::Outbound);
  auto our_receiver = ours(Direction::Inbound);
  LibSrtp their_sender = theirs(LibSrtp::Direction::Outbound);
  LibSrtp their_receiver = theirs(LibSrtp::Direction::Inbound);
  for (uint32_t i = 0; i < 50; ++i) {
    const auto plain = make_rtcp(0x0badf00d + (i % 3), i);
    auto packet = plain;
    ASSERT_TRUE(apply(our_sender, Op::ProtectRtcp, packet));
    EXPECT_EQ(packet.size(), plain.size() + rtcp_overhead(profile()));
    ASSERT_EQ(their_receiver.unprotect_rtcp(packet), srtp_err_status_ok) << i;
    EXPECT_EQ(packet, plain);

    packet = plain;
    ASSERT_EQ(their_sender.protect_rtcp(packet), srtp_err_status_ok);
    const SrtpResult result = apply(our_receiver, Op::UnprotectRtcp, packet);
    ASSERT_TRUE(result) << to_string(result.error) << " at " << i;
    EXPECT_EQ(packet, plain);
  }
}

// 1500 packets starting near the top of the sequence space: the ROC goes to 1
// and both implementations must agree on it, in both directions.
TEST_P(SrtpInterop, SequenceWrapCarriesRolloverCounter) {
  auto our_sender = ours(Direction::Outbound);
  auto our_receiver = ours(Direction::Inbound);
  LibSrtp their_sender = theirs(LibSrtp::Direction::Outbound);
  LibSrtp their_receiver = theirs(LibSrtp::Direction::Inbound);
  const uint32_t ssrc = 0x00c0ffee;
  uint16_t seq = 65000;
  for (int i = 0; i < 1500; ++i, ++seq) {
    const auto plain = make_rtp(seq, ssrc, 200, uint8_t(i % 3), uint16_t(i % 2));
    auto packet = plain;
    ASSERT_TRUE(apply(our_sender, Op::ProtectRtp, packet));
    ASSERT_EQ(their_receiver.unprotect_rtp(packet), srtp_err_status_ok) << "packet " << i;
    ASSERT_EQ(packet, plain);

    packet = plain;
    ASSERT_EQ(their_sender.protect_rtp(packet), srtp_err_status_ok);
    ASSERT_TRUE(apply(our_receiver, Op::UnprotectRtp, packet)) << "packet " << i;
    ASSERT_EQ(packet, plain);
  }
  EXPECT_EQ(our_sender.rollover_counter(ssrc), 1u);
  EXPECT_EQ(our_receiver.rollover_counter(ssrc), 1u);
}

// Real Chromium packets (tests/fixtures/rtp) with their extensions, CSRC-free
// headers, padding and two-byte extension headers, through both implementations.
TEST_P(SrtpInterop, ChromiumFixturePackets) {
  std::ifstream file(std::string(CT_FIXTURES_DIR) + "/rtp/chromium-rtp.hex");
  ASSERT_TRUE(file.good());
  // The file is a sample in arrival order: each SSRC's sequence numbers rise.
  auto sender = ours(Direction::Outbound);
  auto receiver = ours(Direction::Inbound);
  LibSrtp their_receiver = theirs(LibSrtp::Direction::Inbound);
  LibSrtp their_sender = theirs(LibSrtp::Direction::Outbound);
  std::string line;
  size_t count = 0;
  while (std::getline(file, line)) {
    const auto plain = hex(line.substr(0, line.find(' ')));
    auto packet = plain;
    ASSERT_TRUE(apply(sender, Op::ProtectRtp, packet)) << line;
    ASSERT_EQ(their_receiver.unprotect_rtp(packet), srtp_err_status_ok) << line;
    ASSERT_EQ(packet, plain);
    ASSERT_EQ(their_sender.protect_rtp(packet), srtp_err_status_ok) << line;
    ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, packet)) << line;
    ASSERT_EQ(packet, plain);
    ++count;
  }
  EXPECT_GT(count, 100u);
}

TEST_P(SrtpInterop, ChromiumFixtureRtcp) {
  std::ifstream file(std::string(CT_FIXTURES_DIR) + "/rtp/chromium-rtcp.hex");
  ASSERT_TRUE(file.good());
  auto our_sender = ours(Direction::Outbound);
  auto our_receiver = ours(Direction::Inbound);
  LibSrtp their_sender = theirs(LibSrtp::Direction::Outbound);
  LibSrtp their_receiver = theirs(LibSrtp::Direction::Inbound);
  std::string line;
  size_t count = 0;
  while (std::getline(file, line)) {
    const auto plain = hex(line.substr(0, line.find(' ')));
    auto packet = plain;
    ASSERT_TRUE(apply(our_sender, Op::ProtectRtcp, packet)) << line;
    ASSERT_EQ(their_receiver.unprotect_rtcp(packet), srtp_err_status_ok) << line;
    ASSERT_EQ(packet, plain);
    ASSERT_EQ(their_sender.protect_rtcp(packet), srtp_err_status_ok) << line;
    ASSERT_TRUE(apply(our_receiver, Op::UnprotectRtcp, packet)) << line;
    ASSERT_EQ(packet, plain);
    ++count;
  }
  EXPECT_GT(count, 50u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpInterop,
                         ::testing::Values(SrtpProfile::Aes128CmHmacSha1_80, SrtpProfile::AeadAes128Gcm),
                         [](const auto& info) {
                           return info.param == SrtpProfile::AeadAes128Gcm ? std::string("Gcm")
                                                                           : std::string("CmHmacSha1");
                         });

}  // namespace
}  // namespace ct::srtp
