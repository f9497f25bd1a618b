#include "signal/SdpFragment.hpp"

#include <algorithm>
#include <charconv>

namespace ct::signal {

namespace {

// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/".
bool ice_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool ice_string(std::string_view s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max && std::all_of(s.begin(), s.end(), ice_char);
}

// RFC 8866 §9: token-char.
bool token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u <= 0x27) || u == 0x2a || u == 0x2b || u == 0x2d || u == 0x2e ||
         (u >= 0x30 && u <= 0x39) || (u >= 0x41 && u <= 0x5a) || (u >= 0x5e && u <= 0x7e);
}

bool token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), token_char); }

bool digits(std::string_view s, size_t max_digits, unsigned long max_value) {
  if (s.empty() || s.size() > max_digits) return false;
  unsigned long v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && v <= max_value;
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    out.push_back(s.substr(i, j - i));  // an empty piece: two spaces in a row
    i = j + 1;
  }
  if (!s.empty() && s.back() == ' ') out.emplace_back();
  return out;
}

// RFC 8839 §5.1: candidate-attribute. Returns what is wrong, or "".
std::string check_candidate(std::string_view value) {
  auto f = split(value.substr(std::string_view("candidate:").size()));
  if (f.size() < 8)
    return "a candidate has foundation, component, transport, priority, address, port, typ, type";
  if (!ice_string(f[0], 1, 32)) return "bad candidate foundation";
  if (!digits(f[1], 3, 256) || f[1] == "0") return "bad candidate component id";
  if (!token(f[2])) return "bad candidate transport";
  if (!digits(f[3], 10, 4294967295ul)) return "bad candidate priority";
  auto address_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == ':' || c == '-' || c == '%';
  };
  if (f[4].empty() || f[4].size() > 255 || !std::all_of(f[4].begin(), f[4].end(), address_char))
    return "bad candidate address";
  if (!digits(f[5], 5, 65535)) return "bad candidate port";
  if (f[6] != "typ" || !token(f[7])) return "a candidate's address and port are followed by 'typ <type>'";
  // Extensions come in name/value pairs (RFC 8839 §5.1 extension-att-name/value).
  if ((f.size() - 8) % 2 != 0) return "a candidate extension lacks its value";
  for (size_t i = 8; i < f.size(); ++i)
    if (f[i].empty()) return "two spaces in a row in a candidate";
  return "";
}

// Splits `text` into lines ending in LF, dropping a CR before it.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view line = text.substr(i, j - i);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    i = j + 1;
  }
  return out;
}

// The value of "a=<name>:<value>" or "a=<name>", or nothing if `line` is another attribute.
std::optional<std::string_view> attribute(std::string_view line, std::string_view name) {
  if (!line.starts_with("a=")) return std::nullopt;
  line.remove_prefix(2);
  if (!line.starts_with(name)) return std::nullopt;
  line.remove_prefix(name.size());
  if (line.empty()) return line;
  if (line.front() != ':') return std::nullopt;
  return line.substr(1);
}

}  // namespace

