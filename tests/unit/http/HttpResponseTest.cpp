#include <gtest/gtest.h>

#include "http/HttpResponse.hpp"

namespace ct::http {
namespace {

TEST(HttpResponse, FactoriesAndReasons) {
  auto t = HttpResponse::text(404, "nope");
  EXPECT_EQ(t.status, 404);
  EXPECT_EQ(t.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(t.body, "nope");
  EXPECT_TRUE(t.cross_origin);
  auto j = HttpResponse::json(200, "{}");
  EXPECT_EQ(j.content_type, "application/json");
  auto e = HttpResponse::empty(204);
  EXPECT_EQ(e.status, 204);
  EXPECT_TRUE(e.content_type.empty());
  EXPECT_TRUE(e.body.empty());
  EXPECT_STREQ(http_reason(413), "Content Too Large");
  EXPECT_STREQ(http_reason(101), "Switching Protocols");
  EXPECT_STREQ(http_reason(299), "");
}

}  // namespace
}  // namespace ct::http
