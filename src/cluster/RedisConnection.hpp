#pragma once
// One blocking connection to Redis through hiredis, for the cluster thread
// only (never the media path or the front thread). Connects on first use and
// again after any failure; every call is bounded by a timeout. hiredis
// parses the protocol; this class turns its replies into values.
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/RedisUrl.hpp"

struct redisContext;

namespace ct::cluster {

struct RedisReply {
  enum class Type { nil, string, integer, array, status, error };
  Type type = Type::nil;
  std::string text;  // string, status or error
  long long integer = 0;
  std::vector<RedisReply> elements;
};

class RedisConnection {
 public:
  RedisConnection(RedisUrl url, std::chrono::milliseconds timeout);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Sends one command and waits for its reply (an error reply is returned,
  // not thrown). Throws ClusterStoreError when Redis cannot be reached or the
  // connection fails; the next call connects afresh.
  RedisReply command(std::initializer_list<std::string_view> args);
  RedisReply command(const std::vector<std::string>& args);
  // The same, with an error reply thrown as ClusterStoreError too.
  RedisReply command_or_throw(const std::vector<std::string>& args);

 private:
  void connect();
  RedisReply send(const std::vector<const char*>& argv, const std::vector<size_t>& lengths);

  struct FreeContext {
    void operator()(redisContext* c) const;
  };
  RedisUrl url_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<redisContext, FreeContext> context_;
};

}  // namespace ct::cluster
