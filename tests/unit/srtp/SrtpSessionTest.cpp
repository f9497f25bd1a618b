// Behaviour of SrtpSession on its own: replay protection, tampering, malformed
// and truncated input, per-SSRC state and rollover handling.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "SrtpTestSupport.hpp"
#include "srtp/ReplayWindow.hpp"
#include "srtp/SrtpSession.hpp"

namespace ct::srtp {
namespace {

using test::apply;
using test::hex;
using test::make_rtcp;
using test::make_rtp;
using test::Op;
using Direction = SrtpSession::Direction;

class SrtpSessionTest : public ::testing::TestWithParam<SrtpProfile> {
 protected:
  SrtpProfile profile() const { return GetParam(); }
  SrtpSession make(Direction direction) const {
    auto salt = hex("0ec675ad498afeebb6960b3aabe6");
    salt.resize(master_salt_length(profile()));
    return SrtpSession(profile(), hex("e1f97a0d3e018be0d64fa32c06de4139"), salt, direction);
  }
  std::vector<uint8_t> protected_rtp(SrtpSession& sender, uint16_t seq, uint32_t ssrc = 0x1234) const {
    auto packet = make_rtp(seq, ssrc, 120, 1, 1);
    EXPECT_TRUE(apply(sender, Op::ProtectRtp, packet));
    return packet;
  }
  std::vector<uint8_t> protected_rtcp(SrtpSession& sender, uint32_t ssrc = 0x1234) const {
    auto packet = make_rtcp(ssrc, 1);
    EXPECT_TRUE(apply(sender, Op::ProtectRtcp, packet));
    return packet;
  }
};

TEST_P(SrtpSessionTest, RoundTripKeepsHeaderInClear) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  const auto plain = make_rtp(1, 0x1234, 300, 2, 2);
  auto packet = plain;
  ASSERT_TRUE(apply(sender, Op::ProtectRtp, packet));
  const size_t header = 12 + 8 + 12;
  EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + header, packet.begin()));
  EXPECT_FALSE(std::equal(plain.begin() + header, plain.end(), packet.begin() + header));
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, packet));
  EXPECT_EQ(packet, plain);
}

TEST_P(SrtpSessionTest, ReplayedRtpRejected) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  const auto packet = protected_rtp(sender, 10);
  auto copy = packet;
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, copy));
  copy = packet;
  EXPECT_EQ(apply(receiver, Op::UnprotectRtp, copy).error, SrtpError::Replayed);
}

TEST_P(SrtpSessionTest, OutOfOrderWithinWindowAcceptedOnce) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  std::vector<std::vector<uint8_t>> packets;
  for (uint16_t seq = 0; seq < 200; ++seq) packets.push_back(protected_rtp(sender, uint16_t(seq + 65500)));
  // Packet 0 (seq 65500) starts the stream with ROC 0. Then 150..199 (after
  // the wrap), then 100..149 late but within 128 of the highest, then 1..49
  // (too old).
  auto first = packets[0];
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, first));
  for (size_t i = 150; i < 200; ++i) {
    auto p = packets[i];
    ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, p)) << i;
  }
  for (size_t i = 149; i >= 100; --i) {
    auto p = packets[i];
    ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, p)) << i;
    p = packets[i];
    EXPECT_EQ(apply(receiver, Op::UnprotectRtp, p).error, SrtpError::Replayed) << i;
  }
  for (size_t i = 0; i < 50; ++i) {
    auto p = packets[i];
    EXPECT_EQ(apply(receiver, Op::UnprotectRtp, p).error, SrtpError::Replayed) << i;
  }
  // 65500 + 199 wrapped past 65535.
  EXPECT_EQ(receiver.rollover_counter(0x1234), 1u);
}

TEST_P(SrtpSessionTest, TamperedPacketRejectedAndStateUnchanged) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  const auto packet = protected_rtp(sender, 42);
  // Flip one bit in each position in turn: header, payload and tag.
  for (size_t i = 0; i < packet.size(); ++i) {
    auto tampered = packet;
    tampered[i] ^= 0x01;
    const SrtpResult result = apply(receiver, Op::UnprotectRtp, tampered);
    EXPECT_FALSE(result) << "byte " << i;
  }
  EXPECT_EQ(receiver.stream_count(), 0u);  // nothing forged entered the table
  auto good = packet;
  EXPECT_TRUE(apply(receiver, Op::UnprotectRtp, good));
}

TEST_P(SrtpSessionTest, TamperedRtcpRejected) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  const auto packet = protected_rtcp(sender);
  for (size_t i = 0; i < packet.size(); ++i) {
    auto tampered = packet;
    tampered[i] ^= 0x80;
    EXPECT_FALSE(apply(receiver, Op::UnprotectRtcp, tampered)) << "byte " << i;
  }
  auto good = packet;
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtcp, good));
  good = packet;
  EXPECT_EQ(apply(receiver, Op::UnprotectRtcp, good).error, SrtpError::Replayed);
}

