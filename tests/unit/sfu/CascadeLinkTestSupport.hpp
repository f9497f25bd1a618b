#pragma once
// Fakes for the SFU's side of a cascade link: what was handed to the link,
// and what a publication asked of its publisher.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpPli.hpp"
#include "sfu/CascadeLinkSender.hpp"
#include "sfu/PublisherFeedback.hpp"

namespace ct::sfu::testing {

struct RecordingLink final : CascadeLinkSender {
  bool send_link_rtp(std::span<const uint8_t> packet) override {
    rtp.emplace_back(packet.begin(), packet.end());
    return true;
  }
  bool send_link_rtcp(std::span<const uint8_t> packet) override {
    rtcp.emplace_back(packet.begin(), packet.end());
    return true;
  }
  std::vector<std::vector<uint8_t>> rtp, rtcp;
};

// The media SSRCs of the PLIs in `compounds`, and the sequence numbers NACKed.
inline std::vector<uint32_t> plis_in(const std::vector<std::vector<uint8_t>>& compounds) {
  std::vector<uint32_t> ssrcs;
  for (const auto& c : compounds) {
    rtp::RtcpCompound packets(c);
    while (auto packet = packets.next())
      if (auto pli = rtp::RtcpPli::parse(*packet)) ssrcs.push_back(pli->media_ssrc());
  }
  return ssrcs;
}
inline std::vector<uint16_t> nacked_in(const std::vector<std::vector<uint8_t>>& compounds) {
  std::vector<uint16_t> lost;
  for (const auto& c : compounds) {
    rtp::RtcpCompound packets(c);
    while (auto packet = packets.next())
      if (auto nack = rtp::RtcpNack::parse(*packet))
        nack->for_each_lost([&](uint16_t s) { lost.push_back(s); });
  }
  return lost;
}

struct RecordingFeedback final : PublisherFeedback {
  bool send_rtcp(std::span<uint8_t> buffer, size_t length) override {
    sent.emplace_back(buffer.begin(), buffer.begin() + std::ptrdiff_t(length));
    return true;
  }
  std::vector<std::vector<uint8_t>> sent;
};

// A VP8 packet (RFC 7741 payload descriptor, S bit set) with no extensions.
inline std::vector<uint8_t> plain_rtp(uint32_t ssrc, uint16_t seq, uint8_t payload_type = 96) {
  std::vector<uint8_t> p(12 + 3 + 40, 0x11);
  p[0] = 0x80;
  p[1] = payload_type;
  p[2] = uint8_t(seq >> 8);
  p[3] = uint8_t(seq);
  const uint32_t ts = uint32_t(seq) * 3000;
  for (int i = 0; i < 4; ++i) p[4 + i] = uint8_t(ts >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) p[8 + i] = uint8_t(ssrc >> (24 - 8 * i));
  p[12] = 0x10;  // S: start of a partition
  p[13] = 0x01;  // not a keyframe (P bit set)
  p[14] = 0x00;
  return p;
}

}  // namespace ct::sfu::testing
