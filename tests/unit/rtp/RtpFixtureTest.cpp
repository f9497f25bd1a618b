// Every captured Chromium RTP packet parses, and the fields match the
// description written by an independent decoder.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "RtpFixtures.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/Rtx.hpp"

namespace ct::rtp {
namespace {

using test::field;
using test::number;

struct Expected {
  std::string form;  // "BEDE" or "0x1000"
  std::vector<std::pair<int, std::string>> extensions;
};

Expected expected_extensions(const std::string& description) {
  Expected expected;
  const size_t at = description.find("ext[");
  if (at == std::string::npos) return expected;
  const size_t close = description.find(']', at);
  expected.form = description.substr(at + 4, close - at - 4);
  const size_t end = description.find(' ', close);
  const std::string list = description.substr(close + 2, end - close - 2);
  for (const std::string& item : test::split(list, ",")) {
    const size_t colon = item.find(':');
    expected.extensions.emplace_back(std::stoi(item.substr(0, colon)), item.substr(colon + 1));
  }
  return expected;
}

class RtpFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    lines_ = new std::vector<test::FixtureLine>(test::load_fixture("chromium-rtp.hex"));
  }
  static void TearDownTestSuite() {
    delete lines_;
    lines_ = nullptr;
  }
  static std::vector<test::FixtureLine>* lines_;
};
std::vector<test::FixtureLine>* RtpFixture::lines_ = nullptr;

TEST_F(RtpFixture, FileHasEveryLine) { EXPECT_EQ(lines_->size(), 154u); }

TEST_F(RtpFixture, EveryLineParsesWithDescribedFields) {
  size_t two_byte = 0, rtx_with_osn = 0, padding_only = 0;
  for (test::FixtureLine& line : *lines_) {
    SCOPED_TRACE("line " + std::to_string(line.line_number) + ": " + line.description);
    const std::string& d = line.description;
    ASSERT_TRUE(RtpPacket::is_rtp_or_rtcp(line.bytes[0]));
    ASSERT_FALSE(RtpPacket::is_rtcp(line.bytes));
    const auto packet = RtpPacket::parse(line.bytes);
    ASSERT_TRUE(packet);
    EXPECT_EQ(packet->payload_type(), number(d, "pt="));
    EXPECT_EQ(packet->ssrc(), number(d, "ssrc="));
    EXPECT_EQ(packet->sequence_number(), number(d, "seq="));
    EXPECT_EQ(packet->timestamp(), number(d, "ts="));
    EXPECT_EQ(packet->marker(), number(d, "marker=") == 1);
    EXPECT_EQ(packet->csrc_count(), 0u);
    if (field(d, "P=")) {
      EXPECT_TRUE(packet->has_padding());
      const size_t open = d.find("P=1(pad ");
      ASSERT_NE(open, std::string::npos);
      EXPECT_EQ(packet->padding_size(), std::stoul(d.substr(open + 8)));
    } else {
      EXPECT_FALSE(packet->has_padding());
      EXPECT_EQ(packet->padding_size(), 0u);
    }
    const std::string payload = *field(d, "payload=");
    EXPECT_EQ(packet->payload().size(), std::stoul(payload));
    EXPECT_EQ(packet->header_size() + packet->payload().size() + packet->padding_size(), line.bytes.size());

    // Extensions in wire order, in the described form.
    const Expected expected = expected_extensions(d);
    ASSERT_FALSE(expected.form.empty());
    if (expected.form == "BEDE") {
      EXPECT_EQ(packet->extension_form(), ExtensionForm::OneByte);
      EXPECT_EQ(packet->extension_profile(), 0xBEDE);
    } else {
      ASSERT_EQ(expected.form, "0x1000");
      EXPECT_EQ(packet->extension_form(), ExtensionForm::TwoByte);
      EXPECT_EQ(packet->extension_profile(), 0x1000);
      ++two_byte;
    }
    std::vector<std::pair<int, std::string>> seen;
    for (const RtpExtension& extension : packet->extensions()) {
      seen.emplace_back(extension.id, "");
    }
    ASSERT_EQ(seen.size(), expected.extensions.size());
    for (size_t i = 0; i < seen.size(); ++i) {
      EXPECT_EQ(seen[i].first, expected.extensions[i].first) << "extension #" << i;
    }
    // Typed readers on the named extensions.
    for (const auto& [id, name] : expected.extensions) {
      const std::span<uint8_t> data = packet->find_extension(uint8_t(id));
      ASSERT_FALSE(data.empty()) << name;
      if (name == "audio-level") {
        const auto level = read_audio_level(data);
        ASSERT_TRUE(level);
        EXPECT_EQ(data.size(), 1u);
        EXPECT_LE(level->level, 127);
      } else if (name == "mid") {
        const auto mid = read_mid(data);
        ASSERT_TRUE(mid);
        EXPECT_TRUE(*mid == "0" || *mid == "1") << *mid;
      } else if (name == "twcc") {
        EXPECT_EQ(data.size(), 2u);
        EXPECT_TRUE(read_transport_sequence_number(data));
      } else if (name == "abs-send-time") {
        EXPECT_EQ(data.size(), 3u);
        EXPECT_TRUE(read_abs_send_time(data));
      } else if (name == "cvo") {
        EXPECT_EQ(data.size(), 1u);
      }
    }

    // Payload contents as described: codec bytes start right after the header.
    std::span<const uint8_t> body = packet->payload();
    if (d.find(" RTX osn=") != std::string::npos) {
      const auto osn = rtx_original_sequence_number(*packet);
      ASSERT_TRUE(osn);
      EXPECT_EQ(*osn, number(d, "osn="));
      body = body.subspan(2);
      ++rtx_with_osn;
    }
    if (d.find("padding-only probe") != std::string::npos) {
      EXPECT_TRUE(packet->payload().empty());
      EXPECT_FALSE(rtx_original_sequence_number(*packet));
      ++padding_only;
    }
    if (const auto toc = field(d, "toc=")) {
      ASSERT_FALSE(body.empty());
      EXPECT_EQ(body[0], std::stoul(*toc, nullptr, 16));
    }
    if (const auto picid = field(d, "picid=")) {
      // VP8 descriptor (RFC 7741 §4.2): X, S and PID; then I; then M + 15-bit PictureID.
      ASSERT_GE(body.size(), 4u);
      EXPECT_EQ((body[0] >> 4) & 1, number(d, "S="));
      EXPECT_EQ(body[0] & 0x7, number(d, "PID="));
      ASSERT_TRUE(body[0] & 0x80);
      ASSERT_TRUE(body[1] & 0x80);
      ASSERT_TRUE(body[2] & 0x80);
      EXPECT_EQ(((body[2] & 0x7F) << 8) | body[3], std::stoi(*picid));
    }
    if (d.find("STAP-A") != std::string::npos) {
      EXPECT_EQ(body[0] & 0x1F, 24);
    }
    if (d.find("FU-A") != std::string::npos) {
      EXPECT_EQ(body[0] & 0x1F, 28);
    }
    if (d.find("single-NAL non-IDR") != std::string::npos) {
      EXPECT_EQ(body[0] & 0x1F, 1);
    }
  }
  EXPECT_EQ(two_byte, 8u);
  EXPECT_EQ(rtx_with_osn, 16u + 7 + 4);
  EXPECT_EQ(padding_only, 10u + 4 + 5);
}

