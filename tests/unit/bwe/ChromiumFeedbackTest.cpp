// Real transport-cc feedback captured from Chromium (tests/fixtures/rtp,
// run A) goes through the rtp parser into SendHistory and matches the
// packets we sent, status by status and delta by delta.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "bwe/SendHistory.hpp"
#include "core/Encoding.hpp"
#include "rtp/RtcpPacket.hpp"

namespace ct::bwe {
namespace {

struct Line {
  std::vector<uint8_t> bytes;
  std::string description;
};

std::vector<Line> transport_cc_lines() {
  std::ifstream file(std::string(CT_FIXTURES_DIR) + "/rtp/chromium-rtcp.hex");
  std::vector<Line> lines;
  std::string line;
  while (std::getline(file, line)) {
    const size_t hash = line.find("  # ");
    if (hash == std::string::npos || line.find("transport-cc", hash) == std::string::npos) continue;
    lines.push_back({*from_hex(line.substr(0, hash)), line.substr(hash + 4)});
  }
  return lines;
}

int64_t field(const std::string& text, const std::string& key) {
  const size_t at = text.find(" " + key);
  return std::stoll(text.substr(at + key.size() + 1));
}

std::vector<int64_t> deltas(const std::string& text) {
  std::vector<int64_t> out;
  size_t at = text.find("deltas(250us)=[") + 15;
  const size_t end = text.find(']', at);
  while (at < end) {
    size_t used = 0;
    out.push_back(std::stoll(text.substr(at), &used));
    at += used;
    while (at < end && (text[at] == ',' || text[at] == ' ')) ++at;
  }
  return out;
}

TEST(ChromiumFeedback, EveryCapturedFeedbackMatchesTheSentPackets) {
  const auto lines = transport_cc_lines();
  ASSERT_EQ(lines.size(), 13u);
  SendHistory history;
  const TimePoint t0 = TimePoint{} + seconds(50);
  for (int i = 0; i < 870; ++i) history.on_packet_sent(1200, t0 + milliseconds(11 * i));

  for (const Line& line : lines) {
    SCOPED_TRACE(line.description);
    const auto packet = rtp::RtcpPacket::parse(line.bytes);
    ASSERT_TRUE(packet);
    const auto feedback = rtp::RtcpTransportCc::parse(*packet);
    ASSERT_TRUE(feedback);
    const auto results = history.on_feedback(*feedback);
    const int64_t base = field(line.description, "base=");
    ASSERT_EQ(int64_t(results.size()), field(line.description, "count="));
    int64_t received = 0;
    std::vector<int64_t> arrivals;
    for (size_t i = 0; i < results.size(); ++i) {
      EXPECT_EQ(results[i].sequence_number, base + int64_t(i));
      EXPECT_EQ(results[i].send_time_us, std::chrono::duration_cast<microseconds>(
                                             (t0 + milliseconds(11 * (base + int64_t(i)))).time_since_epoch())
                                             .count());
      if (results[i].received) {
        ++received;
        arrivals.push_back(results[i].arrival_time_us);
      }
    }
    EXPECT_EQ(received, field(line.description, "recv="));
    EXPECT_EQ(int64_t(results.size()) - received, field(line.description, "lost="));
    // Arrival = reference time (64 ms units) + the running sum of deltas (250 µs units).
    const std::vector<int64_t> expected = deltas(line.description);
    ASSERT_EQ(arrivals.size(), expected.size());
    int64_t arrival = field(line.description, "reftime=") * 64000;
    for (size_t i = 0; i < expected.size(); ++i) {
      arrival += expected[i] * 250;
      EXPECT_EQ(arrivals[i], arrival);
    }
  }
  EXPECT_EQ(history.counters().unknown, 0u);
  EXPECT_EQ(history.counters().duplicates, 0u);
}

}  // namespace
}  // namespace ct::bwe
