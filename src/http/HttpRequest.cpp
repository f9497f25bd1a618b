#include "http/HttpRequest.hpp"

namespace ct::http {

const std::string& HttpRequest::header(const std::string& lower_name) const {
  static const std::string kEmpty;
  const auto it = headers.find(lower_name);
  return it == headers.end() ? kEmpty : it->second;
}

}  // namespace ct::http
