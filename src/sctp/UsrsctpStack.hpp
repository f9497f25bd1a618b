#pragma once
// What usrsctp's callbacks queue for one association's owner, and the
// process-wide usrsctp they come from. usrsctp is one global stack with
// callbacks that may run on any thread that drives it; each association
// gets an id that never repeats, and the callbacks find its inbox through a
// registry, so a stale id from a lingering timer can never reach a newer
// association. The owner drains the inbox on its own thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/Clock.hpp"

struct socket;

namespace ct::sctp {

// Packets and events the usrsctp callbacks queue for the owner. Payloads go
// into one byte buffer so a steady flow reuses the same allocations.
namespace detail {
struct SctpInbox {
  struct Event {
    enum class Kind : uint8_t { Packet, Message, Notification, PeerClosed };
    Kind kind = Kind::Packet;
    uint16_t stream = 0;
    uint32_t ppid = 0;  // host order
    int flags = 0;      // MSG_EOR, MSG_NOTIFICATION
    size_t offset = 0;
    size_t length = 0;
  };

  std::mutex mutex;
  std::vector<Event> events;
  std::vector<uint8_t> bytes;

  void push(Event event, const void* data, size_t length) {
    std::lock_guard lock(mutex);
    event.offset = bytes.size();
    event.length = length;
    if (length > 0) {
      const auto* begin = static_cast<const uint8_t*>(data);
      bytes.insert(bytes.end(), begin, begin + length);
    }
    events.push_back(event);
  }
};
}  // namespace detail

// The process-wide usrsctp stack (AF_CONN, no threads of its own: timers run
// when an owner calls usrsctp_handle_timers).
class UsrsctpStack {
 public:
  // Initializes usrsctp once per process.
  static void ensure_initialized();
  // Registers `inbox` under a new id, which is also the AF_CONN address.
  static uintptr_t add(std::shared_ptr<detail::SctpInbox> inbox);
  // From here on, a callback on any thread finds nothing for `id`.
  static void remove(uintptr_t id);
  // A socket whose received messages go to the inbox registered as `id`.
  static struct ::socket* open_socket(uintptr_t id);
  // Runs usrsctp's timers for every association (see SctpAssociation::handle_timers).
  static void handle_timers(TimePoint now);
};

}  // namespace ct::sctp
