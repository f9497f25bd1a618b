#include "stun/StunUri.hpp"

#include <arpa/inet.h>

#include <array>
#include <cctype>

namespace ct::stun {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// RFC 3986 §3.2.2 reg-name, narrowed to what DNS names use (no percent-encoding).
bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

bool is_ipv6(const std::string& text) {
  std::array<unsigned char, 16> out{};
  return inet_pton(AF_INET6, text.c_str(), out.data()) == 1;
}

}  // namespace

std::variant<StunUri, std::string> StunUri::parse(std::string_view text) {
  if (text.empty()) return std::string("empty URI");
  if (text.size() > kMaxLength) return std::string("URI longer than 512 characters");
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return std::string("URI has a space, control or non-ASCII character");
  }
  StunUri uri;
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::string("no scheme (stun:, stuns:, turn: or turns:)");
  const std::string scheme = lower(text.substr(0, colon));
  if (scheme == "stun") {
    uri.scheme_ = Scheme::Stun;
  } else if (scheme == "stuns") {
    uri.scheme_ = Scheme::Stuns;
  } else if (scheme == "turn") {
    uri.scheme_ = Scheme::Turn;
  } else if (scheme == "turns") {
    uri.scheme_ = Scheme::Turns;
  } else {
    return "unknown scheme '" + scheme + "' (stun:, stuns:, turn: or turns:)";
  }
  std::string_view rest = text.substr(colon + 1);
  // RFC 7064 §3.1: no authority ("//") and no user information.
  if (rest.starts_with("//")) return std::string("no '//' after the scheme (write turn:host:port)");
  if (rest.find('@') != std::string_view::npos)
    return std::string("user information does not go in the URI (give username and credential)");

  std::string_view query;
  const size_t question = rest.find('?');
  const bool has_query = question != std::string_view::npos;
  if (has_query) {
    query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }

  std::string_view port_text;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return std::string("IPv6 address without its closing ']'");
    uri.host_ = lower(rest.substr(1, close - 1));
    if (!is_ipv6(uri.host_)) return "'" + uri.host_ + "' is not an IPv6 address";
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::string("unexpected text after the IPv6 address");
      port_text = rest.substr(1);
      uri.has_port_ = true;
    }
  } else {
    const size_t port_colon = rest.find(':');
    std::string_view host = rest.substr(0, port_colon);
    if (port_colon != std::string_view::npos) {
      port_text = rest.substr(port_colon + 1);
      uri.has_port_ = true;
    }
    if (host.empty()) return std::string("no host");
    if (host.size() > 253) return std::string("host name longer than 253 characters");
    for (char c : host) {
      if (!is_name_char(c)) return "host has the character '" + std::string(1, c) + "'";
    }
    uri.host_ = lower(host);
  }
  if (uri.has_port_) {
    if (port_text.empty() || port_text.size() > 5) return std::string("port must be 1-65535");
    unsigned port = 0;
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::string("port must be 1-65535");
      port = port * 10 + unsigned(c - '0');
    }
    if (port == 0 || port > 65535) return std::string("port must be 1-65535");
    uri.port_ = uint16_t(port);
  } else {
    uri.port_ = uri.is_secure() ? kDefaultTlsPort : kDefaultPort;
  }

  if (has_query) {
    // RFC 7065 §3.1: only TURN URIs carry a query, and only "transport".
    if (!uri.is_turn()) return std::string("stun: and stuns: URIs take no '?' query");
    const std::string q = lower(query);
    if (!q.starts_with("transport="))
      return std::string("the only query is ?transport=udp or ?transport=tcp");
    const std::string transport = q.substr(10);
    if (transport == "udp") {
      // TURN over DTLS is not something browsers do.
      if (uri.scheme_ == Scheme::Turns) return std::string("turns: runs over TLS: use ?transport=tcp");
      uri.transport_ = Transport::Udp;
    } else if (transport == "tcp") {
      uri.transport_ = Transport::Tcp;
    } else {
      return "unknown transport '" + transport + "' (udp or tcp)";
    }
  }
  return uri;
}

std::string StunUri::to_string() const {
  static constexpr const char* kSchemes[] = {"stun", "stuns", "turn", "turns"};
  std::string out = kSchemes[static_cast<int>(scheme_)];
  out += ':';
  out += host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
  if (has_port_) out += ":" + std::to_string(port_);
  if (transport_ == Transport::Udp) out += "?transport=udp";
  if (transport_ == Transport::Tcp) out += "?transport=tcp";
  return out;
}

}  // namespace ct::stun
