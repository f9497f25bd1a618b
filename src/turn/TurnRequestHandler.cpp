#include "turn/TurnRequestHandler.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/Endian.hpp"
#include "core/Log.hpp"
#include "core/Random.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"
#include "turn/ChannelData.hpp"
#include "turn/RestCredentials.hpp"

namespace ct::turn {

using stun::AttributeType;
using stun::MessageClass;
using stun::Method;
using stun::StunMessage;
using stun::StunMessageBuilder;
namespace err = stun::error;

namespace {

constexpr uint8_t kUdp = 17;  // IANA protocol number, RFC 8656 §18.8
constexpr uint8_t kFamilyV4 = 0x01;  // RFC 8656 §18.10
constexpr uint8_t kFamilyV6 = 0x02;
constexpr size_t kScratchSize = 2048;  // > any relayed datagram plus TURN framing

uint8_t family_code(const net::SocketAddress& a) { return a.is_v4() ? kFamilyV4 : kFamilyV6; }

}  // namespace

// One response to one request: the right method, the transaction id,
// MESSAGE-INTEGRITY once the request is authenticated, FINGERPRINT if the
// request had one (RFC 8489 §7.3.1).
struct TurnRequestHandler::Reply {
  const StunMessage& request;
  ClientConnection& connection;
  std::vector<uint8_t>& buffer;
  std::string_view software;
  const std::array<uint8_t, 16>* key = nullptr;
  uint16_t error_sent = 0;

