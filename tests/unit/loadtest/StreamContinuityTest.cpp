// The subscriber's seamlessness check, fed streams as an SFU might splice them.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "loadtest/PayloadStamp.hpp"
#include "loadtest/StreamContinuity.hpp"
#include "rtp/RtpPacket.hpp"
#include "rtp/RtpPacketBuilder.hpp"

namespace ct::loadtest {
namespace {

struct Frame {
  uint32_t ssrc = 0x1111;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint16_t picture_id = 0;
  uint8_t tl0 = 0;
  uint8_t tid = 0;
  bool starts = true;
  bool key = false;
  uint8_t layer = 0;
};

// One packet of forwarded VP8 (RFC 7741 descriptor with I, L, T), stamped.
std::vector<uint8_t> packet(const Frame& f) {
  std::vector<uint8_t> payload(80, 0);
  payload[0] = uint8_t(0x80 | (f.starts ? 0x10 : 0));
  payload[1] = 0xE0;
  payload[2] = uint8_t(0x80 | f.picture_id >> 8);
  payload[3] = uint8_t(f.picture_id);
  payload[4] = f.tl0;
  payload[5] = uint8_t(f.tid << 6);
  auto data = std::span<uint8_t>(payload).subspan(6);
  if (f.starts) {
    data[0] = f.key ? 0x10 : 0x11;
    if (f.key) {
      data[3] = 0x9d, data[4] = 0x01, data[5] = 0x2a;
      data[6] = 64, data[8] = 64;
    }
  }
  PayloadStamp{0, f.layer, 0}.write(data);
  std::vector<uint8_t> out(200);
  out.resize(rtp::RtpPacketBuilder()
                 .payload_type(96)
                 .sequence_number(f.sequence)
                 .timestamp(f.timestamp)
                 .ssrc(f.ssrc)
                 .payload(payload)
                 .build(out));
  return out;
}

void feed(StreamContinuity& c, const Frame& f) {
  auto bytes = packet(f);
  auto p = rtp::RtpPacket::parse(bytes);
  ASSERT_TRUE(p);
  c.on_packet(*p);
}

// A stream of `frames` one-packet frames of `layer`, continuing from `f`.
Frame run(StreamContinuity& c, Frame f, int frames, uint8_t layer, bool key_first) {
  for (int i = 0; i < frames; ++i) {
    f.layer = layer;
    f.key = key_first && i == 0;
    f.tid = f.key ? 0 : uint8_t(i % 2 ? 2 : 0);
    if (f.tid == 0) ++f.tl0;
    feed(c, f);
    ++f.sequence;
    ++f.picture_id;
    f.timestamp += 3000;
  }
  return f;
}

TEST(StreamContinuity, ASwitchAtAKeyframeIsCountedAndSeamless) {
  StreamContinuity c;
  Frame f{.sequence = 65530, .timestamp = 0xFFFFF000, .picture_id = 0x7FFE};  // all three wrap
  f = run(c, f, 10, 0, true);
  f = run(c, f, 10, 2, true);
  f = run(c, f, 10, 1, true);
  EXPECT_EQ(c.stats().packets, 30u);
  EXPECT_EQ(c.stats().layer_switches, 2u);
  EXPECT_EQ(c.stats().discontinuities, 0u);
  EXPECT_EQ(c.stats().lost, 0u);
  EXPECT_EQ(c.stats().layer_packets, (std::array<uint64_t, 3>{10, 10, 10}));
}

TEST(StreamContinuity, ASwitchWithoutAKeyframeBreaksTheStream) {
  StreamContinuity c;
  Frame f = run(c, Frame{}, 5, 0, true);
  run(c, f, 5, 1, false);
  EXPECT_EQ(c.stats().layer_switches, 1u);
  EXPECT_EQ(c.stats().discontinuities, 1u);
}

TEST(StreamContinuity, AGapAtASwitchBreaksTheStreamAGapInsideALayerIsLoss) {
  StreamContinuity c;
  Frame f = run(c, Frame{}, 5, 0, true);
  f.sequence += 2;  // two packets lost inside layer 0
  f.picture_id += 2;
  f = run(c, f, 5, 0, false);
  EXPECT_EQ(c.stats().lost, 2u);
  EXPECT_EQ(c.stats().discontinuities, 0u);
  f.sequence += 1;  // a hole where the switch happens
  run(c, f, 5, 1, true);
  EXPECT_EQ(c.stats().discontinuities, 1u);
  EXPECT_EQ(c.stats().lost, 2u);
}

TEST(StreamContinuity, TimestampsPictureIdsAndTl0MustStepOn) {
  {
    StreamContinuity c;
    Frame f = run(c, Frame{.timestamp = 90000}, 5, 0, true);
    f.timestamp -= 9000;  // back in time
    run(c, f, 1, 0, false);
    EXPECT_EQ(c.stats().discontinuities, 1u);
  }
  {
    StreamContinuity c;
    Frame f = run(c, Frame{}, 5, 0, true);
    f.picture_id += 3;  // frames missing with no sequence gap
    run(c, f, 1, 0, false);
    EXPECT_EQ(c.stats().discontinuities, 1u);
  }
  {
    StreamContinuity c;
    Frame f = run(c, Frame{}, 4, 0, true);
    f.tl0 += 5;
    run(c, f, 1, 0, false);
    EXPECT_EQ(c.stats().discontinuities, 1u);
  }
  {
    StreamContinuity c;  // a second packet of a frame with another timestamp
    Frame f = run(c, Frame{}, 2, 0, true);
    f.starts = false;
    f.picture_id -= 1;
    f.timestamp += 1;
    feed(c, f);
    EXPECT_EQ(c.stats().discontinuities, 1u);
  }
}

TEST(StreamContinuity, AnotherSsrcBreaksTheStreamALatePacketIsOnlyCounted) {
  StreamContinuity c;
  Frame f = run(c, Frame{}, 5, 0, true);
  Frame old = f;
  old.sequence -= 3;
  feed(c, old);
  EXPECT_EQ(c.stats().late, 1u);
  EXPECT_EQ(c.stats().discontinuities, 0u);
  f.ssrc = 0x2222;
  run(c, f, 2, 0, true);
  EXPECT_EQ(c.stats().discontinuities, 1u);
}

TEST(StreamContinuity, TruncatedAndGarbagePacketsAreOnlyCounted) {
  StreamContinuity c;
  auto whole = packet(Frame{.key = true});
  // RTP header, VP8 descriptor, then the stamp inside the VP8 data.
  const size_t stamp_end = 12 + 6 + PayloadStamp::kOffset + PayloadStamp::kSize;
  uint64_t fed = 0;
  for (size_t n = 12; n < stamp_end; ++n) {
    std::vector<uint8_t> cut(whole.begin(), whole.begin() + long(n));
    if (auto p = rtp::RtpPacket::parse(cut)) {
      c.on_packet(*p);
      ++fed;
    }
  }
  std::vector<uint8_t> garbage(120);
  for (size_t i = 0; i < garbage.size(); ++i) garbage[i] = uint8_t(i * 73 + 5);
  garbage[0] = 0x80;
  if (auto p = rtp::RtpPacket::parse(garbage)) {
    c.on_packet(*p);
    ++fed;
  }
  EXPECT_GT(fed, 0u);
  EXPECT_EQ(c.stats().unstamped, fed);
  EXPECT_EQ(c.stats().packets, 0u);
  // The whole packet afterwards is the stream's first.
  auto p = rtp::RtpPacket::parse(whole);
  c.on_packet(*p);
  EXPECT_EQ(c.stats().packets, 1u);
  EXPECT_EQ(c.stats().discontinuities, 0u);
}

}  // namespace
}  // namespace ct::loadtest
