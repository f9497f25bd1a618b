#pragma once
// `ciphertalk node status|drain --url URL`: one node's administration
// endpoint (docs/api.md, "Node"), with a one-minute token signed from
// --api-key/--api-secret (or CIPHERTALK_API_KEY/CIPHERTALK_API_SECRET,
// --config, --dev), as `ciphertalk room` does.
namespace CLI {
class App;
}

namespace ct::app {

void add_node_command(CLI::App& app);

}  // namespace ct::app