TEST_P(SrtpSessionTest, SrtcpIndexCountsFromZeroWithEncryptedFlag) {
  auto sender = make(Direction::Outbound);
  for (uint32_t expected = 0; expected < 3; ++expected) {
    const auto packet = protected_rtcp(sender);
    const size_t at = profile() == SrtpProfile::AeadAes128Gcm ? packet.size() - 4 : packet.size() - 14;
    EXPECT_EQ(load_u32(&packet[at]), 0x80000000u | expected);
  }
}

TEST_P(SrtpSessionTest, UnknownSsrcCreatesStateAfterAuthentication) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  EXPECT_EQ(receiver.stream_count(), 0u);
  for (uint32_t ssrc : {5u, 1u, 9u, 5u}) {
    auto p = protected_rtp(sender, uint16_t(ssrc * 10 + receiver.stream_count()), ssrc);
    ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, p));
  }
  EXPECT_EQ(receiver.stream_count(), 3u);
  EXPECT_EQ(sender.stream_count(), 3u);
  auto rtcp = protected_rtcp(sender, 77);
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtcp, rtcp));
  EXPECT_EQ(receiver.stream_count(), 4u);
  EXPECT_TRUE(receiver.remove_stream(9));
  EXPECT_FALSE(receiver.remove_stream(9));
  EXPECT_EQ(receiver.stream_count(), 3u);
}

TEST_P(SrtpSessionTest, TruncatedInputRejected) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  const auto rtp = protected_rtp(sender, 3);
  const auto rtcp = protected_rtcp(sender);
  for (size_t length = 0; length < rtp.size(); ++length) {
    std::vector<uint8_t> cut(rtp.begin(), rtp.begin() + length);
    EXPECT_FALSE(apply(receiver, Op::UnprotectRtp, cut)) << length;
  }
  for (size_t length = 0; length < rtcp.size(); ++length) {
    std::vector<uint8_t> cut(rtcp.begin(), rtcp.begin() + length);
    EXPECT_FALSE(apply(receiver, Op::UnprotectRtcp, cut)) << length;
  }
  std::vector<uint8_t> empty;
  EXPECT_EQ(apply(receiver, Op::UnprotectRtp, empty).error, SrtpError::TooShort);
  EXPECT_EQ(apply(sender, Op::ProtectRtp, empty).error, SrtpError::TooShort);
  EXPECT_EQ(apply(sender, Op::ProtectRtcp, empty).error, SrtpError::TooShort);
}

TEST_P(SrtpSessionTest, MalformedHeadersRejected) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  auto bad_version = make_rtp(1, 1, 20);
  bad_version[0] = 0x40;
  EXPECT_EQ(apply(sender, Op::ProtectRtp, bad_version).error, SrtpError::Malformed);
  auto too_many_csrcs = make_rtp(1, 1, 20);
  too_many_csrcs[0] |= 0x0f;  // 15 CSRCs claimed, 20 bytes present
  EXPECT_EQ(apply(sender, Op::ProtectRtp, too_many_csrcs).error, SrtpError::Malformed);
  auto long_extension = make_rtp(1, 1, 20, 0, 1);
  long_extension[15] = 200;  // extension length beyond the packet
  EXPECT_EQ(apply(sender, Op::ProtectRtp, long_extension).error, SrtpError::Malformed);
  auto cut_extension = make_rtp(1, 1, 0, 0, 1);
  cut_extension.resize(14);  // X set, extension header cut
  EXPECT_EQ(apply(sender, Op::ProtectRtp, cut_extension).error, SrtpError::Malformed);
  auto protected_bad = protected_rtp(sender, 1);
  protected_bad[0] = 0x00;
  EXPECT_EQ(apply(receiver, Op::UnprotectRtp, protected_bad).error, SrtpError::Malformed);
  auto rtcp = make_rtcp(1, 1);
  rtcp[0] = 0x00;
  EXPECT_EQ(apply(sender, Op::ProtectRtcp, rtcp).error, SrtpError::Malformed);
}

TEST_P(SrtpSessionTest, GarbageNeverCrashesOrAuthenticates) {
  auto receiver = make(Direction::Inbound);
  std::mt19937 rng(1234);
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> garbage(rng() % 300);
    for (auto& b : garbage) b = uint8_t(rng());
    if (!garbage.empty() && i % 2) garbage[0] = uint8_t(0x80 | (garbage[0] & 0x3f));  // look like RTP
    auto copy = garbage;
    EXPECT_FALSE(apply(receiver, Op::UnprotectRtp, copy));
    copy = garbage;
    EXPECT_FALSE(apply(receiver, Op::UnprotectRtcp, copy));
  }
  EXPECT_EQ(receiver.stream_count(), 0u);
}

