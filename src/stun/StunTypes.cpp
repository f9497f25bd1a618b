#include "stun/StunTypes.hpp"

namespace ct::stun {

bool is_known_attribute(uint16_t type) {
  switch (AttributeType(type)) {
    case AttributeType::MappedAddress:
    case AttributeType::Username:
    case AttributeType::MessageIntegrity:
    case AttributeType::ErrorCode:
    case AttributeType::UnknownAttributes:
    case AttributeType::ChannelNumber:
    case AttributeType::Lifetime:
    case AttributeType::XorPeerAddress:
    case AttributeType::Data:
    case AttributeType::Realm:
    case AttributeType::Nonce:
    case AttributeType::XorRelayedAddress:
    case AttributeType::RequestedAddressFamily:
    case AttributeType::EvenPort:
    case AttributeType::RequestedTransport:
    case AttributeType::DontFragment:
    case AttributeType::MessageIntegritySha256:
    case AttributeType::PasswordAlgorithm:
    case AttributeType::Userhash:
    case AttributeType::XorMappedAddress:
    case AttributeType::ReservationToken:
    case AttributeType::Priority:
    case AttributeType::UseCandidate:
    case AttributeType::ConnectionId:
    case AttributeType::AdditionalAddressFamily:
    case AttributeType::AddressErrorCode:
    case AttributeType::PasswordAlgorithms:
    case AttributeType::AlternateDomain:
    case AttributeType::Icmp:
    case AttributeType::Software:
    case AttributeType::AlternateServer:
    case AttributeType::Fingerprint:
    case AttributeType::IceControlled:
    case AttributeType::IceControlling:
    case AttributeType::GoogNetworkInfo:
      return true;
  }
  return false;
}

std::string_view default_reason_phrase(uint16_t code) {
  switch (code) {
    case error::TryAlternate:
      return "Try Alternate";
    case error::BadRequest:
      return "Bad Request";
    case error::Unauthenticated:
      return "Unauthenticated";
    case error::Forbidden:
      return "Forbidden";
    case error::UnknownAttribute:
      return "Unknown Attribute";
    case error::AllocationMismatch:
      return "Allocation Mismatch";
    case error::StaleNonce:
      return "Stale Nonce";
    case error::AddressFamilyNotSupported:
      return "Address Family not Supported";
    case error::WrongCredentials:
      return "Wrong Credentials";
    case error::UnsupportedTransportProtocol:
      return "Unsupported Transport Protocol";
    case error::PeerAddressFamilyMismatch:
      return "Peer Address Family Mismatch";
    case error::AllocationQuotaReached:
      return "Allocation Quota Reached";
    case error::RoleConflict:
      return "Role Conflict";
    case error::ServerError:
      return "Server Error";
    case error::InsufficientCapacity:
      return "Insufficient Capacity";
    default:
      return "";
  }
}

}  // namespace ct::stun
