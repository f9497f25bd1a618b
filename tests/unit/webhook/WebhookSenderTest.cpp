// The sender with a fake network inside the test: every request carries the
// JSON content type and a signature over its exact body; a receiver that
// answers 500 at first gets the same events again, in order per room; each
// URL gets every event; a full intake drops and counts; stats add up.
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/Encoding.hpp"
#include "webhook/WebhookSender.hpp"

namespace ct::webhook {
namespace {

// Answers each request at once with what `answer` says for it.
class FakePoster final : public HttpPoster {
 public:
  explicit FakePoster(std::function<long(const Request&)> answer) : answer_(std::move(answer)) {}
  void start(Request request) override {
    std::lock_guard lock(mutex_);
    done_.push_back(Result{request.id, answer_(request), {}});
    requests_.push_back(std::move(request));
  }
  std::vector<Result> wait(std::chrono::milliseconds max_wait) override {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, max_wait, [&] { return !done_.empty() || woken_; });
    woken_ = false;
    std::vector<Result> out(done_.begin(), done_.end());
    done_.clear();
    return out;
  }
  void wake() override {
    std::lock_guard lock(mutex_);
    woken_ = true;
    changed_.notify_all();
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  std::function<long(const Request&)> answer_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Result> done_;
  std::vector<Request> requests_;
  bool woken_ = false;
};

WebhookEvent event(const std::string& room, const std::string& id) {
  WebhookEvent e;
  e.event = "participant_joined";
  e.room = room;
  e.id = id;
  e.body = nlohmann::json{{"id", id}, {"room", {{"name", room}}}}.dump();
  e.queued_at = Clock::now();
  return e;
}

std::string header(const HttpPoster::Request& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (h.rfind(name + ": ", 0) == 0) return h.substr(name.size() + 2);
  return {};
}

std::string id_of(const HttpPoster::Request& r) { return nlohmann::json::parse(r.body)["id"]; }

WebhookSender::Settings settings(std::vector<std::string> urls) {
  WebhookSender::Settings s;
  s.urls = std::move(urls);
  s.api_key = "key";
  s.api_secret = "secret";
  s.delivery.retry.base_delay = milliseconds(5);
  s.delivery.retry.max_delay = milliseconds(20);
  return s;
}

bool eventually(const std::function<bool()>& done) {
  for (auto deadline = Clock::now() + seconds(5); Clock::now() < deadline;) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return done();
}

TEST(WebhookSender, RetriesAfterServerErrorsAndDeliversEachRoomInOrder) {
  int answered = 0;
  auto poster =
      std::make_unique<FakePoster>([&](const HttpPoster::Request&) { return ++answered <= 2 ? 500L : 200L; });
  FakePoster& network = *poster;
  WebhookSender sender(settings({"http://receiver/hook"}), std::move(poster));
  sender.start();
  for (int i = 0; i < 5; ++i) {
    sender.enqueue(event("a", "a" + std::to_string(i)));
    sender.enqueue(event("b", "b" + std::to_string(i)));
  }
  ASSERT_TRUE(eventually([&] { return sender.stats().delivered == 10; }));
  sender.stop();

  auto requests = network.requests();
  EXPECT_EQ(requests.size(), 12u) << "two answers of 500, each retried once";
  // The receiver's view: the first delivered copy of each event, per room.
  std::map<std::string, std::vector<std::string>> delivered;
  std::set<std::string> seen;
  for (size_t i = 2; i < requests.size(); ++i) {  // the first two got 500
    const auto& r = requests[i];
    EXPECT_EQ(r.url, "http://receiver/hook");
    EXPECT_EQ(header(r, "Content-Type"), "application/webhook+json");
    auto id = id_of(r);
    if (seen.insert(id).second) delivered[id.substr(0, 1)].push_back(id);
  }
  EXPECT_EQ(delivered["a"], (std::vector<std::string>{"a0", "a1", "a2", "a3", "a4"}));
  EXPECT_EQ(delivered["b"], (std::vector<std::string>{"b0", "b1", "b2", "b3", "b4"}));
  auto s = sender.stats();
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.dropped, 0u);
  EXPECT_EQ(s.latency_count, 10u);
  EXPECT_EQ(s.queued, 0u);
}

TEST(WebhookSender, EveryRequestIsSignedOverItsOwnBody) {
  auto poster = std::make_unique<FakePoster>([](const HttpPoster::Request&) { return 200L; });
  FakePoster& network = *poster;
  WebhookSender sender(settings({"http://one/", "http://two/"}), std::move(poster));
  sender.start();
  sender.enqueue(event("a", "a0"));
  sender.enqueue(event("a", "a1"));
  ASSERT_TRUE(eventually([&] { return sender.stats().delivered == 4; }));
  sender.stop();
  std::map<std::string, int> per_url;
  for (const auto& r : network.requests()) {
    ++per_url[r.url];
    const std::string token = header(r, "Authorization");
    auto first = token.find('.'), second = token.rfind('.');
    ASSERT_NE(first, second);
    auto claims_bytes = base64url_decode(token.substr(first + 1, second - first - 1));
    ASSERT_TRUE(claims_bytes);
    auto claims = nlohmann::json::parse(claims_bytes->begin(), claims_bytes->end());
    EXPECT_EQ(claims["iss"], "key");
    EXPECT_EQ(claims["sha256"], WebhookSigner::body_hash(r.body));
  }
  EXPECT_EQ(per_url["http://one/"], 2);
  EXPECT_EQ(per_url["http://two/"], 2);
}

TEST(WebhookSender, AReceiverThatRefusesIsCountedAsFailed) {
  auto poster = std::make_unique<FakePoster>([](const HttpPoster::Request&) { return 403L; });
  WebhookSender sender(settings({"http://receiver/"}), std::move(poster));
  sender.start();
  sender.enqueue(event("a", "a0"));
  ASSERT_TRUE(eventually([&] { return sender.stats().failed == 1; }));
  EXPECT_EQ(sender.stats().delivered, 0u);
}

TEST(WebhookSender, AFullIntakeDropsAndCountsPerUrl) {
  auto s = settings({"http://one/", "http://two/"});
  s.intake_capacity = 2;
  auto poster = std::make_unique<FakePoster>([](const HttpPoster::Request&) { return 200L; });
  WebhookSender sender(s, std::move(poster));
  // Not started: nothing drains the intake.
  for (int i = 0; i < 5; ++i) sender.enqueue(event("a", std::to_string(i)));
  EXPECT_EQ(sender.stats().dropped, 6u);  // 3 events for 2 URLs
  EXPECT_EQ(sender.stats().queued, 4u);
  sender.start();
  ASSERT_TRUE(eventually([&] { return sender.stats().delivered == 4; }));
}

TEST(WebhookSender, RefusesToStartWithoutAUrlOrAKey) {
  EXPECT_THROW(WebhookSender(settings({}), std::make_unique<FakePoster>([](const auto&) { return 200L; })),
               std::invalid_argument);
  auto s = settings({"http://x/"});
  s.api_secret.clear();
  EXPECT_THROW(WebhookSender(s, std::make_unique<FakePoster>([](const auto&) { return 200L; })),
               std::invalid_argument);
}

}  // namespace
}  // namespace ct::webhook
