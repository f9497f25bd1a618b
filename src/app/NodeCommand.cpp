#include "app/NodeCommand.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "app/ApiClient.hpp"
#include "app/RoomCommand.hpp"

namespace ct::app {

namespace {

struct NodeCallOptions {
  std::string url = "http://127.0.0.1:7880";
  TokenCreateOptions key;
};

void add_options(CLI::App* cmd, NodeCallOptions& o) {
  cmd->add_option("--url", o.url, "The node's URL")->capture_default_str();
  cmd->add_option("--api-key", o.key.api_key, "API key; env CIPHERTALK_API_KEY");
  cmd->add_option("--api-secret", o.key.api_secret, "Secret of the API key; env CIPHERTALK_API_SECRET");
  cmd->add_flag("--dev", o.key.dev, "Sign with the development key of `serve --dev`");
  cmd->add_option("-c,--config", o.key.config_file, "YAML file with keys: {KEY: SECRET}")
      ->check(CLI::ExistingFile);
}

void call(const char* command, NodeCallOptions o, const char* grant, const char* method, const char* path) {
  if (!o.key.dev && o.key.config_file.empty() && o.key.api_secret.empty()) {
    if (const char* secret = std::getenv("CIPHERTALK_API_SECRET")) o.key.api_secret = secret;
    if (const char* key = std::getenv("CIPHERTALK_API_KEY"); key && o.key.api_key.empty())
      o.key.api_key = key;
  }
  std::string token;
  if (auto err = make_api_token(o.key, "", {grant}, token)) {
    std::fprintf(stderr, "ciphertalk node %s: %s\n", command, err->c_str());
    throw CLI::RuntimeError(2);
  }
  auto r = ApiClient(o.url, token).request(method, path);
  if (r.status == 0 || r.status >= 400) {
    std::fprintf(stderr, "ciphertalk node %s: %s\n", command,
                 r.status == 0 ? r.error.c_str() : (std::to_string(r.status) + " " + r.body).c_str());
    throw CLI::RuntimeError(1);
  }
  std::printf("%s\n", r.body.c_str());
}

}  // namespace

void add_node_command(CLI::App& app) {
  auto* node = app.add_subcommand("node", "One node's state and drain (docs/api.md, \"Node\")");
  node->require_subcommand(1);
  {
    auto o = std::make_shared<NodeCallOptions>();
    auto* cmd = node->add_subcommand("status", "Print the node's id, region, cluster link and drain state");
    add_options(cmd, *o);
    cmd->callback([o] { call("status", *o, "room-list", "GET", "/admin/node"); });
  }
  {
    auto o = std::make_shared<NodeCallOptions>();
    auto* cmd = node->add_subcommand(
        "drain", "Drain the node as SIGTERM does: no new rooms or joins, exit when its calls have ended");
    add_options(cmd, *o);
    cmd->callback([o] { call("drain", *o, "room-create", "POST", "/admin/node/drain"); });
  }
}

}  // namespace ct::app
