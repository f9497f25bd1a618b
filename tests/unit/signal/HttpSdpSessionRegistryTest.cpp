#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dtls/DtlsCertificate.hpp"
#include "net/SocketAddress.hpp"
#include "sfu/MediaWorker.hpp"
#include "signal/HttpSdpSessionRegistry.hpp"

namespace ct::signal {
namespace {

using namespace std::chrono_literals;

constexpr const char* kKey = "api-key";
constexpr const char* kSecret = "a-secret-of-at-least-thirty-two-bytes!!";
constexpr const char* kUfrag = "cli1";
constexpr const char* kPwd = "clientpassword01234567";

// A session whose room never answers again: these tests stop before a restart.
class RecordingSession final : public HttpSdpSession {
 public:
  using HttpSdpSession::HttpSdpSession;
  std::variant<std::string, sfu::event::Error> renegotiate(sfu::Room&, const std::string&) override {
    return sfu::event::Error{"bad_sdp", "not answered here"};
  }
  bool publishes() const override { return true; }
};

http::HttpRequest request(std::string method, std::string path, std::string remote_ip = "192.0.2.1") {
  http::HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.remote_ip = std::move(remote_ip);
  return r;
}

std::string code_of(const http::HttpResponse& r) { return nlohmann::json::parse(r.body)["code"]; }

std::string header_of(const http::HttpResponse& r, std::string_view name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return "";
}

struct HttpSdpSessionRegistryTest : ::testing::Test {
  HttpSdpSessionRegistryTest() {
    sfu::MediaWorkerConfig config;
    config.bind = *net::SocketAddress::parse_ip("127.0.0.1", 0);
    worker = std::make_unique<sfu::MediaWorker>(config, certificate);
  }

  std::shared_ptr<HttpSdpSessionRegistry> make_registry(double burst = 40) {
    return HttpSdpSessionRegistry::make(
        {"TEST", 0.01, burst, "resources are /t/{room} and /t/{room}/{session}",
         [](std::string_view path) -> std::optional<HttpSdpSessionRegistry::Address> {
           if (!path.starts_with("/t/")) return std::nullopt;
           path.remove_prefix(3);
           size_t slash = path.find('/');
           HttpSdpSessionRegistry::Address a{std::string(path.substr(0, slash)), ""};
           if (slash != std::string_view::npos) a.session = std::string(path.substr(slash + 1));
           if (a.room.empty()) return std::nullopt;
           return a;
         },
         [this](http::HttpRequest r, http::Responder respond) {
           offers.push_back(r.path);
           respond(http::HttpResponse::empty(201));
         }});
  }

  // The answer, when given before handle() returns.
  std::optional<http::HttpResponse> answer(HttpSdpSessionRegistry& registry, http::HttpRequest r) {
    std::optional<http::HttpResponse> out;
    registry.handle(std::move(r), [&out](http::HttpResponse response) { out = std::move(response); });
    return out;
  }

  std::shared_ptr<RecordingSession> add_session(HttpSdpSessionRegistry& registry, std::string id,
                                                std::string room) {
    auto session = std::make_shared<RecordingSession>(id, room, "obs", *worker,
                                                      HttpSdpResource("/t/" + room + "/" + id, kUfrag, kPwd),
                                                      "v=0\r\n", registry.on_removed());
    registry.add(session);
    return session;
  }

  http::HttpRequest trickle(std::string path, std::string if_match = {}) {
    auto r = request("PATCH", std::move(path));
    r.headers["content-type"] = "application/trickle-ice-sdpfrag";
    if (!if_match.empty()) r.headers["if-match"] = std::move(if_match);
    r.body = std::string("a=ice-ufrag:") + kUfrag + "\r\na=ice-pwd:" + kPwd +
             "\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"
             "a=candidate:1 1 udp 2122260223 192.0.2.1 61764 typ host\r\n";
    return r;
  }

