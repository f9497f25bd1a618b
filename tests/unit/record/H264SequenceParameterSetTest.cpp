// H264SequenceParameterSet: the picture size from SPSs that libx264 wrote
// (baseline and high profile, sizes that need cropping, interlaced-capable
// fields), Chromium's own SPS from the captured call, and every truncation
// and random garbage refused without reading past the end.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "../rtp/RtpFixtures.hpp"
#include "H264TestSupport.hpp"
#include "record/H264SequenceParameterSet.hpp"
#include "rtp/H264Payload.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::record {
namespace {

test::NalUnit sps_from_x264(const test::TempDir& dir, const std::string& size, const std::string& profile) {
  const std::string path = dir.file("sps.h264");
  const auto result = test::run("ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=" + size +
                                    ":rate=30 -frames:v 1 -c:v libx264 -profile:v " + profile +
                                    " -pix_fmt yuv420p -f h264 " + path,
                                dir.file("sps.err"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  for (auto& nal : test::split_annex_b(test::read_file(path)))
    if (test::nal_type(nal) == 7) return nal;
  ADD_FAILURE() << "no SPS";
  return {};
}

TEST(H264SequenceParameterSet, ReadsThePictureSizeX264Wrote) {
  test::TempDir dir;
  struct Case {
    std::string size, profile;
    uint32_t width, height;
    uint8_t profile_idc;
  };
  for (const Case& c : {Case{"320x240", "baseline", 320, 240, 66}, Case{"640x360", "baseline", 640, 360, 66},
                        Case{"1920x1080", "high", 1920, 1080, 100}, Case{"176x144", "main", 176, 144, 77},
                        Case{"322x242", "high", 322, 242, 100}}) {
    SCOPED_TRACE(c.size + " " + c.profile);
    const auto nal = sps_from_x264(dir, c.size, c.profile);
    const auto sps = H264SequenceParameterSet::parse(nal);
    ASSERT_TRUE(sps);
    EXPECT_EQ(sps->width, c.width);
    EXPECT_EQ(sps->height, c.height);
    EXPECT_EQ(sps->profile_idc, c.profile_idc);
    EXPECT_EQ(sps->chroma_format_idc, 1u);
    // Every shorter piece is refused or, if it still holds the size fields, reads the same.
    for (size_t n = 0; n < nal.size(); ++n) {
      const auto cut = H264SequenceParameterSet::parse(std::span(nal).first(n));
      if (cut) {
        EXPECT_EQ(cut->width, c.width) << n;
      }
    }
  }
}

TEST(H264SequenceParameterSet, ChromiumsSpsIs640x480) {
  for (const rtp::test::FixtureLine& line : rtp::test::load_fixture("chromium-rtp.hex")) {
    if (line.description.find("STAP-A[SPS(") == std::string::npos) continue;
    auto bytes = line.bytes;
    const auto packet = rtp::RtpPacket::parse(bytes);
    ASSERT_TRUE(packet);
    const auto h264 = rtp::H264Payload::parse(packet->payload());
    ASSERT_TRUE(h264);
    std::optional<H264SequenceParameterSet> sps;
    h264->for_each_nal([&](std::span<const uint8_t> nal) {
      if ((nal[0] & 0x1F) == 7) sps = H264SequenceParameterSet::parse(nal);
    });
    ASSERT_TRUE(sps);
    EXPECT_EQ(sps->width, 640u);
    EXPECT_EQ(sps->height, 480u);
    return;
  }
  FAIL() << "no SPS in the fixture";
}

TEST(H264SequenceParameterSet, OtherNalUnitsAndGarbageAreRefused) {
  EXPECT_FALSE(H264SequenceParameterSet::parse({}));
  const std::vector<uint8_t> pps = {0x68, 0xce, 0x38, 0x80};
  EXPECT_FALSE(H264SequenceParameterSet::parse(pps));
  // An SPS whose exp-Golomb code has more than 31 leading zeros.
  const std::vector<uint8_t> long_code = {0x67, 0x42, 0xc0, 0x1e, 0x00, 0x00,
                                          0x03, 0x00, 0x00, 0x03, 0x00, 0x01};
  EXPECT_FALSE(H264SequenceParameterSet::parse(long_code));
  std::mt19937 random(6184);
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> bytes(1 + random() % 40);
    for (auto& b : bytes) b = uint8_t(random());
    bytes[0] = 0x67;
    if (const auto sps = H264SequenceParameterSet::parse(bytes)) {
      EXPECT_GT(sps->width, 0u);
      EXPECT_GT(sps->height, 0u);
    }
  }
}

}  // namespace
}  // namespace ct::record
