#pragma once
// A one-thread HTTP/1.1 listener on 127.0.0.1 for the S3 client's tests: it
// records each request (method, target, headers, body) and answers with the
// next scripted response (200 and no body when the script is empty), closing
// the connection after each answer. A fake for unit tests only; the real
// stores (s3rver) are in the e2e tests.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ct::objectstore::test {

struct CapturedRequest {
  std::string method, target, body;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct ScriptedResponse {
  int status = 200;
  std::string body;
  std::vector<std::string> headers;  // "Name: value"
};

class LocalHttpListener {
 public:
  LocalHttpListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 8) != 0)
      throw std::runtime_error("cannot listen");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~LocalHttpListener() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void script(ScriptedResponse response) {
    std::lock_guard lock(mutex_);
    script_.push_back(std::move(response));
  }
  std::vector<CapturedRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      serve(client);
      ::close(client);
    }
  }
  void serve(int client) {
    std::string in;
    char buf[65536];
    size_t header_end = std::string::npos;
    CapturedRequest request;
    size_t content_length = 0;
    for (;;) {
      pollfd p{client, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) return;
      const ssize_t n = ::recv(client, buf, sizeof buf, 0);
      if (n <= 0) return;
      in.append(buf, size_t(n));
      if (header_end == std::string::npos) {
        header_end = in.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        parse_head(in.substr(0, header_end), request);
        content_length =
            std::stoul(request.header("content-length").empty() ? "0" : request.header("content-length"));
      }
      if (in.size() >= header_end + 4 + content_length) break;
    }
    request.body = in.substr(header_end + 4, content_length);
    ScriptedResponse response;
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
      if (!script_.empty()) {
        response = std::move(script_.front());
        script_.pop_front();
      }
    }
    std::string out = "HTTP/1.1 " + std::to_string(response.status) + " X\r\nConnection: close\r\n";
    for (const auto& h : response.headers) out += h + "\r\n";
    if (request.method != "HEAD" ||
        std::none_of(response.headers.begin(), response.headers.end(),
                     [](const std::string& h) { return h.rfind("Content-Length", 0) == 0; }))
      out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
    out += "\r\n";
    if (request.method != "HEAD") out += response.body;
    ::send(client, out.data(), out.size(), MSG_NOSIGNAL);
  }
  static void parse_head(const std::string& head, CapturedRequest& request) {
    size_t line_end = head.find("\r\n");
    const std::string first = head.substr(0, line_end);
    const size_t s1 = first.find(' '), s2 = first.rfind(' ');
    request.method = first.substr(0, s1);
    request.target = first.substr(s1 + 1, s2 - s1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      const std::string line = head.substr(pos, end - pos);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
        size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        request.headers[name] = line.substr(v);
      }
      pos = end + 2;
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::deque<ScriptedResponse> script_;
  std::vector<CapturedRequest> requests_;
  std::thread thread_;
};

}  // namespace ct::objectstore::test
