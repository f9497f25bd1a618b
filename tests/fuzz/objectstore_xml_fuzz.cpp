// libFuzzer target: the XML reader and every S3 answer parser over any
// bytes. None may crash or throw; what they return must hold together.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "objectstore/S3Responses.hpp"
#include "objectstore/XmlElement.hpp"

namespace {

size_t count_elements(const ct::objectstore::XmlElement& e, size_t depth) {
  if (depth > ct::objectstore::XmlElement::kMaxDepth || e.name().empty()) std::abort();
  size_t n = 1;
  for (const auto& c : e.children()) n += count_elements(c, depth + 1);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ct::objectstore;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto root = XmlElement::parse(text)) {
    if (count_elements(*root, 1) > XmlElement::kMaxElements) std::abort();
  }
  if (auto error = parse_s3_error(text); error && error->code.empty()) std::abort();
  if (auto id = parse_upload_id(text); id && id->empty()) std::abort();
  if (auto etag = parse_complete_multipart(text); etag && etag->empty()) std::abort();
  if (auto page = parse_list_objects(text)) {
    if (page->truncated && page->next_continuation_token.empty()) std::abort();
    for (const auto& o : page->objects)
      if (o.key.empty()) std::abort();
  }
  parse_s3_time(text);
  return 0;
}
