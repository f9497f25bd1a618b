#include <gtest/gtest.h>

#include "cluster/RedisUrl.hpp"

using ct::cluster::RedisUrl;

TEST(RedisUrl, HostAndPort) {
  auto u = RedisUrl::parse("redis://10.0.0.7:6380");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "10.0.0.7");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->db, 0u);
  EXPECT_EQ(u->password, "");
  EXPECT_EQ(u->endpoint(), "10.0.0.7:6380");
}

TEST(RedisUrl, DefaultPortPasswordAndDatabase) {
  auto u = RedisUrl::parse("redis://:s3cret@redis.internal/2");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "redis.internal");
  EXPECT_EQ(u->port, 6379);
  EXPECT_EQ(u->password, "s3cret");
  EXPECT_EQ(u->db, 2u);
  EXPECT_EQ(u->endpoint(), "redis.internal:6379");  // never the password
  auto user = RedisUrl::parse("redis://app:pw@h:1");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->password, "pw");
}

TEST(RedisUrl, Ipv6) {
  auto u = RedisUrl::parse("redis://[::1]:7000");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 7000);
  EXPECT_EQ(u->endpoint(), "[::1]:7000");
}

TEST(RedisUrl, RefusesWhatIsNotARedisUrl) {
  for (const char* bad : {"", "redis://", "http://h:6379", "redis://h:", "redis://h:0", "redis://h:65536",
                          "redis://h:12x", "redis://:6379", "redis://h/db", "redis://[::1", "redis://[::1]x",
                          "redis://h:6379/99999999999", "redis:/h", "redis://a b:1", "redis://h:-1"}) {
    EXPECT_FALSE(RedisUrl::parse(bad)) << bad;
  }
}

TEST(RedisUrl, TruncatedUrlsNeverCrash) {
  std::string full = "redis://:pw@[::1]:6379/3";
  for (size_t n = 0; n <= full.size(); ++n) (void)RedisUrl::parse(std::string_view(full).substr(0, n));
  EXPECT_TRUE(RedisUrl::parse(full));
}