TEST_P(SrtpSessionTest, BufferWithoutRoomRejected) {
  auto sender = make(Direction::Outbound);
  auto rtp = make_rtp(1, 1, 50);
  const size_t length = rtp.size();
  rtp.resize(length + rtp_overhead(profile()) - 1);
  EXPECT_EQ(sender.protect_rtp(rtp, length).error, SrtpError::BufferTooSmall);
  rtp.resize(length + rtp_overhead(profile()));
  EXPECT_TRUE(sender.protect_rtp(rtp, length));
  EXPECT_EQ(sender.protect_rtp(rtp, rtp.size() + 1).error, SrtpError::BufferTooSmall);

  auto rtcp = make_rtcp(1, 1);
  const size_t rtcp_length = rtcp.size();
  rtcp.resize(rtcp_length + rtcp_overhead(profile()) - 1);
  EXPECT_EQ(sender.protect_rtcp(rtcp, rtcp_length).error, SrtpError::BufferTooSmall);
}

TEST_P(SrtpSessionTest, WrongDirectionRejected) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  auto packet = make_rtp(1, 1, 10);
  EXPECT_EQ(apply(receiver, Op::ProtectRtp, packet).error, SrtpError::WrongDirection);
  EXPECT_EQ(apply(sender, Op::UnprotectRtp, packet).error, SrtpError::WrongDirection);
  EXPECT_EQ(apply(receiver, Op::ProtectRtcp, packet).error, SrtpError::WrongDirection);
  EXPECT_EQ(apply(sender, Op::UnprotectRtcp, packet).error, SrtpError::WrongDirection);
}

TEST_P(SrtpSessionTest, DifferentKeysDoNotAuthenticate) {
  auto sender = make(Direction::Outbound);
  auto other_salt = hex("ffc675ad498afeebb6960b3aabe6");
  other_salt.resize(master_salt_length(profile()));
  SrtpSession receiver(profile(), hex("e1f97a0d3e018be0d64fa32c06de4139"), other_salt, Direction::Inbound);
  auto packet = protected_rtp(sender, 1);
  EXPECT_EQ(apply(receiver, Op::UnprotectRtp, packet).error, SrtpError::AuthFailed);
  auto rtcp = protected_rtcp(sender);
  EXPECT_EQ(apply(receiver, Op::UnprotectRtcp, rtcp).error, SrtpError::AuthFailed);
}

// The sender's ROC survives a retransmission of a packet from before the wrap.
TEST_P(SrtpSessionTest, RetransmissionAcrossWrapKeepsItsRolloverCounter) {
  auto sender = make(Direction::Outbound);
  auto receiver = make(Direction::Inbound);
  auto before_wrap = protected_rtp(sender, 65535);
  auto after_wrap = protected_rtp(sender, 2);
  EXPECT_EQ(sender.rollover_counter(0x1234), 1u);
  auto resent = protected_rtp(sender, 65535);  // ROC 0 again
  EXPECT_EQ(resent, before_wrap);
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, before_wrap));
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, after_wrap));
  EXPECT_EQ(apply(receiver, Op::UnprotectRtp, resent).error, SrtpError::Replayed);
  EXPECT_EQ(receiver.rollover_counter(0x1234), 1u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpSessionTest,
                         ::testing::Values(SrtpProfile::Aes128CmHmacSha1_80, SrtpProfile::AeadAes128Gcm),
                         [](const auto& info) {
                           return info.param == SrtpProfile::AeadAes128Gcm ? std::string("Gcm")
                                                                           : std::string("CmHmacSha1");
                         });

TEST(ReplayWindow, SlidesAndRemembers) {
  ReplayWindow window;
  EXPECT_TRUE(window.empty());
  EXPECT_TRUE(window.is_fresh(1000));
  window.accept(1000);
  EXPECT_FALSE(window.is_fresh(1000));
  EXPECT_TRUE(window.is_fresh(999));
  EXPECT_TRUE(window.is_fresh(1000 - 127));
  EXPECT_FALSE(window.is_fresh(1000 - 128));
  window.accept(1000 - 127);
  EXPECT_FALSE(window.is_fresh(1000 - 127));
  window.accept(1070);  // shift by 70: crosses the 64-bit word boundary
  EXPECT_FALSE(window.is_fresh(1000));
  EXPECT_FALSE(window.is_fresh(1070));
  EXPECT_TRUE(window.is_fresh(1001));
  EXPECT_FALSE(window.is_fresh(1000 - 127));  // now out of the window
  window.accept(5000);  // jump beyond the window clears it
  EXPECT_EQ(window.highest(), 5000u);
  EXPECT_TRUE(window.is_fresh(4999));
  EXPECT_FALSE(window.is_fresh(1070));
  window.accept(10);  // far behind: ignored, no out-of-range write
  EXPECT_EQ(window.highest(), 5000u);
}

}  // namespace
}  // namespace ct::srtp
