#include "sctp/SctpAssociation.hpp"

#include <arpa/inet.h>
#include <usrsctp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "core/Log.hpp"
#include "sctp/UsrsctpStack.hpp"

namespace ct::sctp {

using detail::SctpInbox;

SctpAssociation::SctpAssociation(Listener& listener, DtlsRole role)
    : listener_(listener),
      role_(role),
      inbox_(std::make_shared<SctpInbox>()),
      processing_(std::make_unique<SctpInbox>()) {
  id_ = UsrsctpStack::add(inbox_);
}

SctpAssociation::~SctpAssociation() {
  // Unregister first: from here on, a callback on any thread finds nothing.
  // Never hold our locks while calling into usrsctp (its callbacks take them).
  UsrsctpStack::remove(id_);
  if (socket_) usrsctp_close(socket_);  // SO_LINGER 0: ABORT and free now
  usrsctp_deregister_address(reinterpret_cast<void*>(id_));
}

namespace {

template <typename T>
bool set_option(struct ::socket* s, int level, int name, const T& value, const char* what) {
  if (usrsctp_setsockopt(s, level, name, &value, socklen_t(sizeof(value))) == 0) return true;
  spdlog::warn("sctp: setsockopt {} failed: {}", what, std::strerror(errno));
  return false;
}

sockaddr_conn conn_address(uintptr_t id, uint16_t port) {
  sockaddr_conn address{};
  address.sconn_family = AF_CONN;
  address.sconn_port = htons(port);
  address.sconn_addr = reinterpret_cast<void*>(id);
  return address;
}

}  // namespace

void SctpAssociation::configure_socket() {
  usrsctp_set_non_blocking(socket_, 1);
  // Close is an ABORT that frees the association at once: nothing may
  // linger and call back for an association that is gone.
  const linger no_linger{1, 0};
  set_option(socket_, SOL_SOCKET, SO_LINGER, no_linger, "SO_LINGER");
  // Room for a few whole messages of the largest size, so a send either
  // fits whole or is refused (no partial writes without explicit EOR).
  const int buffer_size = int(4 * kLocalMaxMessageSize);
  set_option(socket_, SOL_SOCKET, SO_SNDBUF, buffer_size, "SO_SNDBUF");
  set_option(socket_, SOL_SOCKET, SO_RCVBUF, buffer_size, "SO_RCVBUF");

  const sctp_assoc_value reset{SCTP_FUTURE_ASSOC, SCTP_ENABLE_RESET_STREAM_REQ};
  set_option(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset, "SCTP_ENABLE_STREAM_RESET");
  // Messages are sent as they come; data channels are latency-sensitive.
  set_option(socket_, IPPROTO_SCTP, SCTP_NODELAY, 1, "SCTP_NODELAY");
  set_option(socket_, IPPROTO_SCTP, SCTP_RECVRCVINFO, 1, "SCTP_RECVRCVINFO");
  // No fragment interleaving: one partially delivered message at a time.
  // (I-DATA, RFC 8260, is off by default in usrsctp and browsers do not use it.)
  set_option(socket_, IPPROTO_SCTP, SCTP_FRAGMENT_INTERLEAVE, 0, "SCTP_FRAGMENT_INTERLEAVE");
  // One send is one whole message (explicit EOR stays off).
  set_option(socket_, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, 0, "SCTP_EXPLICIT_EOR");

  sctp_initmsg init{};
  init.sinit_num_ostreams = kStreamCount;
  init.sinit_max_instreams = kStreamCount;
  set_option(socket_, IPPROTO_SCTP, SCTP_INITMSG, init, "SCTP_INITMSG");

  for (uint16_t type :
       {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_STREAM_CHANGE_EVENT, SCTP_SHUTDOWN_EVENT}) {
    sctp_event event{};
    event.se_assoc_id = SCTP_FUTURE_ASSOC;
    event.se_type = type;
    event.se_on = 1;
    set_option(socket_, IPPROTO_SCTP, SCTP_EVENT, event, "SCTP_EVENT");
  }
}

bool SctpAssociation::start(uint16_t local_port, uint16_t remote_port) {
  if (socket_) return false;
  socket_ = UsrsctpStack::open_socket(id_);
  if (!socket_) {
    spdlog::warn("sctp: usrsctp_socket failed: {}", std::strerror(errno));
    return false;
  }
  configure_socket();

  sockaddr_conn local = conn_address(id_, local_port);
  if (usrsctp_bind(socket_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
    spdlog::warn("sctp: bind to port {} failed: {}", local_port, std::strerror(errno));
    return false;
  }
  sockaddr_conn remote = conn_address(id_, remote_port);
  if (usrsctp_connect(socket_, reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0 &&
      errno != EINPROGRESS) {
    spdlog::warn("sctp: connect failed: {}", std::strerror(errno));
    return false;
  }
  // The path is DTLS over UDP: fixed MTU, no path MTU discovery probes.
  sctp_paddrparams params{};
  std::memcpy(&params.spp_address, &remote, sizeof(remote));
  params.spp_flags = SPP_PMTUD_DISABLE;
  params.spp_pathmtu = kSctpMtu;
  set_option(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, params, "SCTP_PEER_ADDR_PARAMS");
  drain();
  return true;
}

void SctpAssociation::receive(std::span<const uint8_t> packet) {
  // RFC 4960 §3.1: the common header alone is 12 bytes.
  if (!socket_ || packet.size() < 12) {
    ++counters_.packets_dropped;
    return;
  }
  ++counters_.packets_in;
  // usrsctp checks the CRC32c and drops what does not parse.
  usrsctp_conninput(reinterpret_cast<void*>(id_), packet.data(), packet.size(), 0);
  drain();
}

void SctpAssociation::drain() {
  if (draining_) return;  // a Listener call re-entered; the outer loop goes on
  draining_ = true;
  using Kind = SctpInbox::Event::Kind;
  for (;;) {
    flush_pending_resets();
    {
      std::lock_guard lock(inbox_->mutex);
      if (inbox_->events.empty()) break;
      std::swap(inbox_->events, processing_->events);
      std::swap(inbox_->bytes, processing_->bytes);
    }
    for (const SctpInbox::Event& event : processing_->events) {
      const auto data = std::span<const uint8_t>(processing_->bytes).subspan(event.offset, event.length);
      switch (event.kind) {
        case Kind::Packet:
          ++counters_.packets_out;
          listener_.on_sctp_packet(data);
          break;
        case Kind::Notification:
          handle_notification(data);
          break;
        case Kind::PeerClosed:
          handle_association_closed();
          break;
        case Kind::Message: {
          // Pieces of one message arrive in order without MSG_EOR until the last.
          const bool last = (event.flags & MSG_EOR) != 0;
          if (partial_message_.empty() && !partial_too_large_ && last) {
            dispatch_message(event.stream, event.ppid, data);
            break;
          }
          if ((!partial_message_.empty() || partial_too_large_) && partial_stream_ != event.stream) {
            partial_message_.clear();  // cannot happen without interleaving; do not mix streams
            partial_too_large_ = false;
            ++counters_.messages_dropped_in;
          }
          partial_stream_ = event.stream;
          if (partial_message_.size() + data.size() > kLocalMaxMessageSize) {
            partial_too_large_ = true;
            partial_message_.clear();
          } else if (!partial_too_large_) {
            partial_message_.insert(partial_message_.end(), data.begin(), data.end());
          }
          if (last) {
            if (partial_too_large_) {
              ++counters_.messages_dropped_in;
            } else {
              dispatch_message(event.stream, event.ppid, partial_message_);
            }
            partial_message_.clear();
            partial_too_large_ = false;
          }
          break;
        }
      }
    }
    processing_->events.clear();
    processing_->bytes.clear();
  }
  draining_ = false;
}

void SctpAssociation::dispatch_message(uint16_t stream, uint32_t ppid, std::span<const uint8_t> data) {
  if (ppid == kPpidDcep) {
    handle_dcep(stream, data);
    return;
  }
  const bool binary = ppid == kPpidBinary || ppid == kPpidBinaryEmpty;
  const bool empty = ppid == kPpidStringEmpty || ppid == kPpidBinaryEmpty;
  auto it = channels_.find(stream);
  if ((!binary && ppid != kPpidString && ppid != kPpidStringEmpty) || data.size() > kLocalMaxMessageSize ||
      it == channels_.end() || it->second.incoming_reset || it->second.outgoing_reset_requested) {
    ++counters_.messages_dropped_in;
    return;
  }
  bool newly_acked = false;
  if (it->second.opened_locally && !it->second.acknowledged) {
    // RFC 8832 §6: a user message before the ACK acknowledges the channel.
    it->second.acknowledged = true;
    newly_acked = true;
  }
  // RFC 8831 §6.6: an empty message travels as one byte to be ignored.
  if (empty) data = {};
  ++counters_.messages_in;
  counters_.bytes_in += data.size();
  if (newly_acked) listener_.on_channel_acked(stream);
  listener_.on_channel_message(stream, binary, data);
}

void SctpAssociation::handle_dcep(uint16_t stream, std::span<const uint8_t> data) {
  DcepError error = DcepError::None;
  auto message = DcepMessage::parse(data, &error);
  if (!message) {
    spdlog::debug("sctp: dropped a DCEP message on stream {} (error {})", stream, int(error));
    ++counters_.messages_dropped_in;
    return;
  }
  auto it = channels_.find(stream);
  if (message->type == DcepMessageType::Ack) {
    if (it == channels_.end() || !it->second.opened_locally || it->second.acknowledged) {
      ++counters_.messages_dropped_in;
      return;
    }
    it->second.acknowledged = true;
    listener_.on_channel_acked(stream);
    return;
  }
  // DATA_CHANNEL_OPEN. A stream still in use (or not yet fully reset) cannot
  // carry a new channel (RFC 8832 §6). An OPEN on a stream of our own parity
  // is accepted if that stream is free: refusing it would only break a peer
  // that got its DTLS role wrong, and open_channel() skips used streams.
  if (it != channels_.end() || stream >= inbound_streams_ || stream >= outbound_streams_) {
    ++counters_.messages_dropped_in;
    return;
  }
  // RFC 8832 §6: answer on the same stream, ordered and reliable.
  if (!send_raw(stream, kPpidDcep, DcepMessage::serialize_ack(), ChannelType::Reliable, 0, true)) {
    ++counters_.messages_dropped_in;
    return;
  }
  Channel& channel = channels_[stream];
  channel.info = std::move(message->open);
  channel.acknowledged = true;
  const ChannelInfo info = channel.info;  // the listener may change channels_
  listener_.on_channel_open(stream, info);
}

void SctpAssociation::handle_notification(std::span<const uint8_t> data) {
  // Every notification starts with its type (u16, host order), RFC 6458 §6.1.
  uint16_t type = 0;
  if (data.size() < sizeof(type)) return;
  std::memcpy(&type, data.data(), sizeof(type));
  switch (type) {
    case SCTP_ASSOC_CHANGE: {
      sctp_assoc_change change{};
      if (data.size() < sizeof(change)) return;
      std::memcpy(&change, data.data(), sizeof(change));
      switch (change.sac_state) {
        case SCTP_COMM_UP:
        case SCTP_RESTART:
          outbound_streams_ = change.sac_outbound_streams;
          inbound_streams_ = change.sac_inbound_streams;
          if (!connected_ && !closed_) {
            connected_ = true;
            listener_.on_sctp_connected();
          }
          break;
        case SCTP_COMM_LOST:
        case SCTP_SHUTDOWN_COMP:
        case SCTP_CANT_STR_ASSOC:
          handle_association_closed();
          break;
        default:
          break;
      }
      break;
    }
    case SCTP_SHUTDOWN_EVENT:
      handle_association_closed();
      break;
    case SCTP_STREAM_CHANGE_EVENT: {
      sctp_stream_change_event change{};
      if (data.size() < sizeof(change)) return;
      std::memcpy(&change, data.data(), sizeof(change));
      if (!(change.strchange_flags & (SCTP_STREAM_CHANGE_DENIED | SCTP_STREAM_CHANGE_FAILED))) {
        inbound_streams_ = change.strchange_instrms;
        outbound_streams_ = change.strchange_outstrms;
      }
      break;
    }
    case SCTP_STREAM_RESET_EVENT:
      handle_stream_reset(data);
      break;
    default:
      break;
  }
}

void SctpAssociation::handle_stream_reset(std::span<const uint8_t> data) {
  sctp_stream_reset_event event{};
  if (data.size() < sizeof(event)) return;
  std::memcpy(&event, data.data(), sizeof(event));
  const size_t length = std::min<size_t>(event.strreset_length, data.size());
  if (length < sizeof(event)) return;
  const size_t count = (length - sizeof(event)) / sizeof(uint16_t);
  const uint16_t flags = event.strreset_flags;

  std::vector<uint16_t> closed_now;
  for (size_t i = 0; i < count; ++i) {
    uint16_t stream = 0;
    std::memcpy(&stream, data.data() + sizeof(event) + i * sizeof(uint16_t), sizeof(stream));
    auto it = channels_.find(stream);
    if (it == channels_.end()) continue;
    Channel& channel = it->second;
    if (flags & (SCTP_STREAM_RESET_DENIED | SCTP_STREAM_RESET_FAILED)) {
      // The peer refused our reset; there is nothing better to try, so the
      // stream stays unusable until the peer resets its side.
      if (flags & SCTP_STREAM_RESET_OUTGOING_SSN) channel.outgoing_reset_done = true;
    } else if (flags & SCTP_STREAM_RESET_INCOMING_SSN) {
      // RFC 8831 §6.7: the peer closed its side; close ours too.
      if (!channel.incoming_reset) {
        channel.incoming_reset = true;
        closed_now.push_back(stream);
      }
      if (!channel.outgoing_reset_requested) request_outgoing_reset(stream);
    } else if (flags & SCTP_STREAM_RESET_OUTGOING_SSN) {
      channel.outgoing_reset_done = true;
    }
    erase_if_fully_reset(stream);
  }
  for (uint16_t stream : closed_now) listener_.on_channel_closed(stream);
}

void SctpAssociation::handle_association_closed() {
  if (closed_) return;
  closed_ = true;
  connected_ = false;
  std::vector<uint16_t> open;
  for (const auto& [stream, channel] : channels_) {
    if (!channel.incoming_reset) open.push_back(stream);
  }
  channels_.clear();
  pending_resets_.clear();
  for (uint16_t stream : open) listener_.on_channel_closed(stream);
  listener_.on_sctp_closed();
}

bool SctpAssociation::send_raw(uint16_t stream, uint32_t ppid, std::span<const uint8_t> payload,
                               ChannelType type, uint32_t reliability_parameter, bool ordered) {
  sctp_sendv_spa spa{};
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = stream;
  spa.sendv_sndinfo.snd_ppid = htonl(ppid);
  if (!ordered) spa.sendv_sndinfo.snd_flags |= SCTP_UNORDERED;
  if (is_rexmit_limited(type) || is_time_limited(type)) {
    // RFC 8831 §6.1 / RFC 3758: abandon after n retransmissions or n ms.
    spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
    spa.sendv_prinfo.pr_policy = is_rexmit_limited(type) ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
    spa.sendv_prinfo.pr_value = reliability_parameter;
  }
  const ssize_t sent = usrsctp_sendv(socket_, payload.data(), payload.size(), nullptr, 0, &spa,
                                     socklen_t(sizeof(spa)), SCTP_SENDV_SPA, 0);
  if (sent < 0) {
    spdlog::debug("sctp: send on stream {} failed: {}", stream, std::strerror(errno));
    return false;
  }
  return size_t(sent) == payload.size();
}

std::optional<uint16_t> SctpAssociation::open_channel(std::string_view label, std::string_view protocol,
                                                      ChannelType type, uint32_t reliability_parameter,
                                                      uint16_t priority) {
  if (!connected_) return std::nullopt;
  ChannelInfo info;
  info.type = type;
  info.priority = priority;
  info.reliability_parameter = is_reliable(type) ? 0 : reliability_parameter;
  info.label.assign(label);
  info.protocol.assign(protocol);
  auto open = DcepMessage::serialize_open(info);
  if (!open) return std::nullopt;

  // RFC 8832 §6: the DTLS client uses even stream ids, the server odd ones.
  const uint32_t limit = std::min(outbound_streams_, inbound_streams_);
  for (uint32_t stream = role_ == DtlsRole::Client ? 0 : 1; stream < limit; stream += 2) {
    if (channels_.contains(uint16_t(stream))) continue;
    // RFC 8832 §6: DATA_CHANNEL_OPEN goes ordered and reliably.
    if (!send_raw(uint16_t(stream), kPpidDcep, *open, ChannelType::Reliable, 0, true)) return std::nullopt;
    Channel& channel = channels_[uint16_t(stream)];
    channel.info = std::move(info);
    channel.opened_locally = true;
    drain();
    return uint16_t(stream);
  }
  return std::nullopt;
}

bool SctpAssociation::send(uint16_t stream, bool binary, std::span<const uint8_t> message) {
  auto it = channels_.find(stream);
  if (!connected_ || it == channels_.end() || it->second.outgoing_reset_requested ||
      it->second.incoming_reset || message.size() > max_message_size()) {
    ++counters_.messages_dropped_out;
    return false;
  }
  const Channel& channel = it->second;
  static constexpr uint8_t kEmptyPayload[1] = {0};
  const bool empty = message.empty();
  const uint32_t ppid =
      binary ? (empty ? kPpidBinaryEmpty : kPpidBinary) : (empty ? kPpidStringEmpty : kPpidString);
  // RFC 8832 §6: until the peer acknowledges, messages go ordered so none
  // overtakes the DATA_CHANNEL_OPEN.
  const bool ordered = !is_unordered(channel.info.type) || !channel.acknowledged;
  const bool ok = send_raw(stream, ppid, empty ? std::span<const uint8_t>(kEmptyPayload) : message,
                           channel.info.type, channel.info.reliability_parameter, ordered);
  if (ok) {
    ++counters_.messages_out;
    counters_.bytes_out += message.size();
  } else {
    ++counters_.messages_dropped_out;
  }
  drain();
  return ok;
}

bool SctpAssociation::close_channel(uint16_t stream) {
  auto it = channels_.find(stream);
  if (it == channels_.end() || it->second.outgoing_reset_requested || !connected_) return false;
  request_outgoing_reset(stream);
  drain();
  return true;
}

void SctpAssociation::request_outgoing_reset(uint16_t stream) {
  channels_[stream].outgoing_reset_requested = true;
  pending_resets_.push_back(stream);
}

void SctpAssociation::flush_pending_resets() {
  if (pending_resets_.empty() || !socket_ || !connected_) return;
  // struct sctp_reset_streams ends in a flexible array of stream ids.
  const size_t size = sizeof(sctp_reset_streams) + pending_resets_.size() * sizeof(uint16_t);
  std::vector<uint64_t> storage((size + sizeof(uint64_t) - 1) / sizeof(uint64_t));
  auto* request = reinterpret_cast<sctp_reset_streams*>(storage.data());
  request->srs_assoc_id = SCTP_ALL_ASSOC;
  request->srs_flags = SCTP_STREAM_RESET_OUTGOING;
  request->srs_number_streams = uint16_t(pending_resets_.size());
  std::memcpy(reinterpret_cast<uint8_t*>(request) + sizeof(sctp_reset_streams), pending_resets_.data(),
              pending_resets_.size() * sizeof(uint16_t));
  if (usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, request, socklen_t(size)) == 0) {
    pending_resets_.clear();
    return;
  }
  // usrsctp allows one outstanding reset request (RFC 6525 §5.1.1); keep
  // these for the next drain() after the current one completes.
  if (errno == EALREADY || errno == EINPROGRESS || errno == EBUSY || errno == EAGAIN) return;
  spdlog::debug("sctp: stream reset failed: {}", std::strerror(errno));
  for (uint16_t stream : pending_resets_) {
    auto it = channels_.find(stream);
    if (it == channels_.end()) continue;
    it->second.outgoing_reset_done = true;
    erase_if_fully_reset(stream);
  }
  pending_resets_.clear();
}

void SctpAssociation::erase_if_fully_reset(uint16_t stream) {
  auto it = channels_.find(stream);
  if (it != channels_.end() && it->second.incoming_reset && it->second.outgoing_reset_done)
    channels_.erase(it);
}

size_t SctpAssociation::max_message_size() const {
  if (remote_max_message_size_ == 0) return kLocalMaxMessageSize;
  return std::min(remote_max_message_size_, kLocalMaxMessageSize);
}

const ChannelInfo* SctpAssociation::channel(uint16_t stream) const {
  auto it = channels_.find(stream);
  return it == channels_.end() ? nullptr : &it->second.info;
}

bool SctpAssociation::channel_acknowledged(uint16_t stream) const {
  auto it = channels_.find(stream);
  return it != channels_.end() && it->second.acknowledged;
}

void SctpAssociation::handle_timers(TimePoint now) { UsrsctpStack::handle_timers(now); }

}  // namespace ct::sctp
