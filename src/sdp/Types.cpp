#include "sdp/Types.hpp"

#include "sdp/Text.hpp"

namespace ct::sdp {

std::string_view to_string(MediaKind kind) {
  switch (kind) {
    case MediaKind::audio: return "audio";
    case MediaKind::video: return "video";
    case MediaKind::application: return "application";
    case MediaKind::other: break;
  }
  return "other";
}

std::string_view to_string(Direction direction) {
  switch (direction) {
    case Direction::sendrecv: return "sendrecv";
    case Direction::sendonly: return "sendonly";
    case Direction::recvonly: return "recvonly";
    case Direction::inactive: break;
  }
  return "inactive";
}

std::string_view to_string(Setup setup) {
  switch (setup) {
    case Setup::actpass: return "actpass";
    case Setup::active: return "active";
    case Setup::passive: return "passive";
    case Setup::holdconn: break;
  }
  return "holdconn";
}

std::string_view to_string(RidDirection direction) { return direction == RidDirection::send ? "send" : "recv"; }

MediaKind media_kind_from(std::string_view media) {
  if (media == "audio") return MediaKind::audio;
  if (media == "video") return MediaKind::video;
  if (media == "application") return MediaKind::application;
  return MediaKind::other;
}

std::optional<Direction> parse_direction(std::string_view text) {
  if (text == "sendrecv") return Direction::sendrecv;
  if (text == "sendonly") return Direction::sendonly;
  if (text == "recvonly") return Direction::recvonly;
  if (text == "inactive") return Direction::inactive;
  return std::nullopt;
}

std::optional<Setup> parse_setup(std::string_view text) {
  if (text == "actpass") return Setup::actpass;
  if (text == "active") return Setup::active;
  if (text == "passive") return Setup::passive;
  if (text == "holdconn") return Setup::holdconn;
  return std::nullopt;
}

Direction reverse(Direction direction) {
  switch (direction) {
    case Direction::sendonly: return Direction::recvonly;
    case Direction::recvonly: return Direction::sendonly;
    case Direction::sendrecv:
    case Direction::inactive: break;
  }
  return direction;
}

bool sends(Direction direction) { return direction == Direction::sendrecv || direction == Direction::sendonly; }
bool receives(Direction direction) { return direction == Direction::sendrecv || direction == Direction::recvonly; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::vector<FmtpParam> parse_fmtp(std::string_view fmtp) {
  std::vector<FmtpParam> out;
  while (!fmtp.empty()) {
    size_t semi = fmtp.find(';');
    std::string_view part = text::trim(fmtp.substr(0, semi));
    fmtp = semi == std::string_view::npos ? std::string_view{} : fmtp.substr(semi + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.push_back({std::string(part), {}});
    } else {
      out.push_back({std::string(text::trim(part.substr(0, eq))), std::string(text::trim(part.substr(eq + 1)))});
    }
  }
  return out;
}

std::optional<std::string_view> Codec::param(std::string_view key) const {
  for (const auto& p : params)
    if (iequals(p.key, key)) return std::string_view(p.value);
  return std::nullopt;
}

std::optional<Simulcast> parse_simulcast(std::string_view value) {
  // RFC 8853 §5.1: sc-value = ( sc-send [SP sc-recv] ) / ( sc-recv [SP sc-send] )
  auto tokens = text::split_spaces(value);
  if (tokens.size() != 2 && tokens.size() != 4) return std::nullopt;
  Simulcast out;
  bool have_send = false, have_recv = false;
  for (size_t i = 0; i < tokens.size(); i += 2) {
    if (tokens[i] == "send" && !have_send) {
      out.send = std::string(tokens[i + 1]);
      have_send = true;
    } else if (tokens[i] == "recv" && !have_recv) {
      out.recv = std::string(tokens[i + 1]);
      have_recv = true;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string to_string(const Simulcast& simulcast) {
  std::string out;
  if (!simulcast.send.empty()) out += "send " + simulcast.send;
  if (!simulcast.recv.empty()) {
    if (!out.empty()) out += ' ';
    out += "recv " + simulcast.recv;
  }
  return out;
}

}  // namespace ct::sdp
