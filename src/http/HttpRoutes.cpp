#include "http/HttpRoutes.hpp"

#include <algorithm>

namespace ct::http {

void HttpRoutes::add(std::string method, std::string path, Handler handler) {
  routes_.push_back(Route{std::move(method), std::move(path), false, std::move(handler)});
}

void HttpRoutes::add_prefix(std::string method, std::string prefix, Handler handler) {
  routes_.push_back(Route{std::move(method), std::move(prefix), true, std::move(handler)});
}

void HttpRoutes::set_upgrade(std::string path, UpgradeHandler handler) {
  upgrades_[std::move(path)] = std::move(handler);
}

RouteMatch HttpRoutes::match(std::string_view method, std::string_view path) const {
  RouteMatch m;
  auto add_method = [&](const std::string& name) {
    if (std::find(m.methods.begin(), m.methods.end(), name) == m.methods.end()) m.methods.push_back(name);
  };
  for (const bool prefix : {false, true}) {
    const Route* best = nullptr;
    const Route* best_get = nullptr;
    for (const auto& r : routes_) {
      if (r.prefix != prefix) continue;
      if (prefix ? !path.starts_with(r.path) : r.path != path) continue;
      m.path_known = true;
      add_method(r.method);
      if (r.method == method && (best == nullptr || r.path.size() > best->path.size())) best = &r;
      if (r.method == "GET" && (best_get == nullptr || r.path.size() > best_get->path.size())) best_get = &r;
    }
    if (best == nullptr && method == "HEAD") best = best_get;
    if (best != nullptr) m.handler = &best->handler;
    if (m.path_known) break;
  }
  return m;
}

const UpgradeHandler* HttpRoutes::upgrade_for(const std::string& path) const {
  const auto it = upgrades_.find(path);
  return it == upgrades_.end() ? nullptr : &it->second;
}

}  // namespace ct::http
