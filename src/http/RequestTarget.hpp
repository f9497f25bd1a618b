#pragma once
// The request target of an HTTP/1.1 request line in origin form
// (RFC 9112 §3.2.1: "/path?query"), split and percent-decoded.
#include <string>
#include <string_view>

#include "http/HttpRequest.hpp"

namespace ct::http {

// Decodes %XX escapes (and '+' as space when `plus_as_space`). Returns false on
// a malformed escape or a decoded NUL byte.
bool percent_decode(std::string_view in, std::string& out, bool plus_as_space = false);

// Fills `out.path` and `out.query` from an origin-form target. Returns false
// for any other form (absolute, authority, asterisk) or a malformed escape.
bool parse_request_target(std::string_view target, HttpRequest& out);

}  // namespace ct::http
