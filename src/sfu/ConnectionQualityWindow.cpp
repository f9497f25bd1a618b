#include "sfu/ConnectionQualityWindow.hpp"

#include <algorithm>

namespace ct::sfu {

void ConnectionQualityWindow::on_loss(double fraction) { loss_ = std::max(loss_, fraction); }

void ConnectionQualityWindow::on_round_trip(Duration rtt) {
  if (!rtt_ || rtt > *rtt_) rtt_ = rtt;
}

ConnectionQualityWindow::Update ConnectionQualityWindow::close(TimePoint now, const Upstream& upstream,
                                                               const std::optional<Downstream>& downstream) {
  if (std::exchange(settling_, false)) {
    Update update = close_unjudged(upstream);
    settling_ = false;
    return update;
  }
  ConnectionQualityEstimator::Window window;
  window.loss = std::max(loss_, upstream.loss);
  window.rtt = rtt_;
  loss_ = 0;
  rtt_.reset();

  // Upstream: silence of a track that should be sending.
  if (upstream.expecting && upstream.connected && upstream.packets_in == last_upstream_packets_)
    window.silent = true;
  last_upstream_packets_ = upstream.packets_in;
  // Downstream: the browser's reports on what we send it stopped.
  if (downstream && downstream->receiving && downstream->connected &&
      now - downstream->last_report > kReportSilence)
    window.silent = true;
  if (upstream.closed || (downstream && downstream->closed)) window.silent = true;

  ConnectionQuality quality = estimator_.update(window);
  Update update{quality, false};
  update.changed = reported_ != update.label();
  reported_ = update.label();
  return update;
}

ConnectionQualityWindow::Update ConnectionQualityWindow::close_unjudged(const Upstream& upstream) {
  loss_ = 0;
  rtt_.reset();
  last_upstream_packets_ = upstream.packets_in;
  estimator_ = ConnectionQualityEstimator{};
  settling_ = true;
  Update update{estimator_.current(), false, false};
  update.changed = reported_ != update.label();
  reported_ = update.label();
  return update;
}

}  // namespace ct::sfu
