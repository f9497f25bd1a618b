#pragma once
// How the webhook sender sends its POSTs, several at once, on its own
// thread: start() requests, then wait() runs them until some finish, a
// wake() comes, or the time is up. CurlPoster is the real one; unit tests
// answer with a fake.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace ct::webhook {

class HttpPoster {
 public:
  struct Request {
    uint64_t id = 0;
    std::string url;
    std::string body;
    std::vector<std::string> headers;  // "Name: value"
  };
  struct Result {
    uint64_t id = 0;
    long status = 0;    // the HTTP status; 0 when no answer came
    std::string error;  // why no answer came
  };

  virtual ~HttpPoster() = default;
  // The sender's thread.
  virtual void start(Request request) = 0;
  // The sender's thread: runs the requests, returns those that finished
  // (possibly none) after at most `max_wait`, earlier on wake().
  virtual std::vector<Result> wait(std::chrono::milliseconds max_wait) = 0;
  // Any thread: makes a wait() in progress (or the next one) return soon.
  virtual void wake() = 0;
};

}  // namespace ct::webhook
