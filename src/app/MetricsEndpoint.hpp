#pragma once
// GET /metrics: Prometheus text for the whole process — the media workers
// (rooms, tracks, packets, drops), signaling (connections, errors, closes),
// the embedded or standalone TURN server, and the process itself.
//
// Each worker's numbers are taken on its own thread (a posted task), so the
// media path keeps plain counters and takes no lock; the answers come back to
// the HTTP thread and the response goes out when every worker has answered.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/CascadeController.hpp"
#include "app/NodeRouter.hpp"
#include "http/HttpHandler.hpp"
#include "metrics/ProcessMetrics.hpp"
#include "record/RecordingUploader.hpp"
#include "sfu/WorkerMetrics.hpp"
#include "signal/RoomServiceApi.hpp"
#include "signal/RtcService.hpp"
#include "signal/WhepEndpoint.hpp"
#include "signal/WhipEndpoint.hpp"
#include "turn/TurnStats.hpp"
#include "webhook/WebhookSender.hpp"

namespace boost::asio {
class io_context;
}
namespace ct::http {
class HttpServer;
}
namespace ct::sfu {
class MediaWorker;
}
namespace ct::turn {
class TurnServer;
}

namespace ct::app {

struct MetricsSources {
  std::vector<sfu::MediaWorker*> workers;
  const signal::RtcService* rtc = nullptr;
  const turn::TurnServer* turn = nullptr;
  const record::RecordingUploader* uploader = nullptr;  // object storage and retention of recordings
  const webhook::WebhookSender* webhooks = nullptr;     // --webhook-url
  const signal::WhipEndpoint* whip = nullptr;           // WHIP ingest sessions and requests
  const NodeRouter* node = nullptr;                     // node id, cluster and drain state
  const signal::RoomServiceApi* room_api = nullptr;     // its rate limit's refusals
  const signal::WhepEndpoint* whep = nullptr;           // WHEP playback sessions and requests
  const CascadeController* cascade = nullptr;           // --cascade: links to other nodes
};

class MetricsEndpoint {
 public:
  struct Snapshot {
    std::vector<sfu::WorkerMetrics> workers;  // in worker order
    std::optional<signal::RtcService::Stats> signal;
    std::optional<turn::TurnStats> turn;
    std::optional<record::RecordingUploader::Stats> uploads;
    std::optional<webhook::WebhookSender::Stats> webhooks;
    std::optional<signal::WhipEndpoint::Stats> whip;
    std::vector<signal::RequestLatency::Histogram> request_latency;  // by signaling request type
    std::optional<uint64_t> api_rate_limited;                        // room service API 429s
    metrics::ProcessMetrics process;
    std::optional<NodeRouter::Status> node;
    std::optional<signal::WhepEndpoint::Stats> whep;
    std::string cascade;  // CascadeController::metrics_text
  };

  // `http_io` is the HTTP server's io_context (its one thread).
  MetricsEndpoint(boost::asio::io_context& http_io, MetricsSources sources);
  void install(http::HttpServer& server);

  static std::string render(const Snapshot& snapshot);

 private:
  // One scrape being gathered; touched on the HTTP thread only.
  struct Gather {
    Snapshot snapshot;
    size_t pending = 0;  // workers yet to answer
    std::vector<http::Responder> waiting;
  };
  void scrape(http::Responder respond);
  void finish();

  boost::asio::io_context& http_io_;
  MetricsSources sources_;
  std::shared_ptr<Gather> in_flight_;
};

}  // namespace ct::app
