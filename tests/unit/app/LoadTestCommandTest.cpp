// The load client's tokens: what `ciphertalk loadtest` signs must pass the
// server's own verifier, for the room, with the role's grants.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>

#include "app/LoadTestCommand.hpp"
#include "signal/AccessToken.hpp"

namespace ct::app {
namespace {

using loadtest::Participant;

TEST(LoadTestCommand, TokensPassTheServersVerifierWithTheRolesGrants) {
  auto issue = loadtest_token_issuer("loadkey", "loadsecret-0123456789abcdef0123456789");
  signal::AccessTokenVerifier verifier(
      std::map<std::string, std::string>{{"loadkey", "loadsecret-0123456789abcdef0123456789"}});
  const auto now = std::chrono::system_clock::now();

  auto publisher = verifier.verify(issue("bench-1", "loadtest-pub-0", Participant::Role::Publisher), now);
  ASSERT_TRUE(publisher.ok()) << signal::to_string(publisher.error());
  EXPECT_EQ(publisher->identity, "loadtest-pub-0");
  EXPECT_EQ(publisher->grants.room, "bench-1");
  EXPECT_TRUE(publisher->grants.room_join);
  EXPECT_TRUE(publisher->grants.can_publish);
  EXPECT_FALSE(publisher->grants.can_subscribe);

  auto subscriber = verifier.verify(issue("bench-1", "loadtest-sub-3", Participant::Role::Subscriber), now);
  ASSERT_TRUE(subscriber.ok()) << signal::to_string(subscriber.error());
  EXPECT_EQ(subscriber->identity, "loadtest-sub-3");
  EXPECT_FALSE(subscriber->grants.can_publish);
  EXPECT_TRUE(subscriber->grants.can_subscribe);
  // Long enough for any run the command allows to set up.
  EXPECT_GE(subscriber->expires - now, std::chrono::minutes(59));
}

TEST(LoadTestCommand, AMissingSecretIsAnError) {
  auto issue = loadtest_token_issuer("loadkey", "");
  EXPECT_THROW(issue("room", "loadtest-pub-0", Participant::Role::Publisher), std::runtime_error);
}

}  // namespace
}  // namespace ct::app
