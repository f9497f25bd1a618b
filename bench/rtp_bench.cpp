// Micro-benchmarks of the rtp layer's hot-path operations, on packets
// captured from Chromium (tests/fixtures/rtp).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/Encoding.hpp"
#include "rtp/RtcpCompound.hpp"
#include "rtp/RtcpNack.hpp"
#include "rtp/RtcpReceiverReport.hpp"
#include "rtp/RtcpSsrcRewriter.hpp"
#include "rtp/RtcpTransportCc.hpp"
#include "rtp/RtpExtensions.hpp"
#include "rtp/RtpPacket.hpp"

namespace {

using namespace ct::rtp;

// The first fixture line whose description contains `needle`.
std::vector<uint8_t> fixture(const char* file, const std::string& needle) {
  const auto path = std::filesystem::path(__FILE__).parent_path().parent_path() / "tests/fixtures/rtp" / file;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const size_t hash = line.find("  # ");
    if (hash != std::string::npos && line.find(needle, hash) != std::string::npos) {
      return *ct::from_hex(line.substr(0, hash));
    }
  }
  throw std::runtime_error("no fixture line with " + needle);
}

// VP8, 792-byte payload, extensions abs-send-time, transport-cc, mid.
std::vector<uint8_t> vp8_packet() {
  return fixture("chromium-rtp.hex",
                 "seq=27431 ts=1336432698 marker=0 ext[BEDE]=2:abs-send-time,3:twcc,4:mid ");
}

void BM_RtpParse(benchmark::State& state) {
  std::vector<uint8_t> bytes = vp8_packet();
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes.data());
    auto packet = RtpPacket::parse(bytes);
    benchmark::DoNotOptimize(packet);
  }
}
BENCHMARK(BM_RtpParse);

void BM_RtpParseFindTransportSequence(benchmark::State& state) {
  std::vector<uint8_t> bytes = vp8_packet();
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes.data());
    auto packet = RtpPacket::parse(bytes);
    auto seq = read_transport_sequence_number(packet->find_extension(3));
    benchmark::DoNotOptimize(seq);
  }
}
BENCHMARK(BM_RtpParseFindTransportSequence);

// What the SFU does per forwarded copy: new SSRC, sequence number, timestamp.
void BM_RtpRewriteSsrcSeqTs(benchmark::State& state) {
  std::vector<uint8_t> bytes = vp8_packet();
  auto packet = *RtpPacket::parse(bytes);
  uint32_t n = 0;
  for (auto _ : state) {
    packet.set_ssrc(0x12345678);
    packet.set_sequence_number(uint16_t(packet.sequence_number() + 1));
    packet.set_timestamp(packet.timestamp() + 3000);
    benchmark::DoNotOptimize(bytes.data());
    ++n;
  }
  benchmark::DoNotOptimize(n);
}
BENCHMARK(BM_RtpRewriteSsrcSeqTs);

void BM_RtpRewriteExtensionIds(benchmark::State& state) {
  std::vector<uint8_t> bytes = vp8_packet();
  auto packet = *RtpPacket::parse(bytes);
  RtpExtensionIdMap forward;
  RtpExtensionIdMap back;
  for (uint8_t id : {2, 3, 4}) {
    forward.set(id, uint8_t(id + 5));
    back.set(uint8_t(id + 5), id);
  }
  for (auto _ : state) {
    bool ok = packet.rewrite_extension_ids(forward) && packet.rewrite_extension_ids(back);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations() * 2);  // two rewrites per iteration
}
BENCHMARK(BM_RtpRewriteExtensionIds);

std::vector<uint8_t> rr_nack() { return fixture("chromium-rtcp.hex", "| RTPFB fmt=1 NACK"); }

void BM_RtcpParseRrNack(benchmark::State& state) {
  const std::vector<uint8_t> bytes = rr_nack();
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes.data());
    RtcpCompound compound(bytes);
    uint32_t sum = 0;
    while (auto packet = compound.next()) {
      if (auto rr = RtcpReceiverReport::parse(*packet)) {
        for (size_t i = 0; i < rr->report_count(); ++i) sum += rr->report_block(i).extended_highest_sequence;
      } else if (auto nack = RtcpNack::parse(*packet)) {
        nack->for_each_lost([&sum](uint16_t seq) { sum += seq; });
      }
    }
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_RtcpParseRrNack);

void BM_RtcpRewriteSsrcsRrNack(benchmark::State& state) {
  std::vector<uint8_t> bytes = rr_nack();
  for (auto _ : state) {
    bool ok = rewrite_rtcp_ssrcs(bytes, [](uint32_t ssrc) { return ssrc ^ 0x01010101; });
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_RtcpRewriteSsrcsRrNack);

// 1-bit vector, 9 statuses, 5 received, padded.
void BM_RtcpParseTransportCc(benchmark::State& state) {
  const std::vector<uint8_t> bytes = fixture("chromium-rtcp.hex", "base=125 count=9");
  std::vector<TransportCcPacket> packets;
  packets.reserve(64);
  for (auto _ : state) {
    benchmark::DoNotOptimize(bytes.data());
    RtcpCompound compound(bytes);
    auto feedback = RtcpTransportCc::parse(*compound.next());
    feedback->packets(packets);
    benchmark::DoNotOptimize(packets.data());
  }
}
BENCHMARK(BM_RtcpParseTransportCc);

// A larger feedback: 200 packets, some lost, mixed deltas.
void BM_RtcpTransportCcBuildParse200(benchmark::State& state) {
  std::vector<TransportCcPacket> input;
  for (uint16_t i = 0; i < 200; ++i)
    input.push_back({uint16_t(1000 + i), i % 17 != 0, i % 17 ? int32_t(i % 50) : 0});
  std::vector<uint8_t> bytes(RtcpTransportCc::max_size(input.size()));
  std::vector<TransportCcPacket> output;
  output.reserve(256);
  for (auto _ : state) {
    const size_t length = RtcpTransportCc::build(bytes, 1, 2, 100, 7, input);
    auto feedback = RtcpTransportCc::parse(*RtcpPacket::parse(std::span(bytes).first(length)));
    feedback->packets(output);
    benchmark::DoNotOptimize(output.data());
  }
}
BENCHMARK(BM_RtcpTransportCcBuildParse200);

}  // namespace
