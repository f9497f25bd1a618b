#pragma once
// A small XML reader for the bodies S3 answers with (errors, multipart
// upload ids, object listings): elements, their text, entities, comments,
// CDATA and the XML declaration. Attributes are skipped (S3 puts nothing we
// need in them) and namespace prefixes are kept in names. Anything that is
// not well-formed in these terms is refused, and so is nesting deeper than
// kMaxDepth or more than kMaxElements elements, so a hostile or cut-short
// body costs bounded work and never throws.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ct::objectstore {

class XmlElement {
 public:
  static constexpr size_t kMaxDepth = 32;
  static constexpr size_t kMaxElements = 100000;

  // The document's root element, or nothing if `text` is not well-formed.
  static std::optional<XmlElement> parse(std::string_view text);

  const std::string& name() const { return name_; }
  // The element's own character data, entities decoded (text between child
  // elements is concatenated).
  const std::string& text() const { return text_; }
  const std::vector<XmlElement>& children() const { return children_; }

  // The first child called `name`, or null.
  const XmlElement* child(std::string_view name) const;
  // The text of the first child called `name`, or "" if there is none.
  std::string child_text(std::string_view name) const;

 private:
  friend class XmlReader;
  std::string name_;
  std::string text_;
  std::vector<XmlElement> children_;
};

}  // namespace ct::objectstore
