#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "signal/HttpSdpResource.hpp"

namespace ct::signal {
namespace {

constexpr const char* kUfrag = "cli1";
constexpr const char* kPwd = "clientpassword01234567";

http::HttpRequest patch_request(std::string body, std::string if_match = {},
                                std::string type = "application/trickle-ice-sdpfrag") {
  http::HttpRequest r;
  r.method = "PATCH";
  r.path = "/whip/room/abc";
  r.headers["content-type"] = std::move(type);
  if (!if_match.empty()) r.headers["if-match"] = std::move(if_match);
  r.body = std::move(body);
  return r;
}

std::string trickle(std::string ufrag = kUfrag, std::string pwd = kPwd) {
  return "a=ice-ufrag:" + ufrag + "\r\na=ice-pwd:" + pwd +
         "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
         "a=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\r\n";
}

int status_of(const std::variant<HttpSdpResource::Patch, http::HttpResponse>& checked) {
  if (auto* r = std::get_if<http::HttpResponse>(&checked)) return r->status;
  return 0;
}

std::string code_of(const std::variant<HttpSdpResource::Patch, http::HttpResponse>& checked) {
  auto* r = std::get_if<http::HttpResponse>(&checked);
  return r ? nlohmann::json::parse(r->body)["code"].get<std::string>() : "";
}

HttpSdpResource::Patch::Kind kind_of(
    const std::variant<HttpSdpResource::Patch, http::HttpResponse>& checked) {
  EXPECT_TRUE(std::holds_alternative<HttpSdpResource::Patch>(checked)) << code_of(checked);
  auto* p = std::get_if<HttpSdpResource::Patch>(&checked);
  return p ? p->kind : HttpSdpResource::Patch::Kind::trickle;
}

std::string header(const http::HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "";
}

TEST(HttpSdpResourceTest, TrickleWithOrWithoutTheCurrentEntityTag) {
  HttpSdpResource resource("/whip/room/abc", kUfrag, kPwd);
  EXPECT_EQ(resource.etag().front(), '"');
  EXPECT_EQ(resource.etag().back(), '"');
  EXPECT_EQ(kind_of(resource.check_patch(patch_request(trickle()))), HttpSdpResource::Patch::Kind::trickle);
  EXPECT_EQ(kind_of(resource.check_patch(patch_request(trickle(), resource.etag()))),
            HttpSdpResource::Patch::Kind::trickle);
  EXPECT_EQ(kind_of(resource.check_patch(patch_request(trickle(), "\"other\", " + resource.etag()))),
            HttpSdpResource::Patch::Kind::trickle);
  EXPECT_EQ(kind_of(resource.check_patch(patch_request("a=end-of-candidates\r\n", resource.etag()))),
            HttpSdpResource::Patch::Kind::trickle);
}

TEST(HttpSdpResourceTest, AnotherEntityTagIsAFailedPrecondition) {
  HttpSdpResource resource("/whip/room/abc", kUfrag, kPwd);
  auto checked = resource.check_patch(patch_request(trickle(), "\"not-the-tag\""));
  EXPECT_EQ(status_of(checked), 412);
  EXPECT_EQ(code_of(checked), "etag_mismatch");
}

TEST(HttpSdpResourceTest, OnlyIceFragmentsAreTaken) {
  HttpSdpResource resource("/whip/room/abc", kUfrag, kPwd);
  EXPECT_EQ(status_of(resource.check_patch(patch_request(trickle(), "", "application/sdp"))), 415);
  EXPECT_EQ(status_of(resource.check_patch(patch_request(trickle(), "", ""))), 415);
  EXPECT_EQ(
      kind_of(resource.check_patch(patch_request(trickle(), "", "Application/Trickle-ICE-Sdpfrag; x=y"))),
      HttpSdpResource::Patch::Kind::trickle);
  auto garbage = resource.check_patch(patch_request("\x01\x02 not sdp"));
  EXPECT_EQ(status_of(garbage), 400);
  EXPECT_EQ(code_of(garbage), "bad_fragment");
  EXPECT_EQ(status_of(resource.check_patch(patch_request(""))), 400);
}

TEST(HttpSdpResourceTest, NewCredentialsAreARestartAndTheTagChangesWithIt) {
  HttpSdpResource resource("/whip/room/abc", kUfrag, kPwd);
  const std::string new_pwd = "anotherpassword0123456";
  EXPECT_EQ(kind_of(resource.check_patch(patch_request(trickle("cli2", new_pwd), "*"))),
            HttpSdpResource::Patch::Kind::restart);
  // Half a restart cannot apply.
  auto half = resource.check_patch(patch_request(trickle("cli2", kPwd), "*"));
  EXPECT_EQ(status_of(half), 422);
  EXPECT_EQ(code_of(half), "ice_credentials_mismatch");
  EXPECT_EQ(status_of(resource.check_patch(patch_request("a=ice-ufrag:cli2\r\n", "*"))), 422);

  std::string old_tag = resource.etag();
  resource.restarted("cli2", new_pwd);
  EXPECT_NE(resource.etag(), old_tag);
  EXPECT_EQ(status_of(resource.check_patch(patch_request(trickle("cli2", new_pwd), old_tag))), 412);
  EXPECT_EQ(kind_of(resource.check_patch(patch_request(trickle("cli2", new_pwd), resource.etag()))),
            HttpSdpResource::Patch::Kind::trickle);
}

TEST(HttpSdpResourceTest, CreatedCarriesTheAnswerLocationTagAndIceServers) {
  HttpSdpResource resource("/whip/my%20room/abc", kUfrag, kPwd);
  std::vector<IceServer> servers{{{"turn:192.0.2.1:3478?transport=udp", "turn:192.0.2.1:3478?transport=tcp"},
                                  "1700000000:alice",
                                  "c2VjcmV0"}};
  auto r = resource.created("v=0\r\n", servers);
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.content_type, "application/sdp");
  EXPECT_EQ(r.body, "v=0\r\n");
  EXPECT_EQ(header(r, "Location"), "/whip/my%20room/abc");
  EXPECT_EQ(header(r, "ETag"), resource.etag());
  std::vector<std::string> links;
  for (const auto& [n, v] : r.headers)
    if (n == "Link") links.push_back(v);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0],
            "<turn:192.0.2.1:3478?transport=udp>; rel=\"ice-server\"; username=\"1700000000:alice\"; "
            "credential=\"c2VjcmV0\"; credential-type=\"password\"");
}

