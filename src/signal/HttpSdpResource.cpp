#include "signal/HttpSdpResource.hpp"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/Random.hpp"

namespace ct::signal {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The media type of a Content-Type or Accept element, without parameters.
std::string media_type(std::string_view value) {
  return lower(trim(value.substr(0, std::min(value.find(';'), value.size()))));
}

std::string new_etag() { return "\"" + random_token(16) + "\""; }

// A link-param value as a quoted-string (RFC 9110 §5.6.4): quotes and
// backslashes escaped.
std::string quoted_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

bool unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace

HttpSdpResource::HttpSdpResource(std::string location, std::string remote_ufrag, std::string remote_pwd)
    : location_(std::move(location)),
      etag_(new_etag()),
      remote_ufrag_(std::move(remote_ufrag)),
      remote_pwd_(std::move(remote_pwd)) {}

std::variant<HttpSdpResource::Patch, http::HttpResponse> HttpSdpResource::check_patch(
    const http::HttpRequest& request) const {
  if (!has_content_type(request, kFragmentType))
    return error(415, "unsupported_media_type",
                 "send ICE fragments as Content-Type: " + std::string(kFragmentType));
  // RFC 9110 §13.1.1: If-Match is "*" or a list of entity tags.
  const std::string& if_match = request.header("if-match");
  bool any = trim(if_match) == "*";
  bool current = false;
  if (!if_match.empty() && !any) {
    std::string_view rest = if_match;
    while (!rest.empty()) {
      size_t comma = std::min(rest.find(','), rest.size());
      std::string_view tag = trim(rest.substr(0, comma));
      if (tag.starts_with("W/")) tag.remove_prefix(2);  // weak comparison is enough to name the session
      if (tag == etag_) current = true;
      rest.remove_prefix(std::min(comma + 1, rest.size()));
    }
    if (!current)
      return error(412, "etag_mismatch", "If-Match does not name this session's current entity tag");
  }

  std::string why;
  auto fragment = SdpFragment::parse(request.body, why);
  if (!fragment) return error(400, "bad_fragment", "malformed trickle-ice-sdpfrag: " + why);
  Patch patch;
  const std::string_view ufrag = fragment->ufrag(), pwd = fragment->pwd();
  bool other_ufrag = !ufrag.empty() && ufrag != remote_ufrag_;
  bool other_pwd = !pwd.empty() && pwd != remote_pwd_;
  if (other_ufrag || other_pwd) {
    // RFC 9725 §4.3.3: a restart carries both new credentials.
    if (ufrag.empty() || pwd.empty() || !other_ufrag || !other_pwd)
      return error(
          422, "ice_credentials_mismatch",
          "the fragment names other ICE credentials; an ICE restart sends a new ice-ufrag and ice-pwd");
    patch.kind = Patch::Kind::restart;
  }
  patch.fragment = std::move(*fragment);
  return patch;
}

void HttpSdpResource::restarted(std::string remote_ufrag, std::string remote_pwd) {
  remote_ufrag_ = std::move(remote_ufrag);
  remote_pwd_ = std::move(remote_pwd);
  etag_ = new_etag();
}

http::HttpResponse HttpSdpResource::created(std::string answer_sdp,
                                            const std::vector<IceServer>& ice_servers) const {
  http::HttpResponse r;
  r.status = 201;
  r.content_type = std::string(kSdpType);
  r.body = std::move(answer_sdp);
  r.headers.emplace_back("Location", location_);
  r.headers.emplace_back("ETag", etag_);
  for (auto& link : ice_server_links(ice_servers)) r.headers.emplace_back("Link", std::move(link));
  return r;
}

http::HttpResponse HttpSdpResource::restart_answer(const SdpFragment& ours) const {
  http::HttpResponse r;
  r.status = 200;
  r.content_type = std::string(kFragmentType);
  r.body = ours.serialize();
  r.headers.emplace_back("ETag", etag_);
  return r;
}

bool HttpSdpResource::has_content_type(const http::HttpRequest& request, std::string_view type) {
  return media_type(request.header("content-type")) == type;
}

bool HttpSdpResource::accepts(const http::HttpRequest& request, std::string_view type) {
  const std::string& accept = request.header("accept");
  if (trim(accept).empty()) return true;
  const std::string wanted(type);
  const std::string family = wanted.substr(0, wanted.find('/')) + "/*";
  std::string_view rest = accept;
  while (!rest.empty()) {
    size_t comma = std::min(rest.find(','), rest.size());
    std::string_view element = rest.substr(0, comma);
    rest.remove_prefix(std::min(comma + 1, rest.size()));
    std::string t = media_type(element);
    if (t != wanted && t != family && t != "*/*") continue;
    // "q=0" means "not acceptable" (RFC 9110 §12.4.2).
    std::string params = lower(element.substr(std::min(element.find(';'), element.size())));
    params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
    if (size_t q = params.find(";q=");
        q != std::string::npos && std::strtod(params.c_str() + q + 3, nullptr) <= 0)
      continue;
    return true;
  }
  return false;
}

std::vector<std::string> HttpSdpResource::ice_server_links(const std::vector<IceServer>& servers) {
  std::vector<std::string> links;
  for (const auto& server : servers) {
    for (const auto& url : server.urls) {
      std::string link = "<" + url + ">; rel=\"ice-server\"";
      if (!server.username.empty()) {
        link += "; username=" + quoted_string(server.username) +
                "; credential=" + quoted_string(server.credential) + "; credential-type=\"password\"";
      }
      links.push_back(std::move(link));
    }
  }
  return links;
}

http::HttpResponse HttpSdpResource::error(int status, std::string_view code, std::string_view message) {
  nlohmann::json body = {{"code", code}, {"message", message}};
  // A message may quote the client's bytes (a line of its SDP), which need not be UTF-8.
  return http::HttpResponse::json(status,
                                  body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::string HttpSdpResource::percent_encoded(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : segment) {
    if (unreserved(c)) {
      out += c;
    } else {
      auto u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

}  // namespace ct::signal