std::optional<SdpFragment> SdpFragment::parse(std::string_view text, std::string& error) {
  SdpFragment f;
  auto lines = lines_of(text);
  if (lines.size() > kMaxLines) {
    error = "more than " + std::to_string(kMaxLines) + " lines";
    return std::nullopt;
  }
  size_t candidates = 0;
  size_t number = 0;
  bool anything = false;
  for (std::string_view line : lines) {
    ++number;
    auto fail = [&](std::string why) {
      error = "line " + std::to_string(number) + ": " + why;
      return std::nullopt;
    };
    if (line.empty()) continue;
    if (line.size() > kMaxLineLength) return fail("longer than " + std::to_string(kMaxLineLength) + " bytes");
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return fail("control character");
    }
    if (line.size() < 2 || line[1] != '=') return fail("not an SDP line ('<type>=<value>')");
    anything = true;
    Media* m = f.media.empty() ? nullptr : &f.media.back();
    if (line[0] == 'm') {
      if (f.media.size() >= kMaxMedia) return fail("more than " + std::to_string(kMaxMedia) + " m-lines");
      auto fields = split(line.substr(2));
      // RFC 8866 §5.14: <media> <port> <proto> <fmt> ...
      if (fields.size() < 4 || !token(fields[0]) || !digits(fields[1], 5, 65535) || fields[2].empty())
        return fail("bad m-line");
      f.media.push_back(Media{std::string(line.substr(2)), {}, {}, {}, {}, false});
      continue;
    }
    if (line[0] != 'a') return fail(std::string("'") + line[0] + "=' lines do not belong in an ICE fragment");
    if (auto v = attribute(line, "ice-ufrag")) {
      if (!ice_string(*v, 4, 256)) return fail("ice-ufrag is 4 to 256 ICE characters (RFC 8839 §5.4)");
      (m ? m->ice_ufrag : f.ice_ufrag) = std::string(*v);
    } else if (auto v = attribute(line, "ice-pwd")) {
      if (!ice_string(*v, 22, 256)) return fail("ice-pwd is 22 to 256 ICE characters (RFC 8839 §5.4)");
      (m ? m->ice_pwd : f.ice_pwd) = std::string(*v);
    } else if (auto v = attribute(line, "ice-options")) {
      for (auto option : split(*v)) {
        if (!token(option) || option.size() > kMaxIceOptionLength) return fail("bad ice-options");
        if (f.ice_options.size() >= kMaxIceOptions)
          return fail("more than " + std::to_string(kMaxIceOptions) + " ice-options");
        f.ice_options.emplace_back(option);
      }
    } else if (auto v = attribute(line, "ice-lite")) {
      if (m || !v->empty()) return fail("ice-lite is a session-level flag");
      f.ice_lite = true;
    } else if (auto v = attribute(line, "group")) {
      if (!v->starts_with("BUNDLE")) continue;  // other groups say nothing about ICE
      auto mids = split(*v);
      if (mids.front() != "BUNDLE") return fail("bad BUNDLE group");
      f.bundle.clear();
      for (size_t i = 1; i < mids.size(); ++i) {
        if (!token(mids[i])) return fail("bad mid in the BUNDLE group");
        f.bundle.emplace_back(mids[i]);
      }
    } else if (auto v = attribute(line, "mid")) {
      if (!m) return fail("a=mid outside an m-line");
      if (!token(*v) || v->size() > 256) return fail("bad mid");
      m->mid = std::string(*v);
    } else if (line.starts_with("a=candidate:")) {
      // RFC 8840 §9.2: candidates belong to an m-line.
      if (!m) return fail("a=candidate before any m-line");
      if (++candidates > kMaxCandidates)
        return fail("more than " + std::to_string(kMaxCandidates) + " candidates");
      if (auto why = check_candidate(line.substr(2)); !why.empty()) return fail(why);
      m->candidates.emplace_back(line.substr(2));
    } else if (auto v = attribute(line, "end-of-candidates")) {
      if (!v->empty()) return fail("end-of-candidates takes no value");
      (m ? m->end_of_candidates : f.end_of_candidates) = true;
    }
  }
  if (!anything) {
    error = "empty fragment";
    return std::nullopt;
  }
  return f;
}

std::string_view SdpFragment::ufrag() const {
  if (!ice_ufrag.empty() || media.empty()) return ice_ufrag;
  return media.front().ice_ufrag;
}

std::string_view SdpFragment::pwd() const {
  if (!ice_pwd.empty() || media.empty()) return ice_pwd;
  return media.front().ice_pwd;
}

size_t SdpFragment::candidate_count() const {
  size_t n = 0;
  for (const auto& m : media) n += m.candidates.size();
  return n;
}

