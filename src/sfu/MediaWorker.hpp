#pragma once
// A media worker: one thread, one event loop (net::EventLoop), one UDP port
// (MediaPort), and every session pinned to it (DESIGN.md §2). Other threads
// reach a worker only through post(); nothing on the media path takes a lock.
//
// The loop is the TURN thread's, not Asio's: at call rates (a camera sends
// ~143 packets/s) nearly every datagram wakes the thread, and each wake-up
// then costs one epoll_wait, the recvmmsg and one sendmmsg of the fan-out;
// Asio's reactor added an epoll_ctl to re-arm the socket and a timerfd
// re-arm for the tick on top (docs/benchmarks.md, "Low-rate wake-ups").
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/Clock.hpp"
#include "net/SocketAddress.hpp"
#include "sfu/MediaCounters.hpp"
#include "sfu/RoomEvents.hpp"

namespace ct::net {
class EventLoop;
}
namespace ct::dtls {
class DtlsCertificate;
}
namespace ct::webrtc {
class MediaPort;
}

namespace ct::sfu {

class EchoSession;
class Room;
struct RoomOptions;
struct WorkerMetrics;
class PacketTapFactory;
class RoomRecordingFactory;
class RoomRecordingFactory;
class RoomObserver;

struct MediaWorkerConfig {
  unsigned index = 0;
  net::SocketAddress bind;
  std::string announced_ip;
  bool aes_cm_only = false;
  Duration consent_timeout = seconds(30);
  Duration batch_window{0};                   // see net::EventLoop::set_batch_window
  Duration empty_room_timeout = seconds(20);  // an empty room closes after this
  size_t max_participants = 100;
  double drop_forwarded_fraction = 0;                // TEST ONLY fault injection, see RoomOptions
  bool subscriber_bwe = true;                        // see RoomOptions
  double drop_received_fraction = 0;                 // TEST ONLY fault injection, see RoomOptions
  const PacketTapFactory* taps = nullptr;            // see RoomOptions; outlives the worker
  const RoomRecordingFactory* recordings = nullptr;  // see RoomOptions; outlives the worker
  RoomObserver* observer = nullptr;                  // see RoomOptions; outlives the worker
};

class MediaWorker {
 public:
  // Binds the UDP port at once (throws with the address on failure).
  MediaWorker(MediaWorkerConfig config, const dtls::DtlsCertificate& certificate);
  ~MediaWorker();
  MediaWorker(const MediaWorker&) = delete;
  MediaWorker& operator=(const MediaWorker&) = delete;

  void start();  // starts the thread
  void stop();   // closes every session, stops and joins the thread
  void post(std::function<void()> task);
  unsigned index() const { return config_.index; }
  // The worker's event loop, for sockets that run on its thread (cascade links).
  net::EventLoop& loop() { return *loop_; }
  net::SocketAddress candidate_address() const;

  // --- Echo service (run on this worker's thread, via post) ---
  struct EchoResult {
    int status = 0;    // 201 created, 400 bad offer, 503 over capacity
    std::string id;    // resource id for DELETE
    std::string body;  // SDP answer, or the reason for an error
  };
  EchoResult create_echo(const std::string& offer_sdp);
  bool delete_echo(const std::string& id);
  size_t echo_session_count() const { return echo_sessions_.size(); }

  // --- Rooms (on this worker's thread) ---
  // The room of that name, created on first use with `settings`; a room
  // that exists keeps the settings it was created with.
  Room& room(const std::string& name, const RoomSettings& settings = {});
  Room* find_room(const std::string& name);
  size_t room_count() const { return rooms_.size(); }
  // Every room on this worker (the room service API's listing).
  std::vector<Room*> rooms();
  // Removes everyone with `reason` (event::Removed) and closes the room at
  // once. False if there is no such room.
  bool close_room(const std::string& name, std::string_view reason);
  // New settings for a room that exists (the room service API): they hold
  // for whoever joins next; a participant limit above the server's is the server's.
  void update_settings(Room& room, const RoomSettings& settings);

  // --- Metrics (on this worker's thread) ---
  WorkerMetrics collect_metrics() const;

 private:
  void on_tick();
  Duration empty_timeout(const RoomSettings& settings) const;
  RoomOptions options_for(const RoomSettings& settings);

  MediaWorkerConfig config_;
  const dtls::DtlsCertificate& certificate_;
  std::unique_ptr<net::EventLoop> loop_;
  std::unique_ptr<webrtc::MediaPort> port_;
  MediaCounters totals_;  // outlives the rooms, which feed it as they end
  std::unordered_map<std::string, std::unique_ptr<EchoSession>> echo_sessions_;
  struct RoomEntry {
    std::unique_ptr<Room> room;
    TimePoint empty_since{};
  };
  std::unordered_map<std::string, RoomEntry> rooms_;
  std::thread thread_;
  bool stopping_ = false;
  // Loop utilisation: the thread's CPU time over wall time, measured once a second on the tick.
  void measure_utilization(TimePoint now);
  TimePoint utilization_since_{};
  double busy_at_since_ = 0;  // the thread's CPU seconds at utilization_since_
  double utilization_ = 0;
  // Tasks posted from other threads and not yet started (the queue-depth gauge).
  std::atomic<size_t> queued_tasks_{0};
};

}  // namespace ct::sfu