  template <class Fill>
  std::span<const uint8_t> send(MessageClass cls, Fill&& fill) {
    StunMessageBuilder b(buffer, request.method(), cls, request.transaction_id());
    fill(b);
    if (!software.empty()) b.add_software(software);
    if (key) b.add_message_integrity(*key);
    if (request.has_fingerprint()) b.add_fingerprint();
    connection.send_to_client(b.bytes());
    return b.bytes();
  }
  template <class Fill>
  std::span<const uint8_t> success(Fill&& fill) {
    return send(MessageClass::SuccessResponse, std::forward<Fill>(fill));
  }
  std::span<const uint8_t> success() {
    return success([](StunMessageBuilder&) {});
  }
  template <class Fill>
  void error(uint16_t code, Fill&& fill) {
    error_sent = code;
    send(MessageClass::ErrorResponse, [&](StunMessageBuilder& b) {
      b.add_error_code(code);
      fill(b);
    });
  }
  void error(uint16_t code) {
    error(code, [](StunMessageBuilder&) {});
  }
};

TurnRequestHandler::TurnRequestHandler(TurnServerConfig config, net::SocketAddress relay_bind,
                                       net::SocketAddress relay_announced, RelaySocketFactory& relays,
                                       TurnCounters& counters)
    : config_(std::move(config)),
      relay_bind_(relay_bind),
      relay_announced_(relay_announced),
      relays_(relays),
      counters_(counters),
      nonces_(config_.nonce_lifetime),
      wall_clock_([] { return std::chrono::system_clock::now(); }),
      clock_([] { return Clock::now(); }) {
  for (const auto& text : config_.allow_peers) {
    auto cidr = Cidr::parse(text);
    if (!cidr) throw std::invalid_argument("bad allow-peer range: " + text);
    policy_.allow(*cidr);
  }
  if (config_.relay_port_min > config_.relay_port_max || config_.relay_port_min == 0)
    throw std::invalid_argument("bad relay port range");
  scratch_.reserve(kScratchSize);
  random_bytes(indication_salt_);
}

TurnRequestHandler::~TurnRequestHandler() {
  counters_.allocations_active.sub(allocations_.size());
}

const Allocation* TurnRequestHandler::find(const FiveTuple& tuple) const {
  auto it = allocations_.find(tuple);
  return it == allocations_.end() ? nullptr : it->second.get();
}

void TurnRequestHandler::on_client_message(std::span<uint8_t> message, const FiveTuple& tuple,
                                           ClientConnection& connection, TimePoint now) {
  // RFC 7983 / RFC 8656 §12: the first two bits tell ChannelData (01) from STUN (00).
  if (looks_like_channel_data(message)) {
    handle_channel_data(message, tuple, now);
    return;
  }
  auto parsed = StunMessage::parse(message);
  if (!parsed) {
    counters_.dropped_malformed.add();
    return;
  }
  switch (parsed->message_class()) {
    case MessageClass::Request:
      handle_request(*parsed, tuple, connection, now);
      break;
    case MessageClass::Indication:
      if (parsed->method() == Method::Send) handle_send(*parsed, tuple, now);
      break;
    default:
      break;  // the server sends no requests, so responses are stray
  }
}

void TurnRequestHandler::count_refusal(uint16_t code) {
  switch (code) {
    case err::Unauthenticated: counters_.refused_unauthenticated.add(); break;
    case err::StaleNonce: counters_.refused_stale_nonce.add(); break;
    case err::Forbidden: counters_.refused_forbidden_peer.add(); break;
    case err::AllocationMismatch: counters_.refused_mismatch.add(); break;
    case err::WrongCredentials: counters_.refused_wrong_credentials.add(); break;
    case err::AddressFamilyNotSupported:
    case err::UnsupportedTransportProtocol:
    case err::PeerAddressFamilyMismatch: counters_.refused_unsupported.add(); break;
    case err::AllocationQuotaReached: counters_.refused_quota.add(); break;
    case err::InsufficientCapacity: counters_.refused_capacity.add(); break;
    default: counters_.refused_bad_request.add(); break;
  }
}

void TurnRequestHandler::handle_request(const StunMessage& request, const FiveTuple& tuple,
                                        ClientConnection& connection, TimePoint now) {
  Reply reply{request, connection, scratch_, config_.software};

  // RFC 8489 §6.3.1.1: unknown comprehension-required attributes -> 420.
  if (auto unknown = request.unknown_comprehension_required(); !unknown.empty()) {
    reply.error(err::UnknownAttribute, [&](StunMessageBuilder& b) { b.add_unknown_attributes(unknown); });
    count_refusal(err::UnknownAttribute);
    return;
  }

  // RFC 8656 §5: a TURN server is also a STUN server; Binding needs no credentials.
  if (request.method() == Method::Binding) {
    reply.success([&](StunMessageBuilder& b) { b.add_xor_mapped_address(tuple.client); });
    return;
  }

  switch (request.method()) {
    case Method::Allocate:
    case Method::Refresh:
    case Method::CreatePermission:
    case Method::ChannelBind:
      break;
    default:
      reply.error(err::BadRequest);
      count_refusal(err::BadRequest);
      return;
  }

  auto it = allocations_.find(tuple);
  Allocation* allocation = it == allocations_.end() ? nullptr : it->second.get();

  std::array<uint8_t, 16> key{};
  std::string username;
  if (!authenticate(request, allocation, reply, now, key, username)) {
    count_refusal(reply.error_sent);
    return;
  }
  reply.key = &key;

  switch (request.method()) {
    case Method::Allocate:
      handle_allocate(request, tuple, connection, allocation, reply, now, key, username);
      break;
    case Method::Refresh:
      handle_refresh(request, allocation, reply, now);
      break;
    case Method::CreatePermission:
      handle_create_permission(request, allocation, reply, now);
      break;
    case Method::ChannelBind:
      handle_channel_bind(request, allocation, reply, now);
      break;
    default:
      break;
  }
  if (reply.error_sent) {
    count_refusal(reply.error_sent);
    spdlog::debug("turn: method {:#x} from {} refused with {}", uint16_t(request.method()), tuple.client.to_string(),
                  reply.error_sent);
  }
}

// RFC 8489 §9.2.4: long-term credential checks, in the RFC's order.
bool TurnRequestHandler::authenticate(const StunMessage& request, Allocation* allocation, Reply& reply, TimePoint now,
                                      std::array<uint8_t, 16>& key, std::string& username) {
  auto challenge = [&](uint16_t code) {
    reply.error(code, [&](StunMessageBuilder& b) {
      b.add_realm(config_.realm);
      b.add_nonce(nonces_.make(now));
    });
    return false;
  };
  // §9.2.4 step 1: no MESSAGE-INTEGRITY -> 401 with REALM and NONCE.
  if (!request.has_message_integrity()) return challenge(err::Unauthenticated);
  // Step 2: MESSAGE-INTEGRITY without USERNAME, REALM or NONCE -> 400.
  auto user_attr = request.username();
  auto realm = request.realm();
  auto nonce = request.nonce();
  if (!user_attr || !realm || !nonce) {
    reply.error(err::BadRequest);
    return false;
  }
  // Step 3: a nonce we did not issue or that has expired -> 438 with a fresh one.
  if (!nonces_.valid(*nonce, now)) return challenge(err::StaleNonce);
  // Step 4: unknown (here: malformed or expired REST) username -> 401.
  if (*realm != config_.realm) return challenge(err::Unauthenticated);
  auto keys = rest_keys(config_.secrets, *user_attr, config_.realm, wall_clock_());
  // Step 5: MESSAGE-INTEGRITY must verify under one of the secrets' keys.
  bool verified = false;
  for (const auto& k : keys) {
    if (request.verify_message_integrity(k)) {
      key = k;
      verified = true;
      break;
    }
  }
  if (!verified) return challenge(err::Unauthenticated);
  username = std::string(*user_attr);
  // RFC 8656 §5: requests on an allocation must use the username that created it.
  // An Allocate on a 5-tuple already in use is 437 instead (§7.2 step 2), which
  // tells a client that reuses a crashed client's address to pick another
  // (§7.3), where 441 would make it give up.
  if (allocation && allocation->username != username && request.method() != Method::Allocate) {
    reply.key = &key;
    reply.error(err::WrongCredentials);
    return false;
  }
  return true;
}

size_t TurnRequestHandler::allocations_of(const std::string& user) const {
  auto it = per_user_.find(user);
  return it == per_user_.end() ? 0 : it->second;
}

std::unique_ptr<RelaySocket> TurnRequestHandler::open_relay(bool even, bool reserve_next,
                                                            std::unique_ptr<RelaySocket>& next, uint16_t& port) {
  const uint32_t lo = config_.relay_port_min, hi = config_.relay_port_max;
  const uint32_t span = hi - lo + 1;
  const uint32_t start = random_u32() % span;
  const uint32_t attempts = std::min<uint32_t>(span, 256);
  for (uint32_t i = 0; i < attempts; ++i) {
    uint32_t candidate = lo + (start + i) % span;
    if (even && candidate % 2 != 0) {
      if (++candidate > hi) continue;
    }
    if (reserve_next && candidate + 1 > hi) continue;
    auto bind = relay_bind_;
    bind.set_port(uint16_t(candidate));
    auto socket = relays_.open(bind);
    if (!socket) continue;
    if (reserve_next) {
      bind.set_port(uint16_t(candidate + 1));
      next = relays_.open(bind);
      if (!next) continue;
    }
    port = uint16_t(candidate);
    return socket;
  }
  return nullptr;
}

// RFC 8656 §7.2: receiving an Allocate request.
void TurnRequestHandler::handle_allocate(const StunMessage& request, const FiveTuple& tuple,
                                         ClientConnection& connection, Allocation* allocation, Reply& reply,
                                         TimePoint now, const std::array<uint8_t, 16>& key,
                                         const std::string& username) {
  // §7.2 step 2: the 5-tuple already has an allocation. A retransmission of
  // the request that made it gets the same success response again; anything
  // else is 437.
  if (allocation) {
    if (allocation->allocate_transaction == request.transaction_id() && !allocation->allocate_response.empty()) {
      connection.send_to_client(allocation->allocate_response);
      return;
    }
    return reply.error(err::AllocationMismatch);
  }
  // Step 3: REQUESTED-TRANSPORT must be present; only UDP relaying is offered.
  auto transport = request.requested_transport();
  if (!transport) return reply.error(err::BadRequest);
  if (*transport != kUdp) return reply.error(err::UnsupportedTransportProtocol);
  // Step 4: DONT-FRAGMENT is accepted: the relay never fragments on its own.
  // Step 5: RESERVATION-TOKEN excludes EVEN-PORT and REQUESTED-ADDRESS-FAMILY.
  auto token = request.reservation_token();
  bool has_even_port = request.has(AttributeType::EvenPort);
  auto even_port = request.even_port();
  if (has_even_port && !even_port) return reply.error(err::BadRequest);
  auto family_attr = request.value_of(AttributeType::RequestedAddressFamily);
  if (request.has(AttributeType::ReservationToken) && !token) return reply.error(err::BadRequest);
  if (token && (has_even_port || family_attr)) return reply.error(err::BadRequest);
  // Step 6: REQUESTED-ADDRESS-FAMILY: only the relay's own family is offered (no dual allocation).
  if (family_attr) {
    if (family_attr->size() != 4) return reply.error(err::BadRequest);
    uint8_t family = (*family_attr)[0];
    if (family != kFamilyV4 && family != kFamilyV6) return reply.error(err::AddressFamilyNotSupported);
    if (family != family_code(relay_announced_)) return reply.error(err::AddressFamilyNotSupported);
  }
  if (request.has(AttributeType::AdditionalAddressFamily)) {
    if (token || family_attr) return reply.error(err::BadRequest);
    return reply.error(err::AddressFamilyNotSupported);
  }
  // Step 7 (RFC 8656 §7.2, quotas): total and per-user limits -> 486.
  auto rest = parse_rest_username(username);
  std::string user(rest ? rest->user : std::string_view(username));
  if (allocations_.size() >= config_.max_allocations || allocations_of(user) >= config_.max_allocations_per_user)
    return reply.error(err::AllocationQuotaReached);

  // Step 8: obtain the relayed transport address.
  std::unique_ptr<RelaySocket> socket;
  net::SocketAddress relayed = relay_announced_;
  uint64_t new_token = 0;
  if (token) {
    auto r = reservations_.find(*token);
    if (r == reservations_.end() || r->second.expires <= now) return reply.error(err::InsufficientCapacity);
    socket = std::move(r->second.socket);
    relayed = r->second.announced;
    reservations_.erase(r);
  } else {
    bool reserve = even_port.value_or(false);
    std::unique_ptr<RelaySocket> next;
    uint16_t port = 0;
    socket = open_relay(has_even_port, reserve, next, port);
    if (!socket) return reply.error(err::InsufficientCapacity);
    relayed.set_port(port);
    if (reserve) {
      // §7.2: reserve port+1 for a later Allocate carrying this token.
      do {
        new_token = (uint64_t(random_u32()) << 32) | random_u32();
      } while (new_token == 0 || reservations_.count(new_token));
      auto next_address = relay_announced_;
      next_address.set_port(uint16_t(port + 1));
      reservations_.emplace(new_token, Reservation{std::move(next), next_address, now + config_.reservation_lifetime});
    }
  }

  // Lifetime: min(requested, maximum), but never below the default (§7.2).
  auto lifetime = config_.default_lifetime;
  if (auto requested = request.lifetime())
    lifetime = std::max(config_.default_lifetime, std::min(std::chrono::seconds(*requested), config_.max_lifetime));

  auto owned = std::make_unique<Allocation>();
  Allocation& a = *owned;
  a.tuple = tuple;
  a.client = connection.retain();
  a.relay = std::move(socket);
  a.relayed_address = relayed;
  a.username = username;
  a.user = user;
  a.key = key;
  a.expires = now + lifetime;
  a.allocate_transaction = request.transaction_id();
  a.bandwidth = BandwidthLimiter(config_.bandwidth_bytes_per_second, now);
  a.relay->start([this, &a](std::span<uint8_t> datagram, const net::SocketAddress& from) {
    on_peer_data(a, datagram, from);
  });
  allocations_.emplace(tuple, std::move(owned));
  ++per_user_[user];
  counters_.allocations_active.add();
  counters_.allocations_total.add();

  // §7.2 final step: XOR-RELAYED-ADDRESS, LIFETIME, RESERVATION-TOKEN, XOR-MAPPED-ADDRESS.
  auto bytes = reply.success([&](StunMessageBuilder& b) {
    b.add_xor_relayed_address(relayed);
    b.add_lifetime(uint32_t(lifetime.count()));
    if (new_token) b.add_reservation_token(new_token);
    b.add_xor_mapped_address(tuple.client);
  });
  a.allocate_response.assign(bytes.begin(), bytes.end());
  SPDLOG_DEBUG("turn: allocation {} for {} ({})", relayed.to_string(), tuple.client.to_string(), username);
}

// RFC 8656 §7.3: receiving a Refresh request.
void TurnRequestHandler::handle_refresh(const StunMessage& request, Allocation* allocation, Reply& reply,
                                        TimePoint now) {
  if (!allocation) return reply.error(err::AllocationMismatch);
  // §7.3: a REQUESTED-ADDRESS-FAMILY other than the allocation's -> 443.
  if (auto family = request.value_of(AttributeType::RequestedAddressFamily)) {
    if (family->size() != 4 || (*family)[0] != family_code(allocation->relayed_address))
      return reply.error(err::PeerAddressFamilyMismatch);
  }
  // Desired lifetime: 0 deletes; absent is the default; else min(requested, maximum).
  std::chrono::seconds lifetime = config_.default_lifetime;
  if (auto requested = request.lifetime()) lifetime = std::min(std::chrono::seconds(*requested), config_.max_lifetime);
  if (lifetime.count() == 0) {
    auto tuple = allocation->tuple;
    reply.success([&](StunMessageBuilder& b) { b.add_lifetime(0); });
    remove(tuple);
    return;
  }
  allocation->expires = now + lifetime;
  reply.success([&](StunMessageBuilder& b) { b.add_lifetime(uint32_t(lifetime.count())); });
}

// RFC 8656 §9.2: receiving a CreatePermission request.
void TurnRequestHandler::handle_create_permission(const StunMessage& request, Allocation* allocation, Reply& reply,
                                                  TimePoint now) {
  if (!allocation) return reply.error(err::AllocationMismatch);
  // §9.2: at least one XOR-PEER-ADDRESS; all are checked before any is installed.
  std::array<net::SocketAddress, stun::kMaxAttributes> peers;
  std::array<bool, stun::kMaxAttributes> endpoint_only{};
  size_t count = 0;
  for (const auto& attribute : request.attributes()) {
    if (attribute.type != AttributeType::XorPeerAddress) continue;
    auto peer = request.decode_xor_address(attribute);
    if (!peer) return reply.error(err::BadRequest);
    auto p = peer->unmapped();
    // §9.2: a peer address of another family than the relayed address -> 443.
    if (p.family() != allocation->relayed_address.family()) return reply.error(err::PeerAddressFamilyMismatch);
    // §21.2.3 and the server's policy: restricted peers -> 403.
    auto verdict = policy_.check(p);
    if (verdict == PeerVerdict::Refused) return reply.error(err::Forbidden);
    endpoint_only[count] = verdict == PeerVerdict::AllowedPortOnly;
    peers[count++] = p;
  }
  if (count == 0) return reply.error(err::BadRequest);
  allocation->permissions.expire(now);
  for (size_t i = 0; i < count; ++i) {
    if (!allocation->permissions.install(peers[i], now + config_.permission_lifetime, endpoint_only[i],
                                         config_.max_permissions_per_allocation))
      return reply.error(err::InsufficientCapacity);
  }
  reply.success();
}

// RFC 8656 §11.2: receiving a ChannelBind request.
void TurnRequestHandler::handle_channel_bind(const StunMessage& request, Allocation* allocation, Reply& reply,
                                             TimePoint now) {
  if (!allocation) return reply.error(err::AllocationMismatch);
  auto channel = request.channel_number();
  auto peer = request.xor_peer_address();
  // §11.2: both attributes present and a valid channel number (see ChannelData.hpp), else 400.
  if (!channel || !peer || !is_valid_channel(*channel)) return reply.error(err::BadRequest);
  auto p = peer->unmapped();
  if (p.family() != allocation->relayed_address.family()) return reply.error(err::PeerAddressFamilyMismatch);
  auto verdict = policy_.check(p);
  if (verdict == PeerVerdict::Refused) return reply.error(err::Forbidden);
  // §11.2: a peer port-restricted by policy is only open on that exact port.
  bool endpoint_only = verdict == PeerVerdict::AllowedPortOnly;
  switch (allocation->channels.bind(*channel, p, now + config_.channel_lifetime, now,
                                    config_.max_channels_per_allocation)) {
    case BindResult::Conflict:
      return reply.error(err::BadRequest);
    case BindResult::Full:
      return reply.error(err::InsufficientCapacity);
    case BindResult::Bound:
      break;
  }
  // §11.2: binding a channel also installs or refreshes the permission.
  allocation->permissions.expire(now);
  if (!allocation->permissions.install(p, now + config_.permission_lifetime, endpoint_only,
                                       config_.max_permissions_per_allocation))
    return reply.error(err::InsufficientCapacity);
  reply.success();
}

bool TurnRequestHandler::relay_to_peer(Allocation& allocation, std::span<const uint8_t> data,
                                       const net::SocketAddress& peer, TimePoint now) {
  // RFC 8656 §10.2 / §12.6: data goes only where a permission allows.
  const Permission* permission = allocation.permissions.find(peer, now);
  if (!permission || (permission->endpoint_only && !policy_.endpoint_allowed(peer))) {
    counters_.dropped_no_permission.add();
    return false;
  }
  if (!allocation.bandwidth.allow(data.size(), now)) {
    counters_.dropped_bandwidth.add();
    return false;
  }
  allocation.relay->send_to_peer(data, peer);
  counters_.packets_to_peers.add();
  counters_.bytes_to_peers.add(data.size());
  return true;
}

// RFC 8656 §10.2: receiving a Send indication. Indications are never
// answered; anything wrong drops the data silently.
void TurnRequestHandler::handle_send(const StunMessage& indication, const FiveTuple& tuple, TimePoint now) {
  auto it = allocations_.find(tuple);
  if (it == allocations_.end()) return;
  auto peer = indication.xor_peer_address();
  auto data = indication.data();
  if (!peer || !data) {
    counters_.dropped_malformed.add();
    return;
  }
  auto p = peer->unmapped();
  if (p.family() != it->second->relayed_address.family()) return;
  relay_to_peer(*it->second, *data, p, now);
}

// RFC 8656 §12.6: receiving a ChannelData message from the client.
void TurnRequestHandler::handle_channel_data(std::span<const uint8_t> message, const FiveTuple& tuple,
                                             TimePoint now) {
  auto parsed = parse_channel_data(message);
  if (!parsed) {
    counters_.dropped_malformed.add();
    return;
  }
  auto it = allocations_.find(tuple);
  if (it == allocations_.end()) return;
  Allocation& a = *it->second;
  // Unbound (or expired) channel: discard silently.
  const ChannelBinding* binding = a.channels.find_by_channel(parsed->channel, now);
  if (!binding) {
    counters_.dropped_no_permission.add();
    return;
  }
  relay_to_peer(a, parsed->data, binding->peer, now);
}

// RFC 8656 §11.3 (Data indications) and §12.5 (ChannelData): a datagram from a
// peer on the relayed address goes to the client if a permission allows it.
void TurnRequestHandler::on_peer_data(Allocation& a, std::span<const uint8_t> data, const net::SocketAddress& from) {
  const TimePoint now = clock_();
  const Permission* permission = a.permissions.find(from, now);
  if (!permission || (permission->endpoint_only && !policy_.endpoint_allowed(from))) {
    counters_.dropped_no_permission.add();
    return;
  }
  if (!a.bandwidth.allow(data.size(), now)) {
    counters_.dropped_bandwidth.add();
    return;
  }
  std::array<uint8_t, kScratchSize> out;
  size_t size = 0;
  if (const ChannelBinding* binding = a.channels.find_by_peer(from, now)) {
    size = write_channel_data(out, binding->channel, data, a.client->is_stream());
  } else {
    // A Data indication needs a transaction id but no one answers it:
    // a per-server salt plus a counter is unique enough and costs nothing.
    stun::TransactionId id;
    std::copy(indication_salt_.begin(), indication_salt_.end(), id.begin());
    store_u64(id.data() + 4, ++indication_counter_);
    StunMessageBuilder b(std::span<uint8_t>(out), Method::Data, MessageClass::Indication, id);
    b.add_xor_peer_address(from);
    b.add_data(data);
    if (b.ok()) size = b.size();
  }
  if (size == 0) {
    counters_.dropped_malformed.add();
    return;
  }
  a.client->send_to_client(std::span<const uint8_t>(out.data(), size));
  counters_.packets_to_clients.add();
  counters_.bytes_to_clients.add(data.size());
}

void TurnRequestHandler::remove(const FiveTuple& tuple) {
  auto it = allocations_.find(tuple);
  if (it == allocations_.end()) return;
  auto u = per_user_.find(it->second->user);
  if (u != per_user_.end() && --u->second == 0) per_user_.erase(u);
  allocations_.erase(it);
  counters_.allocations_active.sub();
}

void TurnRequestHandler::on_connection_closed(const FiveTuple& tuple) { remove(tuple); }

void TurnRequestHandler::expire(TimePoint now) {
  std::vector<FiveTuple> expired;
  for (auto& [tuple, a] : allocations_) {
    if (a->expires <= now) {
      expired.push_back(tuple);
      continue;
    }
    a->permissions.expire(now);
    a->channels.expire(now);
  }
  for (const auto& tuple : expired) remove(tuple);
  std::erase_if(reservations_, [now](const auto& r) { return r.second.expires <= now; });
}

}  // namespace ct::turn
