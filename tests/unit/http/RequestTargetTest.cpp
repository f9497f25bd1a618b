#include <gtest/gtest.h>

#include <string>

#include "http/RequestTarget.hpp"

namespace ct::http {
namespace {

TEST(RequestTarget, PercentDecode) {
  std::string out;
  EXPECT_TRUE(percent_decode("/a%20b/%2e%2E", out));
  EXPECT_EQ(out, "/a b/..");
  EXPECT_TRUE(percent_decode("a+b", out));
  EXPECT_EQ(out, "a+b");
  EXPECT_TRUE(percent_decode("a+b", out, true));
  EXPECT_EQ(out, "a b");
  EXPECT_FALSE(percent_decode("%", out));
  EXPECT_FALSE(percent_decode("%4", out));
  EXPECT_FALSE(percent_decode("%zz", out));
  EXPECT_FALSE(percent_decode("a%00b", out));
  EXPECT_TRUE(percent_decode("", out));
  EXPECT_EQ(out, "");
}

TEST(RequestTarget, SplitsPathAndQuery) {
  HttpRequest r;
  ASSERT_TRUE(parse_request_target("/rooms/a%20b?room=x+y&token=t%3D1&flag&=empty&a=1&a=2#frag", r));
  EXPECT_EQ(r.path, "/rooms/a b");
  EXPECT_EQ(r.query["room"], "x y");
  EXPECT_EQ(r.query["token"], "t=1");
  EXPECT_EQ(r.query["flag"], "");
  EXPECT_EQ(r.query[""], "empty");
  EXPECT_EQ(r.query["a"], "2");  // the last value wins
  EXPECT_EQ(r.query.count("frag"), 0u);
  EXPECT_EQ(r.query.size(), 5u);
}

TEST(RequestTarget, PathOnlyAndEmptyQuery) {
  HttpRequest r;
  ASSERT_TRUE(parse_request_target("/", r));
  EXPECT_EQ(r.path, "/");
  EXPECT_TRUE(r.query.empty());
  HttpRequest q;
  ASSERT_TRUE(parse_request_target("/x?", q));
  EXPECT_EQ(q.path, "/x");
  EXPECT_TRUE(q.query.empty());
  HttpRequest amps;
  ASSERT_TRUE(parse_request_target("/x?&&a=1&&", amps));
  EXPECT_EQ(amps.query.size(), 1u);
  EXPECT_EQ(amps.query["a"], "1");
}

TEST(RequestTarget, OtherFormsAreRefused) {
  for (const char* target : {"", "*", "http://evil/", "example.org:443", "?a=1", " /x"}) {
    HttpRequest r;
    EXPECT_FALSE(parse_request_target(target, r)) << target;
  }
}

TEST(RequestTarget, TruncatedAndGarbageEscapesAreRefused) {
  for (const char* target :
       {"/a%", "/a%2", "/%G0", "/%00", "/x?a=%", "/x?a=%4", "/x?%zz=1", "/x?a=b%00", "/x?a%=1", "/ok?b=%f"}) {
    HttpRequest r;
    EXPECT_FALSE(parse_request_target(target, r)) << target;
  }
  // Bytes that are not escapes pass through undecoded and unharmed.
  HttpRequest r;
  ASSERT_TRUE(parse_request_target("/\xff\xfe?k=\x01", r));
  EXPECT_EQ(r.path, "/\xff\xfe");
  EXPECT_EQ(r.query["k"], "\x01");
}

}  // namespace
}  // namespace ct::http
