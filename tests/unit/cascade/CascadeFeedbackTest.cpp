// Keyframe requests and NACKs that a remote node's subscribers send back to the origin.
#include <gtest/gtest.h>

#include <array>
#include <utility>
#include <vector>

#include "cascade/CascadeFeedback.hpp"
#include "rtp/RtcpFir.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"

namespace ct::cascade {
namespace {

struct Recorder : CascadeFeedbackHandler {
  std::vector<uint32_t> keyframes;
  std::vector<std::pair<uint32_t, uint16_t>> nacks;
  void on_keyframe_request(uint32_t ssrc) override { keyframes.push_back(ssrc); }
  void on_nack(uint32_t ssrc, uint16_t seq) override { nacks.emplace_back(ssrc, seq); }
};

std::vector<uint8_t> compound_of_pli_nack_fir() {
  std::vector<uint8_t> out(256);
  size_t n = rtp::RtcpPli::build(out, 1, 0xaaaa);
  const std::array<uint16_t, 3> lost{10, 11, 13};
  n += rtp::RtcpNack::build(std::span<uint8_t>(out).subspan(n), 1, 0xbbbb, lost);
  const std::array<rtp::RtcpFirEntry, 1> fir{rtp::RtcpFirEntry{0xcccc, 4}};
  n += rtp::RtcpFir::build(std::span<uint8_t>(out).subspan(n), 1, fir);
  out.resize(n);
  return out;
}

TEST(CascadeFeedbackTest, ReadsKeyframeRequestsAndLostPackets) {
  Recorder r;
  EXPECT_TRUE(read_cascade_feedback(compound_of_pli_nack_fir(), r));
  EXPECT_EQ(r.keyframes, (std::vector<uint32_t>{0xaaaa, 0xcccc}));
  EXPECT_EQ(r.nacks, (std::vector<std::pair<uint32_t, uint16_t>>{{0xbbbb, 10}, {0xbbbb, 11}, {0xbbbb, 13}}));
}

TEST(CascadeFeedbackTest, IgnoresOtherRtcp) {
  // A receiver report with no blocks (RFC 3550 §6.4.2).
  std::vector<uint8_t> rr{0x80, 201, 0, 1, 0, 0, 0, 1};
  Recorder r;
  EXPECT_TRUE(read_cascade_feedback(rr, r));
  EXPECT_TRUE(r.keyframes.empty());
  EXPECT_TRUE(r.nacks.empty());
}

TEST(CascadeFeedbackTest, TruncatedCompoundsKeepWhatCameBefore) {
  auto full = compound_of_pli_nack_fir();
  for (size_t n = 1; n < full.size(); ++n) {
    Recorder r;
    bool whole = read_cascade_feedback(std::span<const uint8_t>(full.data(), n), r);
    // Only a cut between packets is a well-formed (shorter) compound.
    if (whole) {
      EXPECT_TRUE(n == rtp::RtcpPli::kSize || n == rtp::RtcpPli::kSize + rtp::RtcpNack::size(1)) << n;
    }
    if (n >= rtp::RtcpPli::kSize) {
      ASSERT_FALSE(r.keyframes.empty()) << n;
      EXPECT_EQ(r.keyframes.front(), 0xaaaau) << n;
    }
    EXPECT_LE(r.nacks.size(), 3u);
  }
}

TEST(CascadeFeedbackTest, GarbageIsRefused) {
  std::vector<uint8_t> garbage{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 1, 2, 3, 4};
  Recorder r;
  EXPECT_FALSE(read_cascade_feedback(garbage, r));
  EXPECT_TRUE(r.keyframes.empty());
  EXPECT_TRUE(r.nacks.empty());
}

}  // namespace
}  // namespace ct::cascade
