// H264Payload (RFC 6184, packetization mode 1): the three payload
// structures, what is refused (truncated, garbage, other modes), and every
// H.264 packet Chromium sent in the captured call, checked against the
// fixture's own description.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "RtpFixtures.hpp"
#include "rtp/H264Payload.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

std::vector<Bytes> nal_units(const H264Payload& payload) {
  std::vector<Bytes> out;
  payload.for_each_nal([&](std::span<const uint8_t> nal) { out.emplace_back(nal.begin(), nal.end()); });
  return out;
}

TEST(H264Payload, ASingleNalUnitPacketIsItsNalUnit) {
  const Bytes payload = {0x65, 0x88, 0x84, 0x00};  // NRI 3, type 5: an IDR slice
  const auto h264 = H264Payload::parse(payload);
  ASSERT_TRUE(h264);
  EXPECT_EQ(h264->kind, H264Payload::Kind::SingleNal);
  EXPECT_EQ(nal_units(*h264), std::vector<Bytes>{payload});
  EXPECT_TRUE(h264->starts_nal_of_type(h264_nal::kIdrSlice));
  EXPECT_FALSE(h264->starts_nal_of_type(h264_nal::kSps));
}

TEST(H264Payload, AnStapAHoldsItsNalUnitsEachBehindItsSize) {
  const Bytes payload = {0x78, 0x00, 0x03, 0x67, 0x42, 0xe0, 0x00, 0x02, 0x68, 0xce};
  const auto h264 = H264Payload::parse(payload);
  ASSERT_TRUE(h264);
  EXPECT_EQ(h264->kind, H264Payload::Kind::StapA);
  EXPECT_EQ(nal_units(*h264), (std::vector<Bytes>{{0x67, 0x42, 0xe0}, {0x68, 0xce}}));
  EXPECT_TRUE(h264->starts_nal_of_type(h264_nal::kSps));
  EXPECT_TRUE(h264->starts_nal_of_type(h264_nal::kPps));
}

TEST(H264Payload, AnFuAGivesTheFragmentAndRebuildsTheNalHeader) {
  // Indicator: NRI 3, type 28; header: S, type 5.
  const Bytes first = {0x7c, 0x85, 0xaa, 0xbb};
  auto h264 = H264Payload::parse(first);
  ASSERT_TRUE(h264);
  EXPECT_EQ(h264->kind, H264Payload::Kind::FuA);
  EXPECT_TRUE(h264->fragment_start);
  EXPECT_FALSE(h264->fragment_end);
  EXPECT_EQ(h264->fragmented_nal_header, 0x65);
  EXPECT_EQ(Bytes(h264->fragment.begin(), h264->fragment.end()), (Bytes{0xaa, 0xbb}));
  EXPECT_TRUE(h264->starts_nal_of_type(h264_nal::kIdrSlice));
  EXPECT_TRUE(nal_units(*h264).empty());

  const Bytes last = {0x7c, 0x45, 0xcc};
  h264 = H264Payload::parse(last);
  ASSERT_TRUE(h264);
  EXPECT_FALSE(h264->fragment_start);
  EXPECT_TRUE(h264->fragment_end);
  EXPECT_FALSE(h264->starts_nal_of_type(h264_nal::kIdrSlice));
}

TEST(H264Payload, TruncatedOrMalformedPayloadsAreRefused) {
  const std::vector<Bytes> refused = {
      {},                                    // empty
      {0xe5, 0x00},                          // F set (§5.3)
      {0x00, 0x01},                          // type 0: undefined
      {0x19, 0x00, 0x01, 0x00, 0x01, 0x65},  // STAP-B (interleaved mode)
      {0x1a, 0x00},                          // MTAP16
      {0x1d, 0x85, 0x00},                    // FU-B
      {0x1e},
      {0x1f},                                // undefined
      {0x78},                                // STAP-A without a NAL unit
      {0x78, 0x00},                          // STAP-A size cut short
      {0x78, 0x00, 0x04, 0x67, 0x42},        // a NAL unit longer than what is left
      {0x78, 0x00, 0x00, 0x00, 0x01, 0x67},  // an empty NAL unit
      {0x78, 0x00, 0x01, 0x67, 0x00},        // a size's second byte missing at the end
      {0x78, 0x00, 0x01, 0xe7},              // an aggregated NAL unit with F set
      {0x7c},                                // FU-A without its header
      {0x7c, 0x85},                          // FU-A without data
      {0x7c, 0xc5, 0x00},                    // FU-A with S and E (§5.8)
      {0x7c, 0x98, 0x00},                    // FU-A of an STAP-A
      {0x7c, 0x80, 0x00},                    // FU-A of type 0
  };
  for (const Bytes& payload : refused) {
    SCOPED_TRACE(::testing::PrintToString(payload));
    EXPECT_FALSE(H264Payload::parse(payload));
  }
}

