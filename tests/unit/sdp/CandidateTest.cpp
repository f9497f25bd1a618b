#include "sdp/Candidate.hpp"

#include <gtest/gtest.h>

namespace ct::sdp {
namespace {

TEST(Candidate, ParsesChromiumUdpHost) {
  auto c = Candidate::parse(
      "candidate:1582659239 1 udp 2122194687 127.0.0.1 50526 typ host generation 0 network-id 3 network-cost 50");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->foundation, "1582659239");
  EXPECT_EQ(c->component, 1);
  EXPECT_EQ(c->transport, "udp");
  EXPECT_EQ(c->priority, 2122194687u);
  EXPECT_EQ(c->address, "127.0.0.1");
  EXPECT_EQ(c->port, 50526);
  EXPECT_EQ(c->type, "host");
  EXPECT_FALSE(c->tcp_type);
  ASSERT_EQ(c->extensions.size(), 3u);
  EXPECT_EQ(c->extensions[1], (std::pair<std::string, std::string>{"network-id", "3"}));
}

TEST(Candidate, ParsesTcpTypeAndRelatedAddress) {
  auto c = Candidate::parse("a=candidate:2 1 tcp 1518214911 ::1 9 typ srflx raddr 10.0.0.1 rport 4000 tcptype active");
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(c->address, "::1");
  EXPECT_EQ(c->tcp_type, "active");
  EXPECT_EQ(c->related_address, "10.0.0.1");
  EXPECT_EQ(c->related_port, 4000);
  EXPECT_EQ(c->to_string(), "candidate:2 1 tcp 1518214911 ::1 9 typ srflx raddr 10.0.0.1 rport 4000 tcptype active");
}

TEST(Candidate, RoundTrips) {
  std::string text = "candidate:16572de626da4e5384a0ce2d0d93678a 1 udp 2130706431 127.0.0.1 41623 typ host";
  auto c = Candidate::parse(text);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->to_string(), text);
  auto again = Candidate::parse(c->to_string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *c);
}

TEST(Candidate, RejectsMalformed) {
  EXPECT_FALSE(Candidate::parse("").ok());
  EXPECT_FALSE(Candidate::parse("candidate:1 1 udp 1 1.2.3.4 5 host x").ok());          // no typ
  EXPECT_FALSE(Candidate::parse("candidate:1 0 udp 1 1.2.3.4 5 typ host").ok());         // component 0
  EXPECT_FALSE(Candidate::parse("candidate:1 1 udp -1 1.2.3.4 5 typ host").ok());        // priority
  EXPECT_FALSE(Candidate::parse("candidate:1 1 udp 1 1.2.3.4 70000 typ host").ok());     // port
  EXPECT_FALSE(Candidate::parse("candidate:1 1 udp 1 1.2.3.4 5 typ host generation").ok());  // odd extension
  EXPECT_FALSE(Candidate::parse("candidate:1 1 udp 1 1.2.3.4 5 typ host rport x").ok());
  EXPECT_FALSE(Candidate::parse("candidate:1 1 udp 99999999999 1.2.3.4 5 typ host").ok());
}

}  // namespace
}  // namespace ct::sdp
