#pragma once
// The HTTP side of a WebRTC session that was set up by one SDP offer/answer
// over HTTP, as WHIP (RFC 9725) has it and WHEP follows: the content types
// it takes, its entity tag, what a PATCH on it asks for (trickle ICE or an
// ICE restart, RFC 9725 §4.3) and the answers it gives. Knows nothing of
// rooms; one object per session resource, guarded by its owner.
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "http/HttpRequest.hpp"
#include "http/HttpResponse.hpp"
#include "signal/SdpFragment.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::signal {

class HttpSdpResource {
 public:
  static constexpr std::string_view kSdpType = "application/sdp";
  static constexpr std::string_view kFragmentType = "application/trickle-ice-sdpfrag";

  // What a valid PATCH asks for.
  struct Patch {
    enum class Kind { trickle, restart };
    Kind kind = Kind::trickle;
    SdpFragment fragment;
  };

  // `location`: the resource's path; `remote_ufrag`/`remote_pwd`: the
  // client's ICE credentials from its offer. Starts with a fresh entity tag.
  HttpSdpResource(std::string location, std::string remote_ufrag, std::string remote_pwd);

  const std::string& location() const { return location_; }
  const std::string& etag() const { return etag_; }  // quoted, as sent in ETag

  // Checks a PATCH (RFC 9725 §4.3.1): 415 unless the body is a
  // trickle-ice-sdpfrag; 412 when If-Match names another entity tag; 400
  // when the fragment does not parse; 422 when it cannot apply to this
  // session (other credentials without both new ufrag and pwd). New ufrag
  // and pwd make an ICE restart, which If-Match "*" or the current tag may ask for.
  std::variant<Patch, http::HttpResponse> check_patch(const http::HttpRequest& request) const;

  // After an ICE restart: the client's new credentials and a new entity tag.
  void restarted(std::string remote_ufrag, std::string remote_pwd);

  // 201 Created (RFC 9725 §4.2): the answer, Location, ETag, and a Link
  // header for each ICE server (§4.6).
  http::HttpResponse created(std::string answer_sdp, const std::vector<IceServer>& ice_servers) const;
  // 200 OK with our side of an ICE restart (§4.3.3) and the new ETag.
  http::HttpResponse restart_answer(const SdpFragment& ours) const;

  // Whether the request's Content-Type is `type` (case and parameters ignored).
  static bool has_content_type(const http::HttpRequest& request, std::string_view type);
  // Whether the request's Accept admits `type` (no Accept admits everything).
  static bool accepts(const http::HttpRequest& request, std::string_view type);
  // Link header values for ICE servers (RFC 9725 §4.6, RFC 8288): one per
  // URL, with username and credential for TURN.
  static std::vector<std::string> ice_server_links(const std::vector<IceServer>& servers);
  // A path segment percent-encoded (RFC 3986 §2.1): all but unreserved characters.
  static std::string percent_encoded(std::string_view segment);
  // An error answer: {"code": ..., "message": ...} (as the room service API has them).
  static http::HttpResponse error(int status, std::string_view code, std::string_view message);

 private:
  std::string location_;
  std::string etag_;
  std::string remote_ufrag_, remote_pwd_;
};

}  // namespace ct::signal