TEST(H264Payload, GarbageNeverReadsOutsideThePayload) {
  std::mt19937 random(14);
  for (int i = 0; i < 20000; ++i) {
    Bytes payload(random() % 40);
    for (auto& b : payload) b = uint8_t(random());
    const auto h264 = H264Payload::parse(payload);
    if (!h264) continue;
    size_t total = 0;
    h264->for_each_nal([&](std::span<const uint8_t> nal) {
      ASSERT_FALSE(nal.empty());
      ASSERT_GE(nal.data(), payload.data());
      ASSERT_LE(nal.data() + nal.size(), payload.data() + payload.size());
      total += nal.size();
    });
    EXPECT_LE(total, payload.size());
  }
}

// Chromium's H.264 (OpenH264, pt 99) from the captured call: each packet
// parses as the fixture's decoder describes it.
TEST(H264Payload, ChromiumsPacketsParseAsDescribed) {
  size_t seen = 0, stap_a = 0, fu_a = 0, single = 0;
  for (const test::FixtureLine& line : test::load_fixture("chromium-rtp.hex")) {
    if (line.description.find(" H264 ") == std::string::npos) continue;
    SCOPED_TRACE(line.description);
    auto bytes = line.bytes;
    const auto packet = RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    const auto h264 = H264Payload::parse(packet->payload());
    ASSERT_TRUE(h264);
    ++seen;
    if (line.description.find("STAP-A[SPS(") != std::string::npos) {
      ++stap_a;
      ASSERT_EQ(h264->kind, H264Payload::Kind::StapA);
      const auto units = nal_units(*h264);
      ASSERT_EQ(units.size(), 2u);
      EXPECT_EQ(units[0][0] & 0x1F, h264_nal::kSps);
      EXPECT_EQ(units[1][0] & 0x1F, h264_nal::kPps);
      EXPECT_EQ(units[0].size(),
                test::number_list(line.description.substr(line.description.find("SPS("))).front());
    } else if (line.description.find("FU-A") != std::string::npos) {
      ++fu_a;
      ASSERT_EQ(h264->kind, H264Payload::Kind::FuA);
      EXPECT_EQ(h264->fragment_start, test::field(line.description, "S=") == "1");
      EXPECT_EQ(h264->fragment_end, test::field(line.description, "E=") == "1");
      const bool idr = test::field(line.description, "nal=") == "IDR";
      EXPECT_EQ(H264Payload::nal_type(h264->fragmented_nal_header),
                idr ? h264_nal::kIdrSlice : h264_nal::kSlice);
    } else {
      ++single;
      ASSERT_NE(line.description.find("single-NAL"), std::string::npos);
      EXPECT_EQ(h264->kind, H264Payload::Kind::SingleNal);
    }
  }
  EXPECT_GT(seen, 20u);
  EXPECT_EQ(stap_a, 2u);
  EXPECT_GT(fu_a, 5u);
  EXPECT_GT(single, 3u);
}

// Where a decoder can start: the SFU switches simulcast layers only there.
TEST(H264Payload, KeyframesStartAtAnSpsOrTheFirstFragmentOfAnIdr) {
  EXPECT_TRUE(H264Payload::parse(Bytes{0x65, 0x88, 0x84})->starts_keyframe());        // IDR slice
  EXPECT_TRUE(H264Payload::parse(Bytes{0x67, 0x42, 0xc0, 0x1f})->starts_keyframe());  // SPS
  EXPECT_FALSE(H264Payload::parse(Bytes{0x41, 0x9a, 0x00})->starts_keyframe());       // non-IDR slice
  EXPECT_TRUE(
      H264Payload::parse(Bytes{0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce})->starts_keyframe());
  EXPECT_TRUE(H264Payload::parse(Bytes{0x7c, 0x85, 0x00})->starts_keyframe());   // FU-A S=1, IDR
  EXPECT_FALSE(H264Payload::parse(Bytes{0x7c, 0x05, 0x00})->starts_keyframe());  // a middle fragment
  EXPECT_FALSE(H264Payload::parse(Bytes{0x7c, 0x45, 0x00})->starts_keyframe());  // the last one
  EXPECT_FALSE(H264Payload::parse(Bytes{0x7c, 0x81, 0x00})->starts_keyframe());  // first of a non-IDR slice
}

TEST(H264Payload, ChromiumKeyframesStartWithSpsThenIdr) {
  size_t starts = 0, lines = 0;
  for (test::FixtureLine& line : test::load_fixture("chromium-rtp.hex")) {
    const auto& d = line.description;
    if (d.find("H264 pt=") == std::string::npos) continue;
    const auto rtp = RtpPacket::parse(line.bytes);
    ASSERT_TRUE(rtp);
    const auto h = H264Payload::parse(rtp->payload());
    ASSERT_TRUE(h) << line.line_number;
    ++lines;
    const bool expected =
        d.find("STAP-A[SPS") != std::string::npos || d.find("S=1 E=0 nal=IDR") != std::string::npos;
    EXPECT_EQ(h->starts_keyframe(), expected) << line.line_number << " " << d;
    if (h->starts_keyframe()) ++starts;
  }
  EXPECT_GT(lines, 0u);
  EXPECT_EQ(starts, 4u);  // two keyframes, each an SPS/PPS STAP-A and the IDR's first fragment
}

}  // namespace
}  // namespace ct::rtp
