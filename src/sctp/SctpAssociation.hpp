#pragma once
// One SCTP association carried in DTLS records (RFC 8261) for WebRTC data
// channels (RFC 8831), channels opened with DCEP (RFC 8832). Built on usrsctp
// with AF_CONN addresses: it has no socket of its own; SCTP packets come in
// through receive() and go out through Listener::on_sctp_packet(), which the
// owner hands to its DTLS transport.
//
// Threading. usrsctp is one stack per process and runs its callbacks (packet
// output, received messages, notifications) on whatever thread is inside
// usrsctp at the time: the owner's receive()/send(), or any worker running
// handle_timers() for all associations at once. So callbacks never touch an
// association. Each association has a process-unique id, used as its AF_CONN
// address and as the socket's ulp_info; a callback looks the id up in a small
// mutex-guarded registry and appends the packet or event to that
// association's inbox under the inbox's own mutex. The destructor removes the
// id first, so a callback racing with destruction finds nothing. The owner
// calls drain() (receive(), send(), open_channel() and close_channel() do so
// themselves; the owner's tick should too), which swaps the inbox out and
// calls the Listener on the owner thread. Data channels are not the media
// path; media never takes these locks.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "sctp/DcepMessage.hpp"

struct socket;  // usrsctp's

namespace ct::sctp {

namespace detail {
struct SctpInbox;  // what the usrsctp callbacks queue for the owner, see UsrsctpStack.hpp
}

// The DTLS role of this end, which fixes the parity of the stream ids it
// picks for channels it opens (RFC 8832 §6): client even, server odd.
enum class DtlsRole { Client, Server };

struct SctpCounters {
  uint64_t packets_in = 0;       // handed to usrsctp
  uint64_t packets_out = 0;      // given to on_sctp_packet
  uint64_t packets_dropped = 0;  // too short to be SCTP, or before start()
  uint64_t messages_in = 0;      // user messages delivered
  uint64_t bytes_in = 0;
  uint64_t messages_out = 0;  // user messages accepted by send()
  uint64_t bytes_out = 0;
  uint64_t messages_dropped_in = 0;   // no such channel, unknown PPID, bad DCEP, too large
  uint64_t messages_dropped_out = 0;  // send() refused or usrsctp had no room
};

class SctpAssociation {
 public:
  // Called on the owner thread from drain(). A listener may call send(),
  // open_channel() and close_channel() from these, but must not destroy the
  // association from inside one.
  class Listener {
   public:
    virtual ~Listener() = default;
    // One SCTP packet: send it as one DTLS application data record.
    virtual void on_sctp_packet(std::span<const uint8_t> packet) = 0;
    virtual void on_sctp_connected() = 0;
    // The association ended (ABORT, SHUTDOWN, or the peer stopped answering).
    virtual void on_sctp_closed() = 0;
    // The peer opened a channel with DATA_CHANNEL_OPEN; the ACK is already sent.
    virtual void on_channel_open(uint16_t stream, const ChannelInfo& info) = 0;
    virtual void on_channel_message(uint16_t stream, bool binary, std::span<const uint8_t> message) = 0;
    // Both directions reset (RFC 8831 §6.7), or the association closed.
    virtual void on_channel_closed(uint16_t stream) = 0;
    // The peer acknowledged a channel we opened (DATA_CHANNEL_ACK, or any
    // message on it, RFC 8832 §6).
    virtual void on_channel_acked(uint16_t /*stream*/) {}
  };

  static constexpr uint16_t kDefaultPort = 5000;  // RFC 8841 §5: a=sctp-port default
  // Streams offered each way in INIT (SCTP_INITMSG).
  static constexpr uint16_t kStreamCount = 1024;
  // What we accept (announce as a=max-message-size, RFC 8841 §6) and the
  // largest we send.
  static constexpr size_t kLocalMaxMessageSize = 256 * 1024;
  // RFC 8841 §6.1: without a=max-message-size the peer takes 64 KiB.
  static constexpr size_t kDefaultRemoteMaxMessageSize = 64 * 1024;
  // SCTP packet size: leaves room for the DTLS record header and the
  // largest AEAD/CBC expansion inside a 1200-byte datagram.
  static constexpr uint32_t kSctpMtu = 1150;

  SctpAssociation(Listener& listener, DtlsRole role);
  ~SctpAssociation();
  SctpAssociation(const SctpAssociation&) = delete;
  SctpAssociation& operator=(const SctpAssociation&) = delete;

