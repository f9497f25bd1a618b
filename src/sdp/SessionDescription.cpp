#include "sdp/SessionDescription.hpp"

#include <algorithm>
#include <exception>

#include "sdp/Text.hpp"

namespace ct::sdp {
namespace {

using text::parse_uint;
using text::split_spaces;
using text::trim;

// RFC 8866 §5 orders the session part v o s i u e p c b t r z k a and a media
// part m i c b k a. Extra lines are kept in these slots; unknown types go last.
int session_slot(char type) {
  switch (type) {
    case 'i': case 'u': case 'e': case 'p': return 0;  // before c=
    case 'b': return 1;                                // between c= and t=
    default: return 2;                                 // after t=: t r z k and unknown
  }
}
int media_slot(char type) {
  switch (type) {
    case 'i': return 0;
    case 'b': return 1;
    case 'k': return 2;
    default: return 3;
  }
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::optional<std::string> parse_connection(std::string_view value, Connection& out) {
  auto tokens = split_spaces(value);
  if (tokens.size() != 3) return std::string("c= needs '<nettype> <addrtype> <address>'");
  out = Connection{std::string(tokens[0]), std::string(tokens[1]), std::string(tokens[2])};
  return std::nullopt;
}

std::optional<std::string> parse_media_line(std::string_view value, MediaDescription& out) {
  auto tokens = split_spaces(value);
  if (tokens.size() < 4) return std::string("bad m= line: needs '<media> <port> <proto> <fmt> ...'");
  out.media = std::string(tokens[0]);
  std::string_view port_text = tokens[1];
  if (size_t slash = port_text.find('/'); slash != std::string_view::npos) {
    auto count = parse_uint<uint16_t>(port_text.substr(slash + 1));
    if (!count) return "bad m= line: port count '" + std::string(port_text.substr(slash + 1)) + "' is not a number";
    out.port_count = count;
    port_text = port_text.substr(0, slash);
  }
  auto port = parse_uint<uint16_t>(port_text);
  if (!port) return "bad m= line: port '" + std::string(port_text) + "' is not 0..65535";
  out.port = *port;
  out.proto = std::string(tokens[2]);
  for (size_t i = 3; i < tokens.size(); ++i) {
    if (out.is_rtp()) {
      auto pt = parse_uint<uint8_t>(tokens[i]);
      if (!pt || *pt > 127) return "bad m= line: payload type '" + std::string(tokens[i]) + "' is not 0..127";
    }
    out.formats.emplace_back(tokens[i]);
  }
  return std::nullopt;
}

std::optional<std::string> parse_origin(std::string_view value, Origin& out) {
  auto tokens = split_spaces(value);
  if (tokens.size() != 6)
    return std::string("o= needs '<username> <sess-id> <sess-version> <nettype> <addrtype> <address>'");
  auto version = parse_uint<uint64_t>(tokens[2]);
  if (!version) return "o= session version '" + std::string(tokens[2]) + "' is not a number";
  out = Origin{std::string(tokens[0]), std::string(tokens[1]), *version,
               std::string(tokens[3]), std::string(tokens[4]), std::string(tokens[5])};
  return std::nullopt;
}

std::optional<std::string> parse_timing(std::string_view value, Timing& out) {
  auto tokens = split_spaces(value);
  if (tokens.size() != 2) return std::string("t= needs '<start> <stop>'");
  auto start = parse_uint<uint64_t>(tokens[0]);
  auto stop = parse_uint<uint64_t>(tokens[1]);
  if (!start || !stop) return std::string("t= times are not numbers");
  out = Timing{*start, *stop};
  return std::nullopt;
}

std::optional<std::string> parse_session_attribute(SessionDescription& sd, std::string_view name,
                                                   std::optional<std::string_view> raw_value) {
  std::string_view value = trim(raw_value.value_or(std::string_view{}));
  if (auto direction = parse_direction(name)) {
    sd.direction = direction;
  } else if (name == "group") {
    auto tokens = split_spaces(value);
    if (tokens.empty()) return std::string("a=group has no semantics");
    Group group{std::string(tokens[0]), {}};
    for (size_t i = 1; i < tokens.size(); ++i) group.mids.emplace_back(tokens[i]);
    sd.groups.push_back(std::move(group));
  } else if (name == "ice-lite") {
    sd.ice_lite = true;
  } else if (name == "ice-ufrag" || name == "ice-pwd") {
    if (value.empty()) return "a=" + std::string(name) + " needs a value";
    (name == "ice-ufrag" ? sd.ice_ufrag : sd.ice_pwd) = std::string(value);
  } else if (name == "ice-options") {
    for (auto token : split_spaces(value)) sd.ice_options.emplace_back(token);
  } else if (name == "fingerprint") {
    Fingerprint fp;
    if (auto e = parse_fingerprint(value, fp)) return e;
    sd.fingerprints.push_back(std::move(fp));
  } else if (name == "setup") {
    auto s = parse_setup(value);
    if (!s) return "bad setup value '" + std::string(value) + "'";
    sd.setup = s;
  } else if (name == "extmap-allow-mixed") {
    sd.extmap_allow_mixed = true;
  } else if (name == "msid-semantic") {
    auto tokens = split_spaces(value);
    if (tokens.empty()) return std::string("a=msid-semantic needs a value");
    MsidSemantic ms{std::string(tokens[0]), {}};
    for (size_t i = 1; i < tokens.size(); ++i) ms.ids.emplace_back(tokens[i]);
    sd.msid_semantic = std::move(ms);
  } else if (name == "extmap") {
    Extmap extmap;
    if (auto e = parse_extmap(value, extmap)) return e;
    for (const auto& existing : sd.extmaps)
      if (existing.id == extmap.id) return "extmap id " + std::to_string(extmap.id) + " used twice";
    sd.extmaps.push_back(std::move(extmap));
  } else {
    sd.other_attributes.push_back(
        Attribute{std::string(name), raw_value ? std::optional<std::string>(*raw_value) : std::nullopt});
  }
  return std::nullopt;
}

Result<SessionDescription> parse_description(std::string_view text) {
  if (text.size() > kMaxSdpSize) return Error{"description is larger than " + std::to_string(kMaxSdpSize) + " bytes"};
  SessionDescription sd;
  bool seen_v = false, seen_o = false, seen_s = false, seen_t = false;
  MediaDescription* media = nullptr;
  size_t line_no = 0;
  auto fail = [&line_no](std::string message) { return Error{"line " + std::to_string(line_no) + ": " + message}; };

  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;  // tolerated: a trailing blank line is common
    if (line.size() < 2 || line[1] != '=' || !is_letter(line[0])) return fail("expected '<type>=<value>'");
    char type = line[0];
    std::string_view value = line.substr(2);

    if (!seen_v) {
      if (type != 'v') return fail("the description must start with v=0");
      if (trim(value) != "0") return fail("unsupported SDP version '" + std::string(value) + "'");
      seen_v = true;
      continue;
    }
    if (type == 'v') return fail("second v= line");

    if (type == 'm') {
      MediaDescription m;
      if (auto e = parse_media_line(value, m)) return fail(*e);
      if (!seen_o) return fail("m= before o=");
      sd.media.push_back(std::move(m));
      media = &sd.media.back();
      continue;
    }
    if (type == 'a') {
      size_t colon = value.find(':');
      std::string_view name = value.substr(0, colon);
      std::optional<std::string_view> attr_value;
      if (colon != std::string_view::npos) attr_value = value.substr(colon + 1);
      auto e = media ? media->parse_attribute(name, attr_value) : parse_session_attribute(sd, name, attr_value);
      if (e) return fail(*e);
      continue;
    }

    if (media) {
      if (type == 'c') {
        if (media->connection) return fail("second c= line in a media section");
        Connection c;
        if (auto e = parse_connection(value, c)) return fail(*e);
        media->connection = std::move(c);
      } else if (std::string_view("ostuerzp").find(type) != std::string_view::npos) {
        return fail(std::string(1, type) + "= is not allowed inside a media section");
      } else {
        media->extra_lines.push_back(Line{type, std::string(value)});
      }
      continue;
    }

    switch (type) {
      case 'o':
        if (seen_o) return fail("second o= line");
        if (auto e = parse_origin(value, sd.origin)) return fail(*e);
        seen_o = true;
        break;
      case 's':
        if (seen_s) return fail("second s= line");
        sd.session_name = std::string(value);
        seen_s = true;
        break;
      case 't':
        if (seen_t) {
          sd.extra_lines.push_back(Line{type, std::string(value)});
          break;
        }
        if (auto e = parse_timing(value, sd.timing)) return fail(*e);
        seen_t = true;
        break;
      case 'c': {
        if (sd.connection) return fail("second c= line");
        Connection c;
        if (auto e = parse_connection(value, c)) return fail(*e);
        sd.connection = std::move(c);
        break;
      }
      default:
        sd.extra_lines.push_back(Line{type, std::string(value)});
    }
  }

  line_no = 1;
  if (!seen_v) return fail("missing v= line");
  if (!seen_o) return Error{"missing o= line"};
  if (!seen_s) return Error{"missing s= line"};
  if (!seen_t) return Error{"missing t= line"};

  // Keep extra lines in the slots serialize() writes them to.
  std::stable_sort(sd.extra_lines.begin(), sd.extra_lines.end(),
                   [](const Line& a, const Line& b) { return session_slot(a.type) < session_slot(b.type); });
  for (auto& m : sd.media)
    std::stable_sort(m.extra_lines.begin(), m.extra_lines.end(),
                     [](const Line& a, const Line& b) { return media_slot(a.type) < media_slot(b.type); });
  return sd;
}

}  // namespace

Result<SessionDescription> SessionDescription::parse(std::string_view text) {
  try {
    return parse_description(text);
  } catch (const std::exception& e) {  // only allocation failure can get here
    return Error{std::string("cannot parse description: ") + e.what()};
  }
}

std::string SessionDescription::serialize() const {
  std::string out;
  out.reserve(1024 + media.size() * 2048);
  auto line = [&out](char type, std::string_view value) {
    out += type;
    out += '=';
    out += value;
    out += "\r\n";
  };
  auto attr = [&out](std::string_view name, std::optional<std::string_view> value = std::nullopt) {
    out += "a=";
    out += name;
    if (value) {
      out += ':';
      out += *value;
    }
    out += "\r\n";
  };
  auto extras = [&](int slot) {
    for (const auto& l : extra_lines)
      if (session_slot(l.type) == slot) line(l.type, l.value);
  };

  line('v', "0");
  line('o', origin.username + ' ' + origin.session_id + ' ' + std::to_string(origin.session_version) + ' ' +
                origin.net_type + ' ' + origin.addr_type + ' ' + origin.address);
  line('s', session_name);
  extras(0);
  if (connection) line('c', connection->net_type + ' ' + connection->addr_type + ' ' + connection->address);
  extras(1);
  line('t', std::to_string(timing.start) + ' ' + std::to_string(timing.stop));
  extras(2);

  for (const auto& g : groups) {
    std::string v = g.semantics;
    for (const auto& mid : g.mids) v += ' ' + mid;
    attr("group", v);
  }
  if (ice_lite) attr("ice-lite");
  serialize_transport_attributes(out, ice_ufrag, ice_pwd, ice_options, fingerprints, setup);
  if (extmap_allow_mixed) attr("extmap-allow-mixed");
  if (msid_semantic) {
    std::string v = msid_semantic->semantic;
    for (const auto& id : msid_semantic->ids) v += ' ' + id;
    attr("msid-semantic", v);
  }
  for (const auto& e : extmaps) attr("extmap", extmap_value(e));
  if (direction) attr(to_string(*direction));
  for (const auto& a : other_attributes)
    attr(a.name, a.value ? std::optional<std::string_view>(*a.value) : std::nullopt);

  for (const auto& m : media) m.serialize(out);
  return out;
}

const Group* SessionDescription::find_group(std::string_view semantics) const {
  for (const auto& g : groups)
    if (g.semantics == semantics) return &g;
  return nullptr;
}

const MediaDescription* SessionDescription::find_media(std::string_view mid) const {
  for (const auto& m : media)
    if (m.mid == mid) return &m;
  return nullptr;
}

}  // namespace ct::sdp
