#include <gtest/gtest.h>

#include "cluster/NodeEntry.hpp"

using ct::cluster::NodeEntry;

TEST(NodeEntry, RoundTripsThroughJson) {
  NodeEntry e;
  e.id = "node-b";
  e.url = "https://b.example.com:7880/";
  e.region = "eu-west";
  e.capacity = 500;
  e.participants = 125;
  e.rooms = 9;
  e.packets_per_second = 4200.5;
  e.cpu = 0.75;
  e.draining = true;
  e.updated_ms = 1765000000123;
  auto back = NodeEntry::parse(e.to_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->id, "node-b");
  EXPECT_EQ(back->url, e.url);
  EXPECT_EQ(back->region, "eu-west");
  EXPECT_EQ(back->capacity, 500u);
  EXPECT_EQ(back->participants, 125u);
  EXPECT_EQ(back->rooms, 9u);
  EXPECT_DOUBLE_EQ(back->packets_per_second, 4200.5);
  EXPECT_DOUBLE_EQ(back->cpu, 0.75);
  EXPECT_TRUE(back->draining);
  EXPECT_EQ(back->updated_ms, 1765000000123);
  EXPECT_TRUE(back->load_is_fresh(1765000002000, 5000));
  EXPECT_FALSE(back->load_is_fresh(1765000009000, 5000));
  EXPECT_DOUBLE_EQ(back->load(), 0.25);
  EXPECT_EQ(back->rtc_url(), "wss://b.example.com:7880/rtc");
}

TEST(NodeEntry, RtcUrlOfPlainHttp) {
  NodeEntry e;
  e.url = "http://127.0.0.1:12000";
  EXPECT_EQ(e.rtc_url(), "ws://127.0.0.1:12000/rtc");
}

TEST(NodeEntry, RefusesEntriesWithoutIdOrUrl) {
  for (const char* bad : {"", "{", "[]", "null", "42", R"({"id":"a"})", R"({"url":"http://h:1"})",
                          R"({"id":"","url":"http://h:1"})", R"({"id":"a","url":"ftp://h"})",
                          R"({"id":"a","url":"http://"})", R"({"id":7,"url":"http://h:1"})"}) {
    EXPECT_FALSE(NodeEntry::parse(bad)) << bad;
  }
}

TEST(NodeEntry, IgnoresFieldsOfTheWrongType) {
  auto e = NodeEntry::parse(
      R"({"id":"a","url":"http://h:1","participants":-3,"cpu":"high","capacity":1.5,"draining":"yes"})");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->participants, 0u);
  EXPECT_EQ(e->capacity, 0u);
  EXPECT_DOUBLE_EQ(e->cpu, 0);
  EXPECT_FALSE(e->draining);
}

TEST(NodeEntry, TruncatedJsonIsRefusedNotCrashed) {
  NodeEntry e;
  e.id = "n";
  e.url = "http://h:1";
  std::string json = e.to_json();
  for (size_t n = 0; n < json.size(); ++n) EXPECT_FALSE(NodeEntry::parse(json.substr(0, n))) << n;
  EXPECT_TRUE(NodeEntry::parse(json));
}
