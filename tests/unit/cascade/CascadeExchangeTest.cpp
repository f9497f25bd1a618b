// One turn of the control channel between two nodes of a room: written, read
// back, and anything malformed, truncated or oversized refused.
#include <gtest/gtest.h>

#include "cascade/CascadeExchange.hpp"

namespace ct::cascade {
namespace {

using srtp::SrtpProfile;

CascadeExchange sample() {
  CascadeExchange e;
  e.room = "standup";
  e.node = "node-b";
  e.address = *net::SocketAddress::parse("10.0.0.2:7900");
  e.offer = CascadeLinkOffer{77, CascadeKeys::generate(SrtpProfile::AeadAes128Gcm)};
  e.messages.push_back(CascadeParticipant{"alice", "Alice", "{}", true});
  CascadeTrack t;
  t.sid = "TR_1";
  t.participant = "alice";
  t.kind = "video";
  t.codec = "VP8";
  t.clock_rate = 90000;
  t.payload_type = 96;
  t.layers.push_back(CascadeLayer{"", 1234, 0});
  e.messages.push_back(t);
  e.messages.push_back(CascadeWant{"TR_9", 2});
  return e;
}

TEST(CascadeExchangeTest, RoundTrips) {
  CascadeExchange e = sample();
  auto back = parse_cascade_exchange(to_json(e));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->room, "standup");
  EXPECT_EQ(back->node, "node-b");
  EXPECT_EQ(back->address, e.address);
  EXPECT_EQ(back->offer, e.offer);
  EXPECT_EQ(back->messages, e.messages);
}

TEST(CascadeExchangeTest, RefusesTruncationsAndGarbage) {
  const std::string full = to_json(sample());
  for (size_t n = 0; n < full.size(); ++n) EXPECT_FALSE(parse_cascade_exchange(full.substr(0, n))) << n;
  for (const char* bad : {"", "null", "[]", "{}", "\x01\xff", "{\"room\":1}"})
    EXPECT_FALSE(parse_cascade_exchange(bad));
}

TEST(CascadeExchangeTest, RefusesBadFields) {
  const std::string keys = CascadeKeys::generate(SrtpProfile::AeadAes128Gcm).to_text();
  auto with = [&](const std::string& room, const std::string& address, const std::string& link,
                  const std::string& messages) {
    return "{\"room\":" + room + ",\"node\":\"n\",\"address\":" + address + ",\"link\":" + link +
           ",\"messages\":" + messages + "}";
  };
  const std::string ok_link = "\"5 " + keys + "\"";
  EXPECT_TRUE(parse_cascade_exchange(with("\"r\"", "\"127.0.0.1:9\"", ok_link, "[]")));
  EXPECT_FALSE(parse_cascade_exchange(with("\"\"", "\"127.0.0.1:9\"", ok_link, "[]")));
  EXPECT_FALSE(
      parse_cascade_exchange(with("\"" + std::string(300, 'r') + "\"", "\"127.0.0.1:9\"", ok_link, "[]")));
  EXPECT_FALSE(parse_cascade_exchange(with("\"r\"", "\"example.com:9\"", ok_link, "[]")));
  EXPECT_FALSE(parse_cascade_exchange(with("\"r\"", "\"127.0.0.1:0\"", ok_link, "[]")));
  EXPECT_FALSE(parse_cascade_exchange(with("\"r\"", "\"127.0.0.1:9\"", "\"0 " + keys + "\"", "[]")));
  EXPECT_FALSE(parse_cascade_exchange(with("\"r\"", "\"127.0.0.1:9\"", ok_link, "{}")));
  EXPECT_FALSE(parse_cascade_exchange(with("\"r\"", "\"127.0.0.1:9\"", ok_link, "[{\"type\":\"nope\"}]")));
  EXPECT_FALSE(parse_cascade_exchange(std::string(CascadeExchange::kMaxBody + 1, ' ')));
}

}  // namespace
}  // namespace ct::cascade
