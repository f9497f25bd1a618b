#pragma once
// The routes of one server: exact and prefix paths per method, and the paths
// whose WebSocket upgrades are handed over. Filled before the server starts,
// read-only afterwards (so connections on any thread read it without a lock).
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/HttpHandler.hpp"

namespace ct::http {

struct RouteMatch {
  const Handler* handler = nullptr;  // null when the path is known but not the method
  bool path_known = false;           // some route answers this path
  std::vector<std::string> methods;  // every method the path answers to
};

class HttpRoutes {
 public:
  void add(std::string method, std::string path, Handler handler);
  void add_prefix(std::string method, std::string prefix, Handler handler);
  void set_upgrade(std::string path, UpgradeHandler handler);

  // An exact path wins over every prefix; among prefixes the longest one that
  // has the method wins. HEAD is answered by a GET route when there is no HEAD
  // route (RFC 9110 §9.3.2).
  RouteMatch match(std::string_view method, std::string_view path) const;

  // The handler for WebSocket upgrades to exactly `path`, or null.
  const UpgradeHandler* upgrade_for(const std::string& path) const;

 private:
  struct Route {
    std::string method;
    std::string path;
    bool prefix = false;
    Handler handler;
  };

  std::vector<Route> routes_;
  std::unordered_map<std::string, UpgradeHandler> upgrades_;
};

}  // namespace ct::http
