#include <gtest/gtest.h>

#include "turn/RelayAddressRegistry.hpp"

namespace ct::turn {
namespace {

net::SocketAddress at(const char* text) { return *net::SocketAddress::parse(text); }

TEST(RelayAddressRegistry, KnowsOpenSocketsUntilTheyClose) {
  RelayAddressRegistry r;
  EXPECT_FALSE(r.contains(at("127.0.0.1:50000")));
  r.add(at("127.0.0.1:50000"));
  EXPECT_TRUE(r.contains(at("127.0.0.1:50000")));
  EXPECT_FALSE(r.contains(at("127.0.0.1:50001")));
  EXPECT_FALSE(r.contains(at("127.0.0.2:50000")));
  r.remove(at("127.0.0.1:50000"));
  EXPECT_FALSE(r.contains(at("127.0.0.1:50000")));
  EXPECT_EQ(r.size(), 0u);
}

TEST(RelayAddressRegistry, AWildcardBoundSocketMatchesEveryAddressOnItsPort) {
  RelayAddressRegistry r;
  r.add(at("0.0.0.0:50010"));
  EXPECT_TRUE(r.contains(at("10.1.2.3:50010")));
  EXPECT_TRUE(r.contains(at("127.0.0.1:50010")));
  EXPECT_FALSE(r.contains(at("10.1.2.3:50011")));
  EXPECT_FALSE(r.contains(at("[2001:db8::1]:50010")));  // another family
}

TEST(RelayAddressRegistry, AnIpv4MappedPeerIsItsIpv4Address) {
  RelayAddressRegistry r;
  r.add(at("192.0.2.1:50020"));
  EXPECT_TRUE(r.contains(at("[::ffff:192.0.2.1]:50020")));
}

TEST(RelayAddressRegistry, CountsAnAddressAddedTwice) {
  RelayAddressRegistry r;
  r.add(at("127.0.0.1:50030"));
  r.add(at("127.0.0.1:50030"));
  r.remove(at("127.0.0.1:50030"));
  EXPECT_TRUE(r.contains(at("127.0.0.1:50030")));
  r.remove(at("127.0.0.1:50030"));
  EXPECT_FALSE(r.contains(at("127.0.0.1:50030")));
  r.remove(at("127.0.0.1:50030"));  // unknown: nothing happens
  EXPECT_EQ(r.size(), 0u);
}

}  // namespace
}  // namespace ct::turn
