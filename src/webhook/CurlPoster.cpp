#include "webhook/CurlPoster.hpp"

#include <curl/curl.h>

#include <mutex>
#include <stdexcept>

namespace ct::webhook {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The receiver's answer body is not used: read and discard it.
size_t discard(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

struct CurlPoster::Transfer {
  uint64_t id = 0;
  std::string body;
  curl_slist* headers = nullptr;
  char error[CURL_ERROR_SIZE] = {};
};

CurlPoster::CurlPoster(std::chrono::milliseconds timeout) : timeout_(timeout) {
  global_init();
  multi_ = curl_multi_init();
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
}

CurlPoster::~CurlPoster() {
  for (auto& [easy, t] : transfers_) {
    curl_multi_remove_handle(static_cast<CURLM*>(multi_), static_cast<CURL*>(easy));
    curl_easy_cleanup(static_cast<CURL*>(easy));
    curl_slist_free_all(t.headers);
  }
  curl_multi_cleanup(static_cast<CURLM*>(multi_));
}

void CurlPoster::start(Request request) {
  CURL* easy = curl_easy_init();
  if (!easy) throw std::runtime_error("curl_easy_init failed");
  Transfer& t = transfers_[easy];
  t.id = request.id;
  t.body = std::move(request.body);
  for (const auto& h : request.headers) t.headers = curl_slist_append(t.headers, h.c_str());
  curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(easy, CURLOPT_POST, 1L);
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t.body.data());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(t.body.size()));
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t.headers);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t.error);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(timeout_.count()));
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  // A webhook goes where it was configured to, not where a redirect points.
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_USERAGENT, "CipherTalk-Webhook");
  curl_multi_add_handle(static_cast<CURLM*>(multi_), easy);
}

std::vector<HttpPoster::Result> CurlPoster::wait(std::chrono::milliseconds max_wait) {
  auto* multi = static_cast<CURLM*>(multi_);
  int running = 0;
  curl_multi_perform(multi, &running);
  std::vector<Result> done;
  auto collect = [&] {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL* easy = msg->easy_handle;
      auto it = transfers_.find(easy);
      if (it == transfers_.end()) continue;
      Result r;
      r.id = it->second.id;
      if (msg->data.result == CURLE_OK) {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r.status);
      } else {
        r.error = it->second.error[0] ? it->second.error : curl_easy_strerror(msg->data.result);
      }
      curl_multi_remove_handle(multi, easy);
      curl_easy_cleanup(easy);
      curl_slist_free_all(it->second.headers);
      transfers_.erase(it);
      done.push_back(std::move(r));
    }
  };
  collect();
  if (!done.empty()) return done;
  curl_multi_poll(multi, nullptr, 0, int(max_wait.count()), nullptr);
  curl_multi_perform(multi, &running);
  collect();
  return done;
}

void CurlPoster::wake() { curl_multi_wakeup(static_cast<CURLM*>(multi_)); }

}  // namespace ct::webhook
