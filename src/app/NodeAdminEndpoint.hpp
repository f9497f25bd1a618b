#pragma once
// This node's own administration over HTTP (docs/api.md, "Node"):
//   GET  /admin/node        id, region, cluster link, drain state (roomList grant)
//   POST /admin/node/drain  starts a drain, as SIGTERM does (roomCreate grant)
// Both take a Bearer access token, like the room service API, and are rate
// limited per client address (429 rate_limited with Retry-After).
#include <functional>

#include "app/NodeRouter.hpp"
#include "signal/ApiRateLimiter.hpp"

namespace ct::http {
class HttpServer;
}
namespace ct::signal {
class AccessTokenVerifier;
}

namespace ct::app {

class NodeAdminEndpoint {
 public:
  // Requests per client address: a status poll or a drain is rare.
  static constexpr double kRequestsPerSecond = 5;
  static constexpr double kRequestBurst = 40;

  // `drain` starts the drain on the front thread (idempotent); `node` outlives this.
  NodeAdminEndpoint(const signal::AccessTokenVerifier& verifier, const NodeRouter& node,
                    std::function<void()> drain);
  void install(http::HttpServer& server);

 private:
  const signal::AccessTokenVerifier& verifier_;
  const NodeRouter& node_;
  std::function<void()> drain_;
  signal::ApiRateLimiter limiter_{kRequestsPerSecond, kRequestBurst};
};

}  // namespace ct::app
