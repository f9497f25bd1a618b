#include "HttpServerFixture.hpp"
#include "http/StaticFiles.hpp"

namespace ct::http::test {
namespace {

TEST_F(HttpServerTest, ServesStaticFilesWithContentType) {
  start();
  Client c(port());
  struct Case {
    const char* path;
    const char* type;
    const char* body;
  };
  for (const Case& k :
       {Case{"/app.js", "text/javascript; charset=utf-8", "console.log('hi');"},
        Case{"/mod.mjs", "text/javascript; charset=utf-8", "export {};"},
        Case{"/style.css", "text/css; charset=utf-8", "body{}"}, Case{"/data.json", "application/json", "{}"},
        Case{"/icon.svg", "image/svg+xml", "<svg/>"},
        Case{"/sub/note.txt", "text/plain; charset=utf-8", "note"}}) {
    auto r = c.request(bhttp::verb::get, k.path);
    ASSERT_TRUE(r) << k.path;
    EXPECT_EQ(r->result_int(), 200) << k.path;
    EXPECT_EQ(field(*r, "Content-Type"), k.type) << k.path;
    EXPECT_EQ(r->body(), k.body) << k.path;
    EXPECT_EQ(field(*r, "Server"), "CipherTalk");
    EXPECT_EQ(field(*r, "Cache-Control"), "") << k.path;
  }
  auto wasm = c.request(bhttp::verb::get, "/codec.wasm");
  ASSERT_TRUE(wasm);
  EXPECT_EQ(field(*wasm, "Content-Type"), "application/wasm");
  EXPECT_EQ(wasm->body().size(), 4u);
}

TEST_F(HttpServerTest, RootAndDirectoriesServeIndexHtml) {
  start();
  Client c(port());
  auto r = c.request(bhttp::verb::get, "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "<!doctype html><title>CipherTalk</title>");
  EXPECT_EQ(field(*r, "Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(field(*r, "Cache-Control"), "no-cache");
  auto sub = c.request(bhttp::verb::get, "/sub/");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->body(), "sub index");
}

TEST_F(HttpServerTest, HeadGivesLengthWithoutBody) {
  start();
  Client c(port());
  auto r = c.request(bhttp::verb::head, "/app.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(field(*r, "Content-Length"), "18");
  EXPECT_TRUE(r->body().empty());
  // HEAD on a GET route.
  auto h = c.request(bhttp::verb::head, "/hello");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->result_int(), 200);
  EXPECT_EQ(field(*h, "Content-Length"), "6");
  // The connection is still in step afterwards.
  auto after = c.request(bhttp::verb::get, "/hello");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body(), "hello\n");
}

TEST_F(HttpServerTest, PathTraversalIsRefused) {
  start();
  for (const char* target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/sub/../../secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt", "/..%2f..%2fsecret.txt", "/escape.txt", "/up/secret.txt",
        "/%00index.html", "/index.html%00", "/%zz"}) {
    Client c(port());
    c.send_raw(std::string("GET ") + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r) << target;
    EXPECT_TRUE(r->result_int() == 400 || r->result_int() == 404) << target << " gave " << r->result_int();
    EXPECT_EQ(r->body().find("TOP-SECRET"), std::string::npos) << target;
  }
}

TEST_F(HttpServerTest, NoStaticRootMeansOnlyRoutes) {
  HttpServerConfig config;
  config.port = 0;
  server_ = std::make_unique<HttpServer>(io_, config);
  server_->add_route("GET", "/healthz", [](HttpRequest, Responder r) { r(HttpResponse::text(200, "ok\n")); });
  server_->start();
  thread_ = std::thread([this] { io_.run(); });
  Client c(port());
  auto r = c.request(bhttp::verb::get, "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 404);
  auto h = c.request(bhttp::verb::get, "/healthz");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->body(), "ok\n");
}

TEST_F(HttpServerTest, MissingStaticRootThrows) {
  HttpServerConfig config;
  config.port = 0;
  config.static_root = (base_ / "does-not-exist").string();
  HttpServer server(io_, config);
  EXPECT_THROW(server.start(), std::runtime_error);
}

// The same rules without a server in between: what resolve() maps a decoded
// request path to.
TEST_F(HttpServerTest, StaticFilesResolveStaysInsideTheRoot) {
  const StaticFiles files(root_.string());
  EXPECT_EQ(files.root(), fs::canonical(root_));
  EXPECT_EQ(files.resolve("/app.js"), fs::canonical(root_ / "app.js"));
  EXPECT_EQ(files.resolve("/"), fs::canonical(root_ / "index.html"));
  EXPECT_EQ(files.resolve("/sub"), fs::canonical(root_ / "sub" / "index.html"));
  EXPECT_EQ(files.resolve("//sub/./note.txt"), fs::canonical(root_ / "sub" / "note.txt"));
  for (const char* path : {"", "app.js", "/../secret.txt", "/sub/../../secret.txt", "/sub/..", "/escape.txt",
                           "/up/secret.txt", "/up", "/missing.js", "/sub/note.txt/x"}) {
    EXPECT_EQ(files.resolve(path), std::nullopt) << path;
  }
}

TEST(StaticFiles, DotDotSegments) {
  EXPECT_TRUE(StaticFiles::has_dot_dot("/.."));
  EXPECT_TRUE(StaticFiles::has_dot_dot("/a/../b"));
  EXPECT_TRUE(StaticFiles::has_dot_dot(".."));
  EXPECT_TRUE(StaticFiles::has_dot_dot("/a/.."));
  EXPECT_FALSE(StaticFiles::has_dot_dot("/a..b/c"));
  EXPECT_FALSE(StaticFiles::has_dot_dot("/.../x"));
  EXPECT_FALSE(StaticFiles::has_dot_dot("/./x"));
  EXPECT_FALSE(StaticFiles::has_dot_dot(""));
}

TEST(StaticFiles, RootMustBeADirectory) {
  EXPECT_THROW(StaticFiles("/no/such/ciphertalk/dir"), std::runtime_error);
  const auto file = fs::temp_directory_path() / ("ct-static-file-" + std::to_string(std::random_device{}()));
  write_file(file, "x");
  EXPECT_THROW(StaticFiles(file.string()), std::runtime_error);
  fs::remove(file);
}

}  // namespace
}  // namespace ct::http::test
