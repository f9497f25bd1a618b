#pragma once
// One media worker's numbers at one moment, taken on its own thread
// (MediaWorker::collect_metrics) and handed to whoever renders them.
#include <cstddef>

#include "net/UdpSocket.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/Room.hpp"
#include "webrtc/MediaPort.hpp"

namespace ct::sfu {

struct WorkerMetrics {
  unsigned worker = 0;
  size_t rooms = 0;
  size_t echo_sessions = 0;
  RoomCensus census;              // summed over the worker's rooms
  MediaCounters media;            // since start: live objects plus those gone
  net::UdpSocket::Stats socket;   // the worker's one UDP port
  webrtc::MediaPort::Stats port;  // datagrams the port could not route
  // The worker thread's CPU time since it started (time spent handling
  // events, not waiting for them), and that time over the wall time of the
  // last whole second (0..1): how loaded the worker's loop is.
  double busy_seconds = 0;
  double loop_utilization = 0;
  // Tasks other threads posted to the worker that had not started when
  // these numbers were taken: a queue that only grows means a stalled loop.
  size_t queued_tasks = 0;
};

}  // namespace ct::sfu