  // Creates the socket and connects (both ends connect, RFC 8841 §5; usrsctp
  // resolves the INIT collision). Ports from a=sctp-port. False if usrsctp
  // refuses or start() was already called.
  bool start(uint16_t local_port = kDefaultPort, uint16_t remote_port = kDefaultPort);

  // One SCTP packet, the content of a DTLS application data record.
  void receive(std::span<const uint8_t> packet);

  // Sends DATA_CHANNEL_OPEN (PPID 50) on the lowest unused stream of our
  // parity. nullopt if not connected, no stream is free, or the label or
  // protocol is too long.
  std::optional<uint16_t> open_channel(std::string_view label, std::string_view protocol, ChannelType type,
                                       uint32_t reliability_parameter = 0,
                                       uint16_t priority = kPriorityNormal);

  // One user message (PPID 51/53; 56/57 when empty, RFC 8831 §6.6) with the
  // channel's ordering and partial reliability. False (and counted) if the
  // channel is unknown or closing, the message exceeds max_message_size(),
  // or usrsctp's send buffer has no room for it.
  bool send(uint16_t stream, bool binary, std::span<const uint8_t> message);

  // Resets our outgoing stream (RFC 8831 §6.7); the channel is gone once the
  // peer resets its side. False if there is no such open channel.
  bool close_channel(uint16_t stream);

  // Delivers queued packets and events to the Listener, on this thread.
  void drain();

  // Runs usrsctp's timers for every association in the process. Any thread
  // may call it (each worker from its tick); time only moves forward, and a
  // call while another thread is inside usrsctp's timer wheel returns at
  // once (the wheel is not safe to run from two threads, and the elapsed
  // time is simply counted on the next call).
  static void handle_timers(TimePoint now);

  // From the peer's a=max-message-size; 0 means no limit (RFC 8841 §6).
  void set_remote_max_message_size(size_t bytes) { remote_max_message_size_ = bytes; }
  // The largest message send() accepts.
  size_t max_message_size() const;

  bool connected() const { return connected_; }
  bool closed() const { return closed_; }
  DtlsRole role() const { return role_; }
  // An open or closing channel, null otherwise.
  const ChannelInfo* channel(uint16_t stream) const;
  bool channel_acknowledged(uint16_t stream) const;
  const SctpCounters& counters() const { return counters_; }

 private:
  struct Channel {
    ChannelInfo info;
    bool opened_locally = false;
    bool acknowledged = false;
    bool outgoing_reset_requested = false;
    bool outgoing_reset_done = false;
    bool incoming_reset = false;
  };

  void configure_socket();
  void dispatch_message(uint16_t stream, uint32_t ppid, std::span<const uint8_t> data);
  void handle_dcep(uint16_t stream, std::span<const uint8_t> data);
  void handle_notification(std::span<const uint8_t> data);
  void handle_stream_reset(std::span<const uint8_t> data);
  void handle_association_closed();
  bool send_raw(uint16_t stream, uint32_t ppid, std::span<const uint8_t> payload, ChannelType type,
                uint32_t reliability_parameter, bool ordered);
  void request_outgoing_reset(uint16_t stream);
  void flush_pending_resets();
  void erase_if_fully_reset(uint16_t stream);

  Listener& listener_;
  DtlsRole role_;
  uintptr_t id_;  // AF_CONN address and registry key
  std::shared_ptr<detail::SctpInbox> inbox_;
  std::unique_ptr<detail::SctpInbox> processing_;  // the swapped-out inbox drain() walks
  struct ::socket* socket_ = nullptr;
  bool draining_ = false;
  bool connected_ = false;
  bool closed_ = false;
  uint16_t outbound_streams_ = 0;
  uint16_t inbound_streams_ = 0;
  size_t remote_max_message_size_ = kDefaultRemoteMaxMessageSize;
  std::map<uint16_t, Channel> channels_;
  std::vector<uint16_t> pending_resets_;
  // A message usrsctp delivers in pieces (partial delivery, RFC 4960 §6.9
  // reassembly handed up early); with fragment interleave off only one is
  // in progress at a time.
  std::vector<uint8_t> partial_message_;
  uint16_t partial_stream_ = 0;
  bool partial_too_large_ = false;
  SctpCounters counters_;
};

}  // namespace ct::sctp