TEST(HttpSdpResourceTest, LinkParametersAreQuotedStrings) {
  auto links =
      HttpSdpResource::ice_server_links({{{"stun:stun.example.net"}, "", ""}, {{"turn:x"}, "a\"b\\c", "p"}});
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0], "<stun:stun.example.net>; rel=\"ice-server\"");
  EXPECT_NE(links[1].find("username=\"a\\\"b\\\\c\""), std::string::npos) << links[1];
}

TEST(HttpSdpResourceTest, RestartAnswerIsAFragmentWithTheNewTag) {
  HttpSdpResource resource("/whip/room/abc", kUfrag, kPwd);
  resource.restarted("cli2", "anotherpassword0123456");
  SdpFragment ours;
  ours.ice_lite = true;
  ours.ice_ufrag = "srv2";
  ours.ice_pwd = "serverpassword0123456789";
  auto r = resource.restart_answer(ours);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/trickle-ice-sdpfrag");
  EXPECT_EQ(header(r, "ETag"), resource.etag());
  EXPECT_EQ(r.body, "a=ice-lite\r\na=ice-ufrag:srv2\r\na=ice-pwd:serverpassword0123456789\r\n");
}

TEST(HttpSdpResourceTest, ContentTypeAndAccept) {
  http::HttpRequest r;
  r.headers["content-type"] = "application/sdp; charset=utf-8";
  EXPECT_TRUE(HttpSdpResource::has_content_type(r, "application/sdp"));
  r.headers["content-type"] = "APPLICATION/SDP";
  EXPECT_TRUE(HttpSdpResource::has_content_type(r, "application/sdp"));
  r.headers["content-type"] = "text/plain";
  EXPECT_FALSE(HttpSdpResource::has_content_type(r, "application/sdp"));

  EXPECT_TRUE(HttpSdpResource::accepts(r, "application/sdp"));  // no Accept
  for (const char* ok : {"application/sdp", "application/*", "*/*", "text/html, application/sdp;q=0.5"}) {
    r.headers["accept"] = ok;
    EXPECT_TRUE(HttpSdpResource::accepts(r, "application/sdp")) << ok;
  }
  for (const char* refused : {"text/html", "application/json", "application/sdp;q=0", "*/*; q=0.0"}) {
    r.headers["accept"] = refused;
    EXPECT_FALSE(HttpSdpResource::accepts(r, "application/sdp")) << refused;
  }
}

TEST(HttpSdpResourceTest, ErrorsAreJsonWithACodeAndAMessage) {
  auto r = HttpSdpResource::error(400, "bad_sdp", "malformed SDP offer: line 1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["code"], "bad_sdp");
  EXPECT_EQ(body["message"], "malformed SDP offer: line 1");
}

TEST(HttpSdpResourceTest, AFragmentThatIsNotUtf8IsRefusedWithItsReason) {
  HttpSdpResource resource("/whip/room/abc", kUfrag, kPwd);
  auto checked =
      resource.check_patch(patch_request("\xe1=ice-ufrag:rst1\r\na=ice-pwd:restartedpassword012345\r\n"));
  EXPECT_EQ(status_of(checked), 400);
  EXPECT_EQ(code_of(checked), "bad_fragment");
  auto r = HttpSdpResource::error(400, "bad_sdp", "line 2: \xff\xfe");
  EXPECT_EQ(nlohmann::json::parse(r.body)["message"], "line 2: \xEF\xBF\xBD\xEF\xBF\xBD")
      << "replaced, still JSON";
}

}  // namespace
}  // namespace ct::signal