// Run B: video-timing (16) and color-space (17) force the two-byte form;
// their data sizes are those of the webrtc.org definitions.
TEST_F(RtpFixture, TwoByteExtensionsCarryHighIds) {
  size_t checked = 0;
  for (test::FixtureLine& line : *lines_) {
    auto packet = RtpPacket::parse(line.bytes);
    ASSERT_TRUE(packet);
    if (packet->extension_form() != ExtensionForm::TwoByte) continue;
    EXPECT_EQ(packet->find_extension(3).size(), 3u);  // abs-send-time
    if (line.description.find("16:video-timing") != std::string::npos) {
      EXPECT_EQ(packet->find_extension(16).size(), 13u);
    }
    if (line.description.find("17:color-space") != std::string::npos) {
      EXPECT_FALSE(packet->find_extension(17).empty());
      EXPECT_EQ(packet->find_extension(13).size(), 1u);
    }
    // A two-byte packet accepts ids above 14 in place.
    std::vector<uint8_t> copy = line.bytes;
    auto writable = RtpPacket::parse(copy);
    RtpExtensionIdMap map = RtpExtensionIdMap::identity();
    map.set(3, 200);
    ASSERT_TRUE(writable->rewrite_extension_ids(map));
    EXPECT_EQ(writable->find_extension(200).size(), 3u);
    EXPECT_TRUE(writable->find_extension(3).empty());
    ++checked;
  }
  EXPECT_EQ(checked, 8u);
}

// Each RTX answer to a withheld packet unwraps to that packet's payload.
TEST_F(RtpFixture, RtxAnswersUnwrapToWithheldPackets) {
  std::map<std::pair<uint32_t, uint16_t>, const test::FixtureLine*> media;
  for (test::FixtureLine& line : *lines_) {
    if (line.description.find("withheld") != std::string::npos) {
      auto packet = RtpPacket::parse(line.bytes);
      media[{packet->ssrc(), packet->sequence_number()}] = &line;
    }
  }
  ASSERT_FALSE(media.empty());
  // RTX SSRC -> media SSRC and payload type from the README.
  const std::map<uint32_t, std::pair<uint32_t, uint8_t>> rtx_to_media = {
      {2973238573u, {4045789540u, 96}}, {4009586575u, {4135940502u, 99}}, {1303095856u, {436211870u, 96}}};
  size_t matched = 0;
  for (test::FixtureLine& line : *lines_) {
    if (line.description.find(" RTX osn=") == std::string::npos) continue;
    auto rtx = RtpPacket::parse(line.bytes);
    ASSERT_TRUE(rtx);
    const auto [media_ssrc, media_pt] = rtx_to_media.at(rtx->ssrc());
    const auto found = media.find({media_ssrc, *rtx_original_sequence_number(*rtx)});
    if (found == media.end()) continue;
    std::vector<uint8_t> original_bytes = found->second->bytes;
    auto original = RtpPacket::parse(original_bytes);

    std::vector<uint8_t> out(1500);
    const size_t length = unwrap_rtx(*rtx, media_ssrc, media_pt, out);
    ASSERT_GT(length, 0u);
    auto unwrapped = RtpPacket::parse(std::span(out).first(length));
    ASSERT_TRUE(unwrapped);
    EXPECT_EQ(unwrapped->ssrc(), original->ssrc());
    EXPECT_EQ(unwrapped->payload_type(), original->payload_type());
    EXPECT_EQ(unwrapped->sequence_number(), original->sequence_number());
    EXPECT_EQ(unwrapped->timestamp(), original->timestamp());
    EXPECT_EQ(unwrapped->marker(), original->marker());
    EXPECT_TRUE(std::ranges::equal(unwrapped->payload(), original->payload()));
    ++matched;
  }
  EXPECT_EQ(matched, 6u + 3 + 2);
}

}  // namespace
}  // namespace ct::rtp
