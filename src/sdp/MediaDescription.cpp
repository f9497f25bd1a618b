#include "sdp/MediaDescription.hpp"

#include "sdp/Text.hpp"

namespace ct::sdp {
namespace {

using text::parse_uint;
using text::split_first;
using text::split_spaces;
using text::trim;

// Bounds the a=ssrc lookups a hostile description could make quadratic.
constexpr size_t kMaxSsrcsPerSection = 1024;

std::optional<uint8_t> parse_pt(std::string_view s) {
  auto pt = parse_uint<uint8_t>(s);
  if (!pt || *pt > 127) return std::nullopt;
  return pt;
}

Codec& codec_for(std::vector<Codec>& codecs, uint8_t pt) {
  for (auto& c : codecs)
    if (c.pt == pt) return c;
  codecs.push_back(Codec{.pt = pt});
  return codecs.back();
}

std::string normalize_spaces(std::string_view s) {
  std::string out;
  for (auto token : split_spaces(s)) {
    if (!out.empty()) out += ' ';
    out += token;
  }
  return out;
}

}  // namespace

std::optional<std::string> parse_extmap(std::string_view value, Extmap& out) {
  // RFC 8285 §8: extmap:<value>["/"<direction>] <URI> <extensionattributes>
  auto [id_part, rest] = split_first(trim(value));
  std::string_view id_text = id_part;
  out = Extmap{};
  if (size_t slash = id_part.find('/'); slash != std::string_view::npos) {
    id_text = id_part.substr(0, slash);
    auto direction = parse_direction(id_part.substr(slash + 1));
    if (!direction) return "bad extmap direction '" + std::string(id_part.substr(slash + 1)) + "'";
    out.direction = direction;
  }
  auto id = parse_uint<uint16_t>(id_text);
  // RFC 8285 §5: 1-14 one-byte, 1-255 two-byte headers; 0 and 256+ are not ids.
  if (!id || *id < 1 || *id > 255) return "extmap id '" + std::string(id_text) + "' is not in 1..255";
  out.id = *id;
  auto [uri, attributes] = split_first(rest);
  if (uri.empty()) return std::string("extmap has no URI");
  out.uri = std::string(uri);
  out.attributes = std::string(attributes);
  return std::nullopt;
}

void serialize_transport_attributes(std::string& out, const std::string& ice_ufrag, const std::string& ice_pwd,
                                    const std::vector<std::string>& ice_options,
                                    const std::vector<Fingerprint>& fingerprints, const std::optional<Setup>& setup) {
  auto attr = [&out](std::string_view name, std::string_view value) {
    out += "a=";
    out += name;
    out += ':';
    out += value;
    out += "\r\n";
  };
  if (!ice_ufrag.empty()) attr("ice-ufrag", ice_ufrag);
  if (!ice_pwd.empty()) attr("ice-pwd", ice_pwd);
  if (!ice_options.empty()) {
    std::string v;
    for (const auto& o : ice_options) v += (v.empty() ? "" : " ") + o;
    attr("ice-options", v);
  }
  for (const auto& fp : fingerprints) attr("fingerprint", fp.algorithm + ' ' + fp.value);
  if (setup) attr("setup", to_string(*setup));
}

std::string extmap_value(const Extmap& extmap) {
  std::string out = std::to_string(extmap.id);
  if (extmap.direction) {
    out += '/';
    out += to_string(*extmap.direction);
  }
  out += ' ' + extmap.uri;
  if (!extmap.attributes.empty()) out += ' ' + extmap.attributes;
  return out;
}

std::optional<std::string> parse_fingerprint(std::string_view value, Fingerprint& out) {
  auto tokens = split_spaces(value);
  if (tokens.size() != 2) return std::string("fingerprint needs '<hash-function> <hex>'");
  out = Fingerprint{std::string(tokens[0]), std::string(tokens[1])};
  return std::nullopt;
}

const Codec* MediaDescription::find_codec(uint8_t pt) const {
  for (const auto& c : codecs)
    if (c.pt == pt) return &c;
  return nullptr;
}

const SsrcInfo* MediaDescription::find_ssrc(uint32_t ssrc) const {
  for (const auto& s : ssrcs)
    if (s.ssrc == ssrc) return &s;
  return nullptr;
}

bool MediaDescription::has_attribute(std::string_view name) const {
  for (const auto& a : other_attributes)
    if (a.name == name) return true;
  return false;
}

std::optional<std::string> MediaDescription::parse_attribute(std::string_view name,
                                                             std::optional<std::string_view> raw_value) {
  std::string_view value = trim(raw_value.value_or(std::string_view{}));
  auto need_value = [&]() -> std::optional<std::string> {
    if (value.empty()) return "a=" + std::string(name) + " needs a value";
    return std::nullopt;
  };

  if (auto direction = parse_direction(name)) {
    this->direction = direction;
  } else if (name == "mid") {
    if (auto e = need_value()) return e;
    mid = std::string(value);
  } else if (name == "ice-ufrag") {
    if (auto e = need_value()) return e;
    ice_ufrag = std::string(value);
  } else if (name == "ice-pwd") {
    if (auto e = need_value()) return e;
    ice_pwd = std::string(value);
  } else if (name == "ice-options") {
    for (auto token : split_spaces(value)) ice_options.emplace_back(token);
  } else if (name == "fingerprint") {
    Fingerprint fp;
    if (auto e = parse_fingerprint(value, fp)) return e;
    fingerprints.push_back(std::move(fp));
  } else if (name == "setup") {
    auto s = parse_setup(value);
    if (!s) return "bad setup value '" + std::string(value) + "'";
    setup = s;
  } else if (name == "rtcp") {
    auto [port_text, address] = split_first(value);
    auto p = parse_uint<uint16_t>(port_text);
    if (!p) return "rtcp port '" + std::string(port_text) + "' is not 0..65535";
    rtcp = Rtcp{*p, std::string(address)};
  } else if (name == "rtcp-mux") {
    rtcp_mux = true;
  } else if (name == "rtcp-rsize") {
    rtcp_rsize = true;
  } else if (name == "extmap") {
    Extmap extmap;
    if (auto e = parse_extmap(value, extmap)) return e;
    for (const auto& existing : extmaps)
      if (existing.id == extmap.id) return "extmap id " + std::to_string(extmap.id) + " used twice";
    extmaps.push_back(std::move(extmap));
  } else if (name == "rtpmap") {
    // RFC 8866 §6.6: rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
    auto [pt_text, encoding] = split_first(value);
    auto pt = parse_pt(pt_text);
    if (!pt) return "rtpmap payload type '" + std::string(pt_text) + "' is not 0..127";
    size_t slash1 = encoding.find('/');
    if (slash1 == std::string_view::npos || slash1 == 0) return "rtpmap needs <name>/<clock rate>";
    std::string_view clock_text = encoding.substr(slash1 + 1);
    std::optional<uint16_t> channels;
    if (size_t slash2 = clock_text.find('/'); slash2 != std::string_view::npos) {
      channels = parse_uint<uint16_t>(clock_text.substr(slash2 + 1));
      if (!channels) return "rtpmap channel count '" + std::string(clock_text.substr(slash2 + 1)) + "' is not a number";
      clock_text = clock_text.substr(0, slash2);
    }
    auto clock = parse_uint<uint32_t>(clock_text);
    if (!clock) return "rtpmap clock rate '" + std::string(clock_text) + "' is not a number";
    Codec& codec = codec_for(codecs, *pt);
    if (!codec.name.empty()) return "payload type " + std::to_string(*pt) + " has two rtpmap lines";
    codec.name = std::string(encoding.substr(0, slash1));
    codec.clock_rate = *clock;
    codec.channels = channels;
  } else if (name == "fmtp") {
    auto [pt_text, params] = split_first(value);
    auto pt = parse_pt(pt_text);
    if (!pt) return "fmtp payload type '" + std::string(pt_text) + "' is not 0..127";
    Codec& codec = codec_for(codecs, *pt);
    codec.fmtp = std::string(params);
    codec.params = parse_fmtp(params);
  } else if (name == "rtcp-fb") {
    // RFC 4585 §4.2: rtcp-fb:<pt or *> <type> [<subtype>]
    auto [pt_text, feedback] = split_first(value);
    if (feedback.empty()) return std::string("rtcp-fb has no feedback type");
    if (pt_text == "*") {
      rtcp_fb_all.push_back(normalize_spaces(feedback));
    } else {
      auto pt = parse_pt(pt_text);
      if (!pt) return "rtcp-fb payload type '" + std::string(pt_text) + "' is not 0..127 or *";
      codec_for(codecs, *pt).rtcp_fb.push_back(normalize_spaces(feedback));
    }
  } else if (name == "ssrc") {
    // RFC 5576 §4.1: ssrc:<ssrc-id> <attribute>[:<value>]
    auto [id_text, attribute] = split_first(value);
    auto ssrc = parse_uint<uint32_t>(id_text);
    if (!ssrc) return "ssrc '" + std::string(id_text) + "' is not a 32-bit number";
    if (attribute.empty()) return std::string("a=ssrc has no source attribute");
    SsrcInfo* info = nullptr;
    for (auto it = ssrcs.rbegin(); it != ssrcs.rend(); ++it)
      if (it->ssrc == *ssrc) {
        info = &*it;
        break;
      }
    if (!info) {
      if (ssrcs.size() >= kMaxSsrcsPerSection) return std::string("too many a=ssrc sources in one section");
      info = &ssrcs.emplace_back(SsrcInfo{.ssrc = *ssrc});
    }
    size_t colon = attribute.find(':');
    std::string_view attr_name = attribute.substr(0, colon);
    std::optional<std::string_view> attr_value;
    if (colon != std::string_view::npos) attr_value = attribute.substr(colon + 1);
    if (attr_name == "cname" || attr_name == "msid") {
      std::string_view v = trim(attr_value.value_or(std::string_view{}));
      if (v.empty()) return "a=ssrc " + std::string(attr_name) + " is empty";
      (attr_name == "cname" ? info->cname : info->msid) = std::string(v);
    } else {
      info->attributes.push_back(
          Attribute{std::string(attr_name), attr_value ? std::optional<std::string>(*attr_value) : std::nullopt});
    }
  } else if (name == "ssrc-group") {
    auto tokens = split_spaces(value);
    if (tokens.empty()) return std::string("ssrc-group has no semantics");
    SsrcGroup group{std::string(tokens[0]), {}};
    for (size_t i = 1; i < tokens.size(); ++i) {
      auto ssrc = parse_uint<uint32_t>(tokens[i]);
      if (!ssrc) return "ssrc-group member '" + std::string(tokens[i]) + "' is not a 32-bit number";
      group.ssrcs.push_back(*ssrc);
    }
    ssrc_groups.push_back(std::move(group));
  } else if (name == "rid") {
    // RFC 8851 §10: rid:<rid-id> SP <send|recv> [SP <restrictions>]
    auto [id, rest] = split_first(value);
    auto [dir, restrictions] = split_first(rest);
    if (id.empty()) return std::string("rid has no id");
    Rid rid{std::string(id), RidDirection::send, std::string(restrictions)};
    if (dir == "recv") {
      rid.direction = RidDirection::recv;
    } else if (dir != "send") {
      return "rid direction '" + std::string(dir) + "' is not send or recv";
    }
    rids.push_back(std::move(rid));
  } else if (name == "simulcast") {
    if (!parse_simulcast(value)) return "bad simulcast value '" + std::string(value) + "'";
    simulcast = std::string(value);
  } else if (name == "msid") {
    if (auto e = need_value()) return e;
    msids.emplace_back(normalize_spaces(value));
  } else if (name == "candidate") {
    auto candidate = Candidate::parse(value);
    if (!candidate) return candidate.error();
    candidates.push_back(std::move(candidate.value()));
  } else if (name == "end-of-candidates") {
    end_of_candidates = true;
  } else if (name == "sctp-port") {
    auto p = parse_uint<uint16_t>(value);
    if (!p) return "sctp-port '" + std::string(value) + "' is not 0..65535";
    sctp_port = p;
  } else if (name == "max-message-size") {
    auto size = parse_uint<uint64_t>(value);
    if (!size) return "max-message-size '" + std::string(value) + "' is not a number";
    max_message_size = size;
  } else {
    other_attributes.push_back(
        Attribute{std::string(name), raw_value ? std::optional<std::string>(*raw_value) : std::nullopt});
  }
  return std::nullopt;
}

void MediaDescription::serialize(std::string& out) const {
  auto line = [&out](char type, std::string_view value) {
    out += type;
    out += '=';
    out += value;
    out += "\r\n";
  };
  auto attr = [&out](std::string_view name, std::string_view value = {}, bool with_value = true) {
    out += "a=";
    out += name;
    if (with_value) {
      out += ':';
      out += value;
    }
    out += "\r\n";
  };
  auto flag = [&attr](std::string_view name) { attr(name, {}, false); };
  auto extras = [&](std::string_view types, bool others) {
    for (const auto& l : extra_lines) {
      bool listed = types.find(l.type) != std::string_view::npos;
      bool known = std::string_view("ibk").find(l.type) != std::string_view::npos;
      if (listed || (others && !known)) line(l.type, l.value);
    }
  };

  // RFC 8866 §5: m= i= c= b= k= a=
  std::string m = media + ' ' + std::to_string(port);
  if (port_count) m += '/' + std::to_string(*port_count);
  m += ' ' + proto;
  for (const auto& f : formats) m += ' ' + f;
  line('m', m);
  extras("i", false);
  if (connection) line('c', connection->net_type + ' ' + connection->addr_type + ' ' + connection->address);
  extras("b", false);
  extras("k", true);

  if (rtcp) attr("rtcp", rtcp->address.empty() ? std::to_string(rtcp->port)
                                               : std::to_string(rtcp->port) + ' ' + rtcp->address);
  for (const auto& c : candidates) out += "a=" + c.to_string() + "\r\n";
  if (end_of_candidates) flag("end-of-candidates");
  serialize_transport_attributes(out, ice_ufrag, ice_pwd, ice_options, fingerprints, setup);
  if (!mid.empty()) attr("mid", mid);
  for (const auto& e : extmaps) attr("extmap", extmap_value(e));
  if (direction) flag(to_string(*direction));
  for (const auto& msid : msids) attr("msid", msid);
  if (rtcp_mux) flag("rtcp-mux");
  if (rtcp_rsize) flag("rtcp-rsize");
  for (const auto& fb : rtcp_fb_all) attr("rtcp-fb", "* " + fb);
  for (const auto& c : codecs) {
    std::string pt = std::to_string(c.pt);
    if (!c.name.empty()) {
      std::string v = pt + ' ' + c.name + '/' + std::to_string(c.clock_rate);
      if (c.channels) v += '/' + std::to_string(*c.channels);
      attr("rtpmap", v);
    }
    for (const auto& fb : c.rtcp_fb) attr("rtcp-fb", pt + ' ' + fb);
    // A payload type known only from an empty a=fmtp still needs its line.
    if (!c.fmtp.empty() || (c.name.empty() && c.rtcp_fb.empty())) attr("fmtp", pt + ' ' + c.fmtp);
  }
  for (const auto& g : ssrc_groups) {
    std::string v = g.semantics;
    for (uint32_t s : g.ssrcs) v += ' ' + std::to_string(s);
    attr("ssrc-group", v);
  }
  for (const auto& s : ssrcs) {
    std::string id = std::to_string(s.ssrc);
    if (!s.cname.empty()) attr("ssrc", id + " cname:" + s.cname);
    if (!s.msid.empty()) attr("ssrc", id + " msid:" + s.msid);
    for (const auto& a : s.attributes) attr("ssrc", id + ' ' + a.name + (a.value ? ':' + *a.value : std::string()));
  }
  for (const auto& r : rids) {
    std::string v = r.id + ' ' + std::string(to_string(r.direction));
    if (!r.restrictions.empty()) v += ' ' + r.restrictions;
    attr("rid", v);
  }
  if (!simulcast.empty()) attr("simulcast", simulcast);
  if (sctp_port) attr("sctp-port", std::to_string(*sctp_port));
  if (max_message_size) attr("max-message-size", std::to_string(*max_message_size));
  for (const auto& a : other_attributes) attr(a.name, a.value.value_or(std::string()), a.value.has_value());
}

}  // namespace ct::sdp
