#pragma once
// A room that spans nodes (docs/operations.md, "Cascade"): this node's side
// of it. Each media worker gets a link socket (CascadeWorker, --cascade-port
// + worker index). A join the node router serves here as a cascaded part of
// a room makes the room cascaded here; twice a second, for each such room,
// this node writes its field in the room's Redis hash and sends every other
// live node serving the room (and the room's home) its link offer and its
// part of the room, in a signed POST /internal/cascade; the answer carries
// the other node's. Redis and those HTTP calls run on the controller's own
// thread, never the front thread or a media worker.
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/Config.hpp"
#include "cluster/NodeEntry.hpp"
#include "http/HttpHandler.hpp"

namespace ct::sfu {
class MediaWorker;
}
namespace ct::http {
class HttpServer;
}
namespace ct::cascade {
class CascadeWorker;
}

namespace ct::app {

class CascadeController {
 public:
  static constexpr const char* kPath = "/internal/cascade";

  // The IP address of --node-url, where other nodes send this node's links;
  // nothing when that URL names a host (links need an address to send to).
  static std::optional<std::string> link_host(const Config& config);

  // Binds one link socket per worker (throws std::system_error naming the
  // address). Before the workers start; `workers` outlive this.
  CascadeController(const Config& config, std::vector<sfu::MediaWorker*> workers);
  // After stop() and after the workers stopped.
  ~CascadeController();
  CascadeController(const CascadeController&) = delete;
  CascadeController& operator=(const CascadeController&) = delete;

  void install(http::HttpServer& server);
  void start();
  // Before the workers stop: ends the rounds (this node's fields stay until they expire).
  void stop();

  // Any thread: `room`, whose home is `home`, is served here too from now on.
  void serve(const std::string& room, const cluster::NodeEntry& home);

  // Prometheus lines (ciphertalk_cascade_*), as of the last round.
  std::string metrics_text() const;

 private:
  struct Thread;
  struct Served {
    cluster::NodeEntry home;
    std::chrono::steady_clock::time_point since;  // the join that made it cascaded here
  };
  void schedule_round();
  void round();
  void round_for(const std::string& room, const Served& served);
  void handle(http::HttpRequest request, http::Responder respond);
  std::string credential() const;
  bool credential_ok(const http::HttpRequest& request) const;
  sfu::MediaWorker& worker_for(const std::string& room) const;
  cascade::CascadeWorker& cascade_of(const sfu::MediaWorker& worker) const;
  void collect_metrics();

  const Config& config_;
  std::vector<sfu::MediaWorker*> workers_;
  std::vector<std::unique_ptr<cascade::CascadeWorker>> cascades_;  // same order as workers_
  std::string link_host_;                                          // the IP other nodes send to
  std::unique_ptr<Thread> thread_;
  mutable std::mutex mutex_;
  std::map<std::string, Served> rooms_;  // cascaded here
  std::string metrics_;
};

}  // namespace ct::app
