#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dtls/DtlsCertificate.hpp"
#include "net/SocketAddress.hpp"
#include "sfu/MediaWorker.hpp"
#include "signal/WhipSession.hpp"

namespace ct::signal {
namespace {

struct WhipSessionTest : ::testing::Test {
  WhipSessionTest() {
    sfu::MediaWorkerConfig config;
    config.bind = *net::SocketAddress::parse_ip("127.0.0.1", 0);
    worker = std::make_unique<sfu::MediaWorker>(config, certificate);
    session = std::make_shared<WhipSession>(
        "s1", "stage", "obs", *worker, HttpSdpResource("/whip/stage/s1", "cli1", "clientpassword01234567"),
        "v=0\r\n", [this](const std::string& id, std::string_view reason) {
          removed.push_back(id + ":" + std::string(reason));
        });
  }
  dtls::DtlsCertificate certificate;
  std::unique_ptr<sfu::MediaWorker> worker;
  std::shared_ptr<WhipSession> session;
  std::vector<std::string> removed;
};

TEST_F(WhipSessionTest, KeepsTheAnswerOrErrorOfTheOfferJustMade) {
  session->deliver(sfu::event::PublisherAnswer{"v=0 answer", {}});
  auto answer = session->take_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->sdp, "v=0 answer");
  EXPECT_FALSE(session->take_answer()) << "taken once";

  session->deliver(sfu::event::Error{"bad_sdp", "no codec in common"});
  session->clear_outcome();
  EXPECT_FALSE(session->take_error()) << "cleared before the next offer";
  session->deliver(sfu::event::Error{"too_many_tracks", "at most 16"});
  EXPECT_EQ(session->take_error()->code, "too_many_tracks");
}

TEST_F(WhipSessionTest, ReportsItsRemovalAndDropsEverythingElse) {
  session->deliver(sfu::event::ParticipantJoined{});
  session->deliver(sfu::event::ActiveSpeakers{});
  session->deliver(sfu::event::SubscriberOffer{"v=0", {}});
  EXPECT_FALSE(session->take_answer());
  EXPECT_FALSE(session->take_error());
  EXPECT_TRUE(removed.empty());
  session->deliver(sfu::event::Removed{"duplicate_identity"});
  EXPECT_EQ(removed, std::vector<std::string>{"s1:duplicate_identity"});
  EXPECT_EQ(session->room(), "stage");
  EXPECT_EQ(session->identity(), "obs");
  EXPECT_EQ(session->offer(), "v=0\r\n");
}

}  // namespace
}  // namespace ct::signal
