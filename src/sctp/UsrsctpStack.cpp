#include "sctp/UsrsctpStack.hpp"

#include <arpa/inet.h>
#include <usrsctp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <unordered_map>

namespace ct::sctp {

namespace {

using detail::SctpInbox;

// Ids never repeat, so a stale id from a lingering usrsctp timer can never
// reach a newer association.
struct Registry {
  std::mutex mutex;
  uintptr_t next_id = 1;
  std::unordered_map<uintptr_t, std::shared_ptr<SctpInbox>> inboxes;
};

Registry& registry() {
  static Registry instance;
  return instance;
}

std::shared_ptr<SctpInbox> find_inbox(void* id) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.inboxes.find(reinterpret_cast<uintptr_t>(id));
  return it == r.inboxes.end() ? nullptr : it->second;
}

// usrsctp's packet output for AF_CONN: `addr` is the association id.
int on_conn_output(void* addr, void* buffer, size_t length, uint8_t /*tos*/, uint8_t /*set_df*/) {
  if (auto inbox = find_inbox(addr)) {
    inbox->push({.kind = SctpInbox::Event::Kind::Packet}, buffer, length);
  }
  return 0;
}

// usrsctp's receive callback: user messages (whole, or a piece without
// MSG_EOR), notifications, or data == null when the peer closed. The buffer
// is ours to free().
int on_receive(struct socket* /*sock*/, union sctp_sockstore /*addr*/, void* data, size_t length,
               struct sctp_rcvinfo info, int flags, void* ulp_info) {
  using Kind = SctpInbox::Event::Kind;
  if (auto inbox = find_inbox(ulp_info)) {
    if (data == nullptr) {
      inbox->push({.kind = Kind::PeerClosed}, nullptr, 0);
    } else if (flags & MSG_NOTIFICATION) {
      inbox->push({.kind = Kind::Notification, .flags = flags}, data, length);
    } else {
      inbox->push(
          {.kind = Kind::Message, .stream = info.rcv_sid, .ppid = ntohl(info.rcv_ppid), .flags = flags}, data,
          length);
    }
  }
  std::free(data);
  return 1;
}

}  // namespace

void UsrsctpStack::ensure_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Port 0: no UDP encapsulation; no threads: timers run in handle_timers().
    usrsctp_init_nothreads(0, &on_conn_output, nullptr);
    // DTLS already authenticates the peer (RFC 8261) and there is one AF_CONN
    // address, so SCTP-AUTH and ASCONF add nothing; ECN marks on the outer
    // UDP packets never reach an SCTP stack inside DTLS.
    usrsctp_sysctl_set_sctp_auth_enable(0);
    usrsctp_sysctl_set_sctp_asconf_enable(0);
    usrsctp_sysctl_set_sctp_ecn_enable(0);
    // Partial reliability (RFC 3758) and stream reset (RFC 6525) are what
    // data channels need (RFC 8831 §6.1).
    usrsctp_sysctl_set_sctp_pr_enable(1);
    usrsctp_sysctl_set_sctp_reconfig_enable(1);
    usrsctp_sysctl_set_sctp_nrsack_enable(0);
    usrsctp_sysctl_set_sctp_pktdrop_enable(0);
  });
}

uintptr_t UsrsctpStack::add(std::shared_ptr<detail::SctpInbox> inbox) {
  ensure_initialized();
  Registry& r = registry();
  uintptr_t id;
  {
    std::lock_guard lock(r.mutex);
    id = r.next_id++;
    r.inboxes.emplace(id, std::move(inbox));
  }
  usrsctp_register_address(reinterpret_cast<void*>(id));
  return id;
}

void UsrsctpStack::remove(uintptr_t id) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.inboxes.erase(id);
}

struct ::socket* UsrsctpStack::open_socket(uintptr_t id) {
  return usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, &on_receive, nullptr, 0,
                        reinterpret_cast<void*>(id));
}

void UsrsctpStack::handle_timers(TimePoint now) {
  ensure_initialized();
  // usrsctp's callout wheel keeps its "current/next timer" in globals, so two
  // threads must never tick it at once: the loser of try_lock skips, and its
  // time is counted by the next tick since `last_ms` only moves on a tick.
  static std::mutex ticking;
  static std::atomic<int64_t> last_ms{-1};
  std::unique_lock lock(ticking, std::try_to_lock);
  if (!lock.owns_lock()) return;
  const int64_t now_ms = std::chrono::duration_cast<milliseconds>(now.time_since_epoch()).count();
  const int64_t previous = last_ms.load(std::memory_order_relaxed);
  if (previous >= 0 && now_ms <= previous) return;
  last_ms.store(now_ms, std::memory_order_relaxed);
  if (previous < 0) return;  // the first tick only sets the epoch
  usrsctp_handle_timers(uint32_t(std::min<int64_t>(now_ms - previous, INT32_MAX)));
}

}  // namespace ct::sctp
