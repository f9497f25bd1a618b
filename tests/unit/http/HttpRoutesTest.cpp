#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/HttpRoutes.hpp"
#include "http/WebSocketUpgrade.hpp"

namespace ct::http {
namespace {

// A handler that tells which route answered.
Handler named(std::string name, std::string* answered) {
  return [name = std::move(name), answered](HttpRequest, Responder) { *answered = name; };
}

std::string call(const RouteMatch& m, std::string* answered) {
  answered->clear();
  if (m.handler) (*m.handler)(HttpRequest{}, Responder{});
  return *answered;
}

TEST(HttpRoutes, ExactWinsOverPrefixAndLongestPrefixWins) {
  std::string answered;
  HttpRoutes routes;
  routes.add_prefix("GET", "/api/", named("api prefix", &answered));
  routes.add_prefix("GET", "/api/rooms/", named("rooms prefix", &answered));
  routes.add("GET", "/api/rooms/list", named("exact", &answered));
  EXPECT_EQ(call(routes.match("GET", "/api/rooms/list"), &answered), "exact");
  EXPECT_EQ(call(routes.match("GET", "/api/rooms/abc"), &answered), "rooms prefix");
  EXPECT_EQ(call(routes.match("GET", "/api/other"), &answered), "api prefix");
  const auto none = routes.match("GET", "/elsewhere");
  EXPECT_FALSE(none.path_known);
  EXPECT_EQ(none.handler, nullptr);
}

TEST(HttpRoutes, KnownPathWithOtherMethodListsItsMethods) {
  std::string answered;
  HttpRoutes routes;
  routes.add("POST", "/echo", named("post", &answered));
  routes.add("DELETE", "/echo", named("delete", &answered));
  const auto m = routes.match("PUT", "/echo");
  EXPECT_TRUE(m.path_known);
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.methods, (std::vector<std::string>{"POST", "DELETE"}));
}

TEST(HttpRoutes, HeadFallsBackToGetUnlessItHasItsOwn) {
  std::string answered;
  HttpRoutes routes;
  routes.add("GET", "/a", named("get a", &answered));
  routes.add("GET", "/b", named("get b", &answered));
  routes.add("HEAD", "/b", named("head b", &answered));
  EXPECT_EQ(call(routes.match("HEAD", "/a"), &answered), "get a");
  EXPECT_EQ(call(routes.match("HEAD", "/b"), &answered), "head b");
  EXPECT_EQ(routes.match("POST", "/a").handler, nullptr);
}

TEST(HttpRoutes, UpgradesByExactPath) {
  HttpRoutes routes;
  bool called = false;
  routes.set_upgrade("/rtc", [&](HttpRequest, std::unique_ptr<UpgradedConnection>) { called = true; });
  ASSERT_NE(routes.upgrade_for("/rtc"), nullptr);
  EXPECT_EQ(routes.upgrade_for("/rtc/"), nullptr);
  EXPECT_EQ(routes.upgrade_for("/"), nullptr);
  (*routes.upgrade_for("/rtc"))(HttpRequest{}, nullptr);
  EXPECT_TRUE(called);
}

}  // namespace
}  // namespace ct::http
