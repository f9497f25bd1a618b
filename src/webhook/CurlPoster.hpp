#pragma once
// HttpPoster on libcurl's multi interface: every request is a transfer of
// one multi handle, driven by curl_multi_poll on the sender's thread, which
// curl_multi_wakeup (thread-safe) interrupts when new events arrive.
#include <chrono>
#include <map>

#include "webhook/HttpPoster.hpp"

namespace ct::webhook {

class CurlPoster final : public HttpPoster {
 public:
  // `timeout`: the longest a request may take, connecting included.
  explicit CurlPoster(std::chrono::milliseconds timeout);
  ~CurlPoster() override;
  CurlPoster(const CurlPoster&) = delete;
  CurlPoster& operator=(const CurlPoster&) = delete;

  void start(Request request) override;
  std::vector<Result> wait(std::chrono::milliseconds max_wait) override;
  void wake() override;

 private:
  struct Transfer;
  std::chrono::milliseconds timeout_;
  void* multi_;                          // CURLM*
  std::map<void*, Transfer> transfers_;  // by CURL* easy handle
};

}  // namespace ct::webhook