  dtls::DtlsCertificate certificate;
  std::unique_ptr<sfu::MediaWorker> worker;
  std::vector<std::string> offers;
};

TEST_F(HttpSdpSessionRegistryTest, RoutesOffersAndRefusesOtherPathsAndMethods) {
  auto registry = make_registry();
  EXPECT_EQ(answer(*registry, request("POST", "/t/stage"))->status, 201);
  EXPECT_EQ(offers, std::vector<std::string>{"/t/stage"});

  auto other = answer(*registry, request("POST", "/elsewhere"));
  EXPECT_EQ(other->status, 404);
  EXPECT_EQ(code_of(*other), "not_found");
  EXPECT_EQ(nlohmann::json::parse(other->body)["message"], "resources are /t/{room} and /t/{room}/{session}");

  auto patch_endpoint = answer(*registry, request("PATCH", "/t/stage"));
  EXPECT_EQ(patch_endpoint->status, 405);
  EXPECT_EQ(header_of(*patch_endpoint, "Allow"), "POST");
  auto post_session = answer(*registry, request("POST", "/t/stage/abc"));
  EXPECT_EQ(post_session->status, 405);
  EXPECT_EQ(header_of(*post_session, "Allow"), "PATCH, DELETE");
  EXPECT_EQ(nlohmann::json::parse(post_session->body)["message"], "this TEST resource takes PATCH, DELETE");

  for (const char* method : {"PATCH", "DELETE"}) {
    auto unknown = answer(*registry, request(method, "/t/stage/nosuchsession"));
    EXPECT_EQ(unknown->status, 404) << method;
    EXPECT_EQ(code_of(*unknown), "session_not_found") << method;
  }
  EXPECT_EQ(offers.size(), 1u) << "only a POST on an endpoint is an offer";

  auto counted = registry->stats().requests;
  EXPECT_EQ(counted["201"], 1u);
  EXPECT_EQ(counted["404"], 3u);
  EXPECT_EQ(counted["405"], 2u);
  EXPECT_EQ(counted["429"], 0u) << "listed before the first";
}

TEST_F(HttpSdpSessionRegistryTest, LimitsTheRateOfEachAddress) {
  auto registry = make_registry(3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(answer(*registry, request("POST", "/t/stage"))->status, 201);
  auto limited = answer(*registry, request("POST", "/t/stage"));
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(code_of(*limited), "rate_limited");
  EXPECT_GE(std::stoi(header_of(*limited, "Retry-After")), 1);
  EXPECT_EQ(answer(*registry, request("POST", "/t/stage", "192.0.2.2"))->status, 201) << "another address";
  EXPECT_EQ(offers.size(), 4u);
  EXPECT_EQ(registry->stats().requests["429"], 1u);
}

TEST_F(HttpSdpSessionRegistryTest, ChecksAnOfferBeforeItIsMade) {
  AccessTokenVerifier verifier(std::map<std::string, std::string>{{kKey, kSecret}});
  AccessTokenClaims claims;
  claims.identity = "obs";
  claims.grants.room = "stage";
  claims.grants.room_join = true;
  claims.expires = std::chrono::system_clock::now() + 1h;
  const std::string token = AccessTokenSigner(kKey, kSecret).sign(claims);
  auto offer = [&](std::string type, std::string authorization, std::string body = "v=0\r\n") {
    auto r = request("POST", "/t/stage");
    if (!type.empty()) r.headers["content-type"] = std::move(type);
    if (!authorization.empty()) r.headers["authorization"] = std::move(authorization);
    r.body = std::move(body);
    return r;
  };
  auto in_stage = [](const VideoGrants& g) { return g.room_join && g.room == "stage"; };
  auto status = [&](const http::HttpRequest& r, const HttpSdpSessionRegistry::Grants& allowed) {
    auto checked = HttpSdpSessionRegistry::check_offer(r, verifier, allowed, "no joining stage");
    auto* refused = std::get_if<http::HttpResponse>(&checked);
    return refused ? refused->status : 0;
  };

  EXPECT_EQ(status(offer("text/plain", "Bearer " + token), in_stage), 415);
  EXPECT_EQ(status(offer("", "Bearer " + token), in_stage), 415);
  auto refuses_sdp = offer("application/sdp", "Bearer " + token);
  refuses_sdp.headers["accept"] = "application/json";
  EXPECT_EQ(status(refuses_sdp, in_stage), 406);

  auto no_token = HttpSdpSessionRegistry::check_offer(offer("application/sdp", ""), verifier, in_stage, "");
  ASSERT_TRUE(std::holds_alternative<http::HttpResponse>(no_token));
  EXPECT_EQ(std::get<http::HttpResponse>(no_token).status, 401);
  EXPECT_EQ(header_of(std::get<http::HttpResponse>(no_token), "WWW-Authenticate"), "Bearer");
  EXPECT_EQ(status(offer("application/sdp", "Basic " + token), in_stage), 401);
  EXPECT_EQ(status(offer("application/sdp", "Bearer " + token + "x"), in_stage), 401);
  EXPECT_EQ(status(offer("application/sdp", "Bearer garbage"), in_stage), 401);

  auto forbidden = HttpSdpSessionRegistry::check_offer(
      offer("application/sdp", "Bearer " + token), verifier,
      [](const VideoGrants& g) { return g.room == "other"; }, "no joining other");
  ASSERT_TRUE(std::holds_alternative<http::HttpResponse>(forbidden));
  EXPECT_EQ(std::get<http::HttpResponse>(forbidden).status, 403);
  EXPECT_EQ(nlohmann::json::parse(std::get<http::HttpResponse>(forbidden).body)["message"],
            "no joining other");

  EXPECT_EQ(status(offer("application/sdp", "Bearer " + token, ""), in_stage), 400);

  auto accepted = HttpSdpSessionRegistry::check_offer(
      offer("application/sdp; charset=utf-8", "Bearer " + token), verifier, in_stage, "");
  ASSERT_TRUE(std::holds_alternative<AccessTokenClaims>(accepted));
  EXPECT_EQ(std::get<AccessTokenClaims>(accepted).identity, "obs");
}

TEST_F(HttpSdpSessionRegistryTest, PatchesTheSessionsItKeeps) {
  auto registry = make_registry();
  auto session = add_session(*registry, "s1", "stage");
  EXPECT_EQ(registry->sessions(), 1u);

  EXPECT_EQ(answer(*registry, trickle("/t/stage/s1"))->status, 204);
  EXPECT_EQ(answer(*registry, trickle("/t/stage/s1", session->resource().etag()))->status, 204);
  auto stale = answer(*registry, trickle("/t/stage/s1", "\"not-the-tag\""));
  EXPECT_EQ(stale->status, 412);
  auto wrong_type = trickle("/t/stage/s1");
  wrong_type.headers["content-type"] = "application/sdp";
  EXPECT_EQ(answer(*registry, wrong_type)->status, 415);
  auto garbage = trickle("/t/stage/s1");
  garbage.body = "\x01\x02 not a fragment";
  EXPECT_EQ(answer(*registry, garbage)->status, 400);
  auto other_room = answer(*registry, trickle("/t/backstage/s1"));
  EXPECT_EQ(other_room->status, 404) << "a session is found only under its own room";
}

TEST_F(HttpSdpSessionRegistryTest, ASessionTheRoomRemovedIsGone) {
  auto registry = make_registry();
  auto session = add_session(*registry, "s1", "stage");
  add_session(*registry, "s2", "stage");
  // What the room does to a session that never connected.
  session->deliver(sfu::event::Removed{"connection_timeout"});
  EXPECT_EQ(registry->sessions(), 1u);
  EXPECT_EQ(answer(*registry, trickle("/t/stage/s1"))->status, 404);
  EXPECT_EQ(answer(*registry, trickle("/t/stage/s2"))->status, 204);
}

TEST_F(HttpSdpSessionRegistryTest, DeleteEndsTheSessionOnItsWorker) {
  auto registry = make_registry();
  add_session(*registry, "s1", "stage");
  worker->start();
  std::promise<http::HttpResponse> deleted;
  registry->handle(request("DELETE", "/t/stage/s1"),
                   [&deleted](http::HttpResponse r) { deleted.set_value(std::move(r)); });
  EXPECT_EQ(registry->sessions(), 0u) << "gone at once: no second DELETE or PATCH finds it";
  auto done = deleted.get_future();
  ASSERT_EQ(done.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(done.get().status, 200);
  EXPECT_EQ(answer(*registry, request("DELETE", "/t/stage/s1"))->status, 404);
  worker->stop();
}

}  // namespace
}  // namespace ct::signal
