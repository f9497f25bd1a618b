#include <gtest/gtest.h>

#include "http/MimeTypes.hpp"

namespace ct::http {
namespace {

TEST(MimeTypes, KnownExtensions) {
  EXPECT_EQ(mime_type_for("/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(mime_type_for("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("a/b/mod.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(mime_type_for("s.css"), "text/css; charset=utf-8");
  EXPECT_EQ(mime_type_for("d.json"), "application/json");
  EXPECT_EQ(mime_type_for("i.svg"), "image/svg+xml");
  EXPECT_EQ(mime_type_for("i.png"), "image/png");
  EXPECT_EQ(mime_type_for("favicon.ico"), "image/x-icon");
  EXPECT_EQ(mime_type_for("c.wasm"), "application/wasm");
  EXPECT_EQ(mime_type_for("app.js.map"), "application/json");
  EXPECT_EQ(mime_type_for("LICENSE.txt"), "text/plain; charset=utf-8");
  EXPECT_EQ(mime_type_for("UPPER.HTML"), "text/html; charset=utf-8");
}

TEST(MimeTypes, UnknownIsOctetStream) {
  EXPECT_EQ(mime_type_for("file"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("file."), "application/octet-stream");
  EXPECT_EQ(mime_type_for("dir.d/file"), "application/octet-stream");
  EXPECT_EQ(mime_type_for("x.exe"), "application/octet-stream");
  EXPECT_EQ(mime_type_for(""), "application/octet-stream");
}

}  // namespace
}  // namespace ct::http
