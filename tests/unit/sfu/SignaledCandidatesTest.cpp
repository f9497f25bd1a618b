// The candidates a client signals name its selected path: the candidate
// lines of an offer or answer and trickled ones reach the connection's
// transport; malformed or truncated ones are skipped.
#include <string>

#include "RoomTestSupport.hpp"
#include "sfu/Participant.hpp"
#include "sfu/RoomMembers.hpp"
#include "sfu/SignaledCandidates.hpp"

namespace ct::sfu::testing {
namespace {

using Connection = SignaledCandidates::Connection;

class SignaledCandidatesTest : public RoomFixture {
 protected:
  void SetUp() override {
    make_room();
    alice = &join("alice");
    publish(*alice, {Track{"0", false, 0x1111}});
    participant = room->members().member("alice");
    ASSERT_NE(participant, nullptr);
  }
  std::string type_of(Connection connection) {
    webrtc::PeerTransport* t = connection == Connection::publisher ? participant->publisher_transport()
                                                                   : participant->subscriber_transport();
    auto type = t ? t->remote_candidate_type() : std::nullopt;
    return type ? std::string(*type) : "none";
  }
  // "candidate:..." for an endpoint's own address.
  static std::string candidate_at(const Endpoint& e, const std::string& type) {
    const auto a = e.socket.local_address();
    return "candidate:1 1 udp 2122260223 " + a.ip_string() + " " + std::to_string(a.port()) + " typ " + type;
  }

  Browser* alice = nullptr;
  Participant* participant = nullptr;
};

TEST_F(SignaledCandidatesTest, AnUnsignaledPathIsPeerReflexive) {
  EXPECT_EQ(type_of(Connection::publisher), "prflx");
  EXPECT_EQ(type_of(Connection::subscriber), "prflx");
}

TEST_F(SignaledCandidatesTest, CandidateLinesOfADescriptionNameThePath) {
  const std::string sdp =
      "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
      "a=candidate:9 1 udp 1 10.9.9.9 9 typ host\r\n"
      "a=" +
      candidate_at(alice->publisher, "srflx") +
      "\r\n"
      "a=end-of-candidates\r\n";
  EXPECT_EQ(SignaledCandidates::add_from_description(*participant, Connection::publisher, sdp), 2u);
  EXPECT_EQ(type_of(Connection::publisher), "srflx");
  EXPECT_EQ(type_of(Connection::subscriber), "prflx");  // the other connection's are its own
}

TEST_F(SignaledCandidatesTest, ATrickledCandidateNamesThePath) {
  EXPECT_TRUE(SignaledCandidates::add_trickled(*participant, Connection::subscriber,
                                               candidate_at(alice->subscriber, "host")));
  EXPECT_EQ(type_of(Connection::subscriber), "host");
  EXPECT_EQ(SignaledCandidates::connection_named("subscriber"), Connection::subscriber);
  EXPECT_EQ(SignaledCandidates::connection_named("publisher"), Connection::publisher);
  EXPECT_EQ(SignaledCandidates::connection_named("Publisher"), std::nullopt);
  EXPECT_EQ(SignaledCandidates::connection_named(""), std::nullopt);
}

TEST_F(SignaledCandidatesTest, TruncatedAndGarbageCandidatesAreSkipped) {
  const std::string good = candidate_at(alice->publisher, "host");
  for (size_t n = 0; n < good.size(); ++n)
    EXPECT_FALSE(SignaledCandidates::add_trickled(*participant, Connection::publisher, good.substr(0, n)))
        << good.substr(0, n);
  for (const std::string& garbage :
       {std::string("\0\0\0", 3), std::string("candidate:"),
        std::string("candidate:1 1 udp x 1.2.3.4 5 typ host"),
        std::string("candidate:1 1 udp 1 1.2.3.4 99999 typ host"), std::string(5000, 'a')})
    EXPECT_FALSE(SignaledCandidates::add_trickled(*participant, Connection::publisher, garbage));
  std::string sdp = "a=candidate:\r\na=candidate:1 1 udp\na=candidate" + std::string(3, '\0') + "\r\n\r\n\n";
  EXPECT_EQ(SignaledCandidates::add_from_description(*participant, Connection::publisher, sdp), 0u);
  EXPECT_EQ(SignaledCandidates::add_from_description(*participant, Connection::publisher, ""), 0u);
  EXPECT_EQ(type_of(Connection::publisher), "prflx");
  // A whole line without its CRLF still counts.
  EXPECT_EQ(SignaledCandidates::add_from_description(*participant, Connection::publisher, "a=" + good), 1u);
  EXPECT_EQ(type_of(Connection::publisher), "host");
}

}  // namespace
}  // namespace ct::sfu::testing
