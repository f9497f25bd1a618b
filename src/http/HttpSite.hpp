#pragma once
// What every connection of one HttpServer shares and keeps alive while it is
// open: the configuration, the routes, the static files and the registry of
// open connections. Everything but the registry is fixed once the server starts.
#include <optional>

#include "http/HttpRoutes.hpp"
#include "http/HttpServerConfig.hpp"
#include "http/OpenConnections.hpp"
#include "http/StaticFiles.hpp"

namespace ct::http {

struct HttpSite {
  HttpServerConfig config;
  HttpRoutes routes;
  std::optional<StaticFiles> static_files;
  OpenConnections connections;
};

}  // namespace ct::http
