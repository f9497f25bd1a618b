// The process-wide usrsctp glue: association ids never repeat (a stale id
// from a lingering timer must never reach a newer association), and a
// removed id's inbox is no longer reachable.
#include "sctp/UsrsctpStack.hpp"

#include <gtest/gtest.h>
#include <usrsctp.h>

namespace ct::sctp {
namespace {

TEST(UsrsctpStack, IdsNeverRepeat) {
  auto a = UsrsctpStack::add(std::make_shared<detail::SctpInbox>());
  UsrsctpStack::remove(a);
  auto b = UsrsctpStack::add(std::make_shared<detail::SctpInbox>());
  EXPECT_NE(a, b);
  EXPECT_GT(b, a);
  UsrsctpStack::remove(b);
  usrsctp_deregister_address(reinterpret_cast<void*>(a));
  usrsctp_deregister_address(reinterpret_cast<void*>(b));
}

TEST(UsrsctpStack, ARegisteredInboxKeepsAliveWhileRegisteredOnly) {
  auto inbox = std::make_shared<detail::SctpInbox>();
  std::weak_ptr<detail::SctpInbox> watch = inbox;
  auto id = UsrsctpStack::add(std::move(inbox));
  EXPECT_FALSE(watch.expired()) << "the registry holds the inbox for callbacks";
  UsrsctpStack::remove(id);
  EXPECT_TRUE(watch.expired()) << "after remove, no callback can reach it";
  usrsctp_deregister_address(reinterpret_cast<void*>(id));
}

TEST(UsrsctpStack, OpensASocketForARegisteredId) {
  auto id = UsrsctpStack::add(std::make_shared<detail::SctpInbox>());
  struct ::socket* s = UsrsctpStack::open_socket(id);
  ASSERT_NE(s, nullptr);
  usrsctp_close(s);
  UsrsctpStack::remove(id);
  usrsctp_deregister_address(reinterpret_cast<void*>(id));
}

}  // namespace
}  // namespace ct::sctp
