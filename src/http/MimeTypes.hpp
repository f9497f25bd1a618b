#pragma once
// Content-Type for static files, chosen by file extension.
#include <string_view>

namespace ct::http {

// The Content-Type for `path` by its extension (case-insensitive);
// "application/octet-stream" when the extension is unknown.
std::string_view mime_type_for(std::string_view path);

}  // namespace ct::http