std::string SdpFragment::serialize() const {
  std::string out;
  auto line = [&out](std::string_view a, std::string_view b = {}) {
    out += a;
    out += b;
    out += "\r\n";
  };
  if (ice_lite) line("a=ice-lite");
  if (!ice_options.empty()) {
    std::string joined;
    for (const auto& o : ice_options) joined += (joined.empty() ? "" : " ") + o;
    line("a=ice-options:", joined);
  }
  if (!ice_ufrag.empty()) line("a=ice-ufrag:", ice_ufrag);
  if (!ice_pwd.empty()) line("a=ice-pwd:", ice_pwd);
  if (!bundle.empty()) {
    std::string group = "a=group:BUNDLE";
    for (const auto& mid : bundle) group += " " + mid;
    line(group);
  }
  // Before any m-line, where it still reads as session-level.
  if (end_of_candidates) line("a=end-of-candidates");
  for (const auto& m : media) {
    line("m=", m.mline);
    if (!m.mid.empty()) line("a=mid:", m.mid);
    if (!m.ice_ufrag.empty()) line("a=ice-ufrag:", m.ice_ufrag);
    if (!m.ice_pwd.empty()) line("a=ice-pwd:", m.ice_pwd);
    for (const auto& c : m.candidates) line("a=", c);
    if (m.end_of_candidates) line("a=end-of-candidates");
  }
  return out;
}

SdpFragment SdpFragment::ice_of(std::string_view sdp) {
  SdpFragment f;
  size_t sections = 0;
  for (std::string_view line : lines_of(sdp)) {
    if (line.starts_with("m=")) {
      if (++sections == 1) f.media.push_back(Media{std::string(line.substr(2)), {}, {}, {}, {}, false});
      continue;
    }
    if (sections > 1) continue;
    Media* m = sections == 1 ? &f.media.back() : nullptr;
    if (auto v = attribute(line, "ice-ufrag")) {
      if (f.ice_ufrag.empty()) f.ice_ufrag = std::string(*v);
    } else if (auto v = attribute(line, "ice-pwd")) {
      if (f.ice_pwd.empty()) f.ice_pwd = std::string(*v);
    } else if (auto v = attribute(line, "ice-lite")) {
      f.ice_lite = true;
    } else if (auto v = attribute(line, "ice-options")) {
      for (auto option : split(*v))
        if (!option.empty()) f.ice_options.emplace_back(option);
    } else if (auto v = attribute(line, "group"); v && !m && v->starts_with("BUNDLE ")) {
      for (auto mid : split(v->substr(7)))
        if (!mid.empty()) f.bundle.emplace_back(mid);
    } else if (!m) {
      continue;
    } else if (auto v = attribute(line, "mid")) {
      m->mid = std::string(*v);
    } else if (line.starts_with("a=candidate:")) {
      m->candidates.emplace_back(line.substr(2));
    } else if (attribute(line, "end-of-candidates")) {
      m->end_of_candidates = true;
    }
  }
  return f;
}

std::string SdpFragment::with_ice_credentials(std::string_view sdp, std::string_view ufrag,
                                              std::string_view pwd) {
  std::string out;
  out.reserve(sdp.size() + 64);
  size_t i = 0;
  while (i < sdp.size()) {
    size_t j = sdp.find('\n', i);
    size_t end = j == std::string_view::npos ? sdp.size() : j + 1;
    std::string_view line = sdp.substr(i, end - i);
    std::string_view ending = line.ends_with("\r\n") ? "\r\n" : line.ends_with("\n") ? "\n" : "";
    if (line.starts_with("a=ice-ufrag:")) {
      out += "a=ice-ufrag:";
      out += ufrag;
      out += ending;
    } else if (line.starts_with("a=ice-pwd:")) {
      out += "a=ice-pwd:";
      out += pwd;
      out += ending;
    } else {
      out += line;
    }
    i = end;
  }
  return out;
}

}  // namespace ct::signal
