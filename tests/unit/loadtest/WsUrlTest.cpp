#include <gtest/gtest.h>

#include "loadtest/WsUrl.hpp"

namespace ct::loadtest {
namespace {

TEST(WsUrl, ParsesWebSocketUrls) {
  auto u = WsUrl::parse("ws://127.0.0.1:7880");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 7880);
  EXPECT_EQ(u->path, "/rtc");
  u = WsUrl::parse("ws://example.com/custom/rtc");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->path, "/custom/rtc");
  u = WsUrl::parse("ws://[::1]:9000/");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->path, "/rtc");
  for (const char* bad : {"", "http://x", "wss://x:1", "ws://", "ws://:80", "ws://h:0", "ws://h:99999",
                          "ws://h:8a", "ws://[::1", "ws://[::1]x"}) {
    EXPECT_FALSE(WsUrl::parse(bad)) << bad;
  }
}

}  // namespace
}  // namespace ct::loadtest
