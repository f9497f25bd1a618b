#include "ice/IceLiteAgent.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/Random.hpp"
#include "stun/StunCredentials.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"

namespace ct::ice {
namespace {

constexpr size_t kRandomUfragLength = 8;
constexpr size_t kRandomPwdLength = 24;

bool is_ice_chars(std::string_view s) {
  // RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/"
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
  });
}

bool username_is_for(std::string_view username, std::string_view ufrag) {
  return username.size() > ufrag.size() && username.substr(0, ufrag.size()) == ufrag &&
         username[ufrag.size()] == ':';
}

}  // namespace

IceLiteAgent::IceLiteAgent(std::string local_ufrag, std::string local_pwd) {
  check_credentials(local_ufrag, local_pwd);
  current_ = {std::move(local_ufrag), std::move(local_pwd)};
  validated_.reserve(kMaxValidatedAddresses);
}

IceLiteAgent IceLiteAgent::with_random_credentials() {
  return IceLiteAgent(random_ice_string(kRandomUfragLength), random_ice_string(kRandomPwdLength));
}

void IceLiteAgent::check_credentials(const std::string& ufrag, const std::string& pwd) {
  // RFC 8839 §5.4: ice-ufrag 4..256 characters, ice-pwd 22..256.
  if (ufrag.size() < 4 || ufrag.size() > 256 || !is_ice_chars(ufrag)) {
    throw std::invalid_argument("ICE ufrag must be 4..256 ice-chars");
  }
  if (pwd.size() < 22 || pwd.size() > 256 || !is_ice_chars(pwd)) {
    throw std::invalid_argument("ICE pwd must be 22..256 ice-chars");
  }
}

void IceLiteAgent::set_remote_credentials(std::string ufrag, std::string pwd) {
  remote_ufrag_ = std::move(ufrag);
  remote_pwd_ = std::move(pwd);
}

void IceLiteAgent::restart(std::string new_local_ufrag, std::string new_local_pwd) {
  check_credentials(new_local_ufrag, new_local_pwd);
  previous_ = std::move(current_);
  current_ = {std::move(new_local_ufrag), std::move(new_local_pwd)};
}

void IceLiteAgent::restart_with_random_credentials() {
  restart(random_ice_string(kRandomUfragLength), random_ice_string(kRandomPwdLength));
}

std::optional<std::string_view> IceLiteAgent::local_ufrag_of(const stun::StunMessage& request) {
  auto username = request.username();
  if (!username) return std::nullopt;
  size_t colon = username->find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return username->substr(0, colon);
}

IceLiteAgent::Outcome IceLiteAgent::handle_binding_request(const stun::StunMessage& request,
                                                           const net::SocketAddress& from, TimePoint now,
                                                           std::vector<uint8_t>& response) {
  using stun::AttributeType;
  using stun::MessageClass;
  using stun::Method;
  namespace error = stun::error;

  // Writes an error response; `pwd` is given once the request is authenticated.
  auto reject = [&](uint16_t code, const std::string* pwd, std::span<const uint16_t> unknown = {}) {
    stun::StunMessageBuilder b(response, Method::Binding, MessageClass::ErrorResponse,
                               request.transaction_id());
    b.add_error_code(code);
    if (!unknown.empty()) b.add_unknown_attributes(unknown);
    if (pwd) b.add_message_integrity(stun::short_term_key(*pwd));
    b.add_fingerprint();
    return Outcome::Rejected;
  };

  // Only Binding requests are checks; Binding indications are keepalives (RFC 8445 §11).
  if (!request.is(Method::Binding, MessageClass::Request)) return Outcome::Ignored;
  // RFC 8489 §14.7: a FINGERPRINT that fails means this is not a STUN message for us.
  if (request.has_fingerprint() && !request.verify_fingerprint()) return Outcome::Ignored;

  // RFC 8489 §9.1.3, short-term credentials: both USERNAME and MESSAGE-INTEGRITY are required.
  auto username = request.username();
  if (!username || !request.has_message_integrity()) return reject(error::BadRequest, nullptr);

  // RFC 8445 §7.3: USERNAME is "<our ufrag>:<their ufrag>", the key our password.
  const Credentials* credentials = nullptr;
  if (username_is_for(*username, current_.ufrag)) {
    credentials = &current_;
  } else if (previous_ && username_is_for(*username, previous_->ufrag)) {
    credentials = &*previous_;
  }
  if (!credentials) return reject(error::Unauthenticated, nullptr);
  if (!request.verify_message_integrity(stun::short_term_key(credentials->pwd))) {
    return reject(error::Unauthenticated, nullptr);
  }
  const bool on_current_credentials = credentials == &current_;
  const std::string& pwd = credentials->pwd;

  // RFC 8489 §6.3.1.1: comprehension-required attributes we do not know.
  if (auto unknown = request.unknown_comprehension_required(); !unknown.empty()) {
    return reject(error::UnknownAttribute, &pwd, unknown);
  }

  // RFC 8445 §7.3.1.1: the peer claims the controlled role too. A lite agent
  // is always controlled (§6.1.1), so it keeps its role and answers 487.
  if (request.has(AttributeType::IceControlled)) return reject(error::RoleConflict, &pwd);

  // RFC 8445 §7.3.1.4: the success response reflects the source address.
  stun::StunMessageBuilder b(response, Method::Binding, MessageClass::SuccessResponse,
                             request.transaction_id());
  b.add_xor_mapped_address(from);
  b.add_message_integrity(stun::short_term_key(pwd));
  b.add_fingerprint();

  remember_validated(from, now);
  if (request.use_candidate()) {
    // RFC 8445 §7.3.1.5: the controlling agent nominated this pair. The latest
    // nomination wins, so the path follows the browser after NAT rebinding.
    selected_ = from;
    last_consent_ = now;
  } else if (selected_ && *selected_ == from) {
    // RFC 7675 §5.1: any authenticated check on the selected pair renews consent.
    last_consent_ = now;
  }
  // ICE restart completes with the first valid check on the new credentials.
  if (on_current_credentials) previous_.reset();
  return Outcome::Responded;
}

bool IceLiteAgent::consent_expired(TimePoint now) const {
  return selected_.has_value() && now - last_consent_ >= consent_timeout_;
}

bool IceLiteAgent::is_validated_address(const net::SocketAddress& address) const {
  return std::any_of(validated_.begin(), validated_.end(),
                     [&](const ValidatedAddress& v) { return v.address == address; });
}

void IceLiteAgent::remember_validated(const net::SocketAddress& address, TimePoint now) {
  // Forget addresses that have stopped checking (but never the selected one).
  std::erase_if(validated_, [&](const ValidatedAddress& v) {
    return now - v.last_check >= consent_timeout_ && !(selected_ && v.address == *selected_);
  });
  for (ValidatedAddress& v : validated_) {
    if (v.address == address) {
      v.last_check = now;
      return;
    }
  }
  if (validated_.size() == kMaxValidatedAddresses) {
    // Evict the longest-silent address other than the selected one.
    auto rank = [&](const ValidatedAddress& v) {
      return selected_ && v.address == *selected_ ? TimePoint::max() : v.last_check;
    };
    auto oldest = std::min_element(validated_.begin(), validated_.end(),
                                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    *oldest = {address, now};
    return;
  }
  validated_.push_back({address, now});
}

}  // namespace ct::ice
