#include "cluster/RedisConnection.hpp"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include "cluster/ClusterStore.hpp"

namespace ct::cluster {

namespace {

RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.text.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::nil;
  }
  return out;
}

}  // namespace

void RedisConnection::FreeContext::operator()(redisContext* c) const { redisFree(c); }

RedisConnection::RedisConnection(RedisUrl url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

RedisConnection::~RedisConnection() = default;

void RedisConnection::connect() {
  timeval tv{};
  tv.tv_sec = timeout_.count() / 1000;
  tv.tv_usec = (timeout_.count() % 1000) * 1000;
  context_.reset(redisConnectWithTimeout(url_.host.c_str(), url_.port, tv));
  if (!context_) throw ClusterStoreError("redis: out of memory");
  if (context_->err) {
    std::string why = context_->errstr;
    context_.reset();
    throw ClusterStoreError("redis " + url_.endpoint() + ": " + why);
  }
  redisSetTimeout(context_.get(), tv);
  if (!url_.password.empty()) {
    auto r = command({"AUTH", url_.password});
    if (r.type == RedisReply::Type::error) {
      context_.reset();
      throw ClusterStoreError("redis " + url_.endpoint() + ": AUTH refused: " + r.text);
    }
  }
  if (url_.db != 0) {
    auto r = command({"SELECT", std::to_string(url_.db)});
    if (r.type == RedisReply::Type::error) {
      context_.reset();
      throw ClusterStoreError("redis " + url_.endpoint() + ": SELECT refused: " + r.text);
    }
  }
}

RedisReply RedisConnection::command(std::initializer_list<std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (auto a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return send(argv, lengths);
}

RedisReply RedisConnection::command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  return send(argv, lengths);
}

RedisReply RedisConnection::command_or_throw(const std::vector<std::string>& args) {
  RedisReply r = command(args);
  if (r.type == RedisReply::Type::error) throw ClusterStoreError("redis: " + args.at(0) + ": " + r.text);
  return r;
}

RedisReply RedisConnection::send(const std::vector<const char*>& argv, const std::vector<size_t>& lengths) {
  if (!context_) connect();
  void* raw = redisCommandArgv(context_.get(), int(argv.size()), const_cast<const char**>(argv.data()),
                               lengths.data());
  if (!raw) {
    std::string why = context_->errstr;
    context_.reset();  // hiredis: a context with an error cannot be used again
    throw ClusterStoreError("redis " + url_.endpoint() + ": " + why);
  }
  std::unique_ptr<redisReply, void (*)(void*)> reply(static_cast<redisReply*>(raw), freeReplyObject);
  return convert(reply.get());
}

}  // namespace ct::cluster
