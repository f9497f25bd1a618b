// The development payload dump: a VP8 track's packets, as the SFU hands them
// to a tap, become an IVF file under DIR/<room>/ that FFmpeg decodes to the
// original pixels; other tracks get no tap; names cannot leave the directory.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "RecordTestSupport.hpp"
#include "Vp8Packetizer.hpp"
#include "record/IvfReader.hpp"
#include "record/PayloadDump.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketBuilder.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::record {
namespace {

using test::read_file;
using test::run;
using test::TempDir;

sfu::TrackInfo track(std::string kind, std::string codec, std::string sid = "TR_abc") {
  sfu::TrackInfo t;
  t.sid = std::move(sid);
  t.kind = std::move(kind);
  t.codec = std::move(codec);
  return t;
}

std::vector<std::string> frame_md5(const std::string& path, const std::string& err_file) {
  auto result = run("ffmpeg -nostdin -v error -i " + path + " -f framemd5 -", err_file);
  std::vector<std::string> md5;
  std::istringstream lines(result.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    md5.push_back(line.substr(line.rfind(',') + 1));
  }
  return md5;
}

TEST(PayloadDump, PathComponentsStayInsideTheDirectory) {
  EXPECT_EQ(PayloadDump::path_component("alice"), "alice");
  EXPECT_EQ(PayloadDump::path_component("../etc/passwd"), ".._etc_passwd");
  EXPECT_EQ(PayloadDump::path_component(".."), "_..");
  EXPECT_EQ(PayloadDump::path_component("."), "_.");
  EXPECT_EQ(PayloadDump::path_component(""), "_");
  EXPECT_EQ(PayloadDump::path_component("Ana María/2"), "Ana_Mar__a_2");
}

TEST(PayloadDump, OnlyVp8VideoGetsATap) {
  TempDir dir;
  PayloadDump dump(dir.file("dump"));
  EXPECT_EQ(dump.tap_for("r", "p", track("audio", "opus")), nullptr);
  EXPECT_EQ(dump.tap_for("r", "p", track("video", "H264")), nullptr);
  EXPECT_NE(dump.tap_for("r", "p", track("video", "VP8")), nullptr);
}

TEST(PayloadDump, AVp8TrackBecomesAnIvfFileThatDecodesToTheOriginalPixels) {
  CT_REQUIRE_FFMPEG();
  TempDir dir;
  const std::string source = dir.file("source.ivf");
  auto encoded =
      run("ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=320x240:rate=30 -frames:v 20 "
          "-c:v libvpx -f ivf " +
              source,
          dir.file("encode.err"));
  ASSERT_EQ(encoded.exit_code, 0) << encoded.err;
  const auto source_bytes = read_file(source);
  auto reader = IvfReader::open(source_bytes);
  ASSERT_TRUE(reader);

  {
    PayloadDump dump(dir.file("dump"));
    auto tap = dump.tap_for("room/1", "ana", track("video", "VP8", "TR_v"));
    ASSERT_NE(tap, nullptr);
    test::Vp8Packetizer packetizer(100, 600);
    std::vector<uint8_t> buffer(1500);
    while (auto frame = reader->next()) {
      const uint32_t ts = uint32_t(frame->timestamp * 3000);
      for (auto& p : packetizer.packetize(ts, frame->data)) {
        size_t n = rtp::RtpPacketBuilder()
                       .payload_type(96)
                       .sequence_number(p.sequence_number)
                       .timestamp(p.timestamp)
                       .ssrc(1234)
                       .marker(p.marker)
                       .payload(p.payload)
                       .build(buffer);
        ASSERT_GT(n, 0u);
        auto packet = rtp::RtpPacket::parse(std::span(buffer.data(), n));
        ASSERT_TRUE(packet);
        tap->on_packet(*packet);
      }
    }
  }  // the tap ends with the publication

  const std::string out = dir.file("dump/room_1/ana-TR_v.ivf");
  ASSERT_TRUE(std::filesystem::exists(out));
  const auto expected = frame_md5(source, dir.file("a.err"));
  ASSERT_EQ(expected.size(), 20u);
  EXPECT_EQ(frame_md5(out, dir.file("b.err")), expected);
  EXPECT_EQ(read_file(dir.file("b.err")).size(), 0u) << "FFmpeg reported errors decoding the dump";
}

}  // namespace
}  // namespace ct::record
