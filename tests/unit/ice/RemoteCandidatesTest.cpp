#include <gtest/gtest.h>

#include <string>

#include "ice/RemoteCandidates.hpp"

namespace ct::ice {
namespace {

net::SocketAddress addr(const std::string& text) { return *net::SocketAddress::parse(text); }

TEST(RemoteCandidates, CheckFromASignaledAddressHasThatCandidatesType) {
  RemoteCandidates c;
  c.add(addr("192.168.1.20:53512"), CandidateType::host);
  c.add(addr("203.0.113.7:40000"), CandidateType::srflx);
  c.add(addr("198.51.100.1:50000"), CandidateType::relay);
  EXPECT_EQ(c.type_of(addr("192.168.1.20:53512")), CandidateType::host);
  EXPECT_EQ(c.type_of(addr("203.0.113.7:40000")), CandidateType::srflx);
  EXPECT_EQ(c.type_of(addr("198.51.100.1:50000")), CandidateType::relay);
}

TEST(RemoteCandidates, CheckFromAnUnsignaledAddressIsPeerReflexive) {
  RemoteCandidates c;
  EXPECT_EQ(c.type_of(addr("192.168.1.20:53512")), CandidateType::prflx);  // nothing signaled
  c.add(addr("192.168.1.20:53512"), CandidateType::host);
  // Same address, another port: a NAT's mapping nobody signaled (RFC 8445 §7.3.1.3).
  EXPECT_EQ(c.type_of(addr("192.168.1.20:53513")), CandidateType::prflx);
  EXPECT_EQ(c.type_of(addr("192.168.1.21:53512")), CandidateType::prflx);
}

TEST(RemoteCandidates, Ipv4MappedAddressesMatchTheirIpv4Candidate) {
  RemoteCandidates c;
  c.add(addr("10.0.0.5:4000"), CandidateType::host);
  EXPECT_EQ(c.type_of(addr("[::ffff:10.0.0.5]:4000")), CandidateType::host);
}

TEST(RemoteCandidates, SignaledAgainTakesTheNewTypeWithoutGrowing) {
  RemoteCandidates c;
  c.add(addr("10.0.0.5:4000"), CandidateType::prflx);
  c.add(addr("10.0.0.5:4000"), CandidateType::srflx);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(c.type_of(addr("10.0.0.5:4000")), CandidateType::srflx);
}

TEST(RemoteCandidates, BoundedForgettingTheOldestFirst) {
  RemoteCandidates c;
  for (size_t i = 0; i < RemoteCandidates::kMaxCandidates + 5; ++i)
    c.add(addr("10.0.0.1:" + std::to_string(1000 + i)), CandidateType::host);
  EXPECT_EQ(c.size(), RemoteCandidates::kMaxCandidates);
  EXPECT_EQ(c.type_of(addr("10.0.0.1:1000")), CandidateType::prflx);
  EXPECT_EQ(c.type_of(addr("10.0.0.1:1004")), CandidateType::prflx);
  EXPECT_EQ(c.type_of(addr("10.0.0.1:1005")), CandidateType::host);
  EXPECT_EQ(c.type_of(addr("10.0.0.1:" + std::to_string(1004 + RemoteCandidates::kMaxCandidates))),
            CandidateType::host);
}

TEST(CandidateType, NamesRoundTripAndUnknownOnesAreRefused) {
  for (auto t : {CandidateType::host, CandidateType::srflx, CandidateType::prflx, CandidateType::relay})
    EXPECT_EQ(candidate_type_from(to_string(t)), t);
  EXPECT_EQ(candidate_type_from(""), std::nullopt);
  EXPECT_EQ(candidate_type_from("HOST"), std::nullopt);
  EXPECT_EQ(candidate_type_from("hostx"), std::nullopt);
  EXPECT_EQ(candidate_type_from(std::string("ho\0st", 5)), std::nullopt);
}

}  // namespace
}  // namespace ct::ice
