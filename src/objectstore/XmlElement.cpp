#include "objectstore/XmlElement.hpp"

#include <cstdint>

namespace ct::objectstore {

// Recursive descent over the text; every method returns false on anything
// malformed, and nothing is thrown.
class XmlReader {
 public:
  explicit XmlReader(std::string_view text) : in_(text) {}

  std::optional<XmlElement> document() {
    if (!skip_misc()) return std::nullopt;
    if (!at('<')) return std::nullopt;
    XmlElement root;
    if (!element(root, 1)) return std::nullopt;
    if (!skip_misc() || pos_ != in_.size()) return std::nullopt;
    return root;
  }

 private:
  bool at(char c) const { return pos_ < in_.size() && in_[pos_] == c; }
  bool starts(std::string_view s) const { return in_.substr(pos_, s.size()) == s; }
  void skip_space() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\r' || in_[pos_] == '\n'))
      ++pos_;
  }
  // Moves past the next `end`; false if there is none.
  bool skip_past(std::string_view end) {
    const size_t found = in_.find(end, pos_);
    if (found == std::string_view::npos) return false;
    pos_ = found + end.size();
    return true;
  }
  // Whitespace, the XML declaration, processing instructions, comments and a
  // DOCTYPE without an internal subset, before or after the root element.
  bool skip_misc() {
    for (;;) {
      skip_space();
      if (starts("<?")) {
        if (!skip_past("?>")) return false;
      } else if (starts("<!--")) {
        if (!skip_past("-->")) return false;
      } else if (starts("<!DOCTYPE")) {
        if (!skip_past(">")) return false;
      } else {
        return true;
      }
    }
  }
  static bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == ':' || (static_cast<unsigned char>(c) >= 0x80);
  }
  bool name(std::string& out) {
    const size_t start = pos_;
    while (pos_ < in_.size() && name_char(in_[pos_])) ++pos_;
    if (pos_ == start) return false;
    out.assign(in_.substr(start, pos_ - start));
    return true;
  }
  // Attributes are skipped, but their quoted values may hold '>' or '/'.
  bool skip_attributes() {
    for (;;) {
      skip_space();
      if (at('>') || at('/')) return true;
      std::string ignored;
      if (!name(ignored)) return false;
      skip_space();
      if (!at('=')) return false;
      ++pos_;
      skip_space();
      if (!at('"') && !at('\'')) return false;
      const char quote = in_[pos_++];
      const size_t end = in_.find(quote, pos_);
      if (end == std::string_view::npos) return false;
      pos_ = end + 1;
    }
  }
  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xc0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += char(0xe0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3f));
      out += char(0x80 | (cp & 0x3f));
    } else {
      out += char(0xf0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3f));
      out += char(0x80 | ((cp >> 6) & 0x3f));
      out += char(0x80 | (cp & 0x3f));
    }
  }
  // At '&': the five predefined entities and character references (XML 1.0 §4.1).
  bool entity(std::string& out) {
    const size_t end = in_.find(';', pos_);
    if (end == std::string_view::npos || end - pos_ > 12) return false;
    const std::string_view ref = in_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    if (ref == "amp") return out += '&', true;
    if (ref == "lt") return out += '<', true;
    if (ref == "gt") return out += '>', true;
    if (ref == "quot") return out += '"', true;
    if (ref == "apos") return out += '\'', true;
    if (ref.size() < 2 || ref[0] != '#') return false;
    const bool hex = ref[1] == 'x';
    const std::string_view digits = ref.substr(hex ? 2 : 1);
    if (digits.empty()) return false;
    uint32_t cp = 0;
    for (char c : digits) {
      uint32_t d;
      if (c >= '0' && c <= '9') {
        d = uint32_t(c - '0');
      } else if (hex && c >= 'a' && c <= 'f') {
        d = uint32_t(c - 'a' + 10);
      } else if (hex && c >= 'A' && c <= 'F') {
        d = uint32_t(c - 'A' + 10);
      } else {
        return false;
      }
      cp = cp * (hex ? 16 : 10) + d;
      if (cp > 0x10ffff) return false;
    }
    if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    append_utf8(out, cp);
    return true;
  }
  // At '<' of a start tag.
  bool element(XmlElement& e, size_t depth) {
    if (depth > XmlElement::kMaxDepth || ++elements_ > XmlElement::kMaxElements) return false;
    ++pos_;
    if (!name(e.name_) || !skip_attributes()) return false;
    if (starts("/>")) {
      pos_ += 2;
      return true;
    }
    if (!at('>')) return false;
    ++pos_;
    for (;;) {
      if (pos_ >= in_.size()) return false;
      const char c = in_[pos_];
      if (c == '&') {
        if (!entity(e.text_)) return false;
      } else if (c != '<') {
        e.text_ += c;
        ++pos_;
      } else if (starts("</")) {
        pos_ += 2;
        std::string closing;
        if (!name(closing) || closing != e.name_) return false;
        skip_space();
        if (!at('>')) return false;
        ++pos_;
        return true;
      } else if (starts("<!--")) {
        if (!skip_past("-->")) return false;
      } else if (starts("<![CDATA[")) {
        const size_t start = pos_ + 9;
        const size_t end = in_.find("]]>", start);
        if (end == std::string_view::npos) return false;
        e.text_.append(in_.substr(start, end - start));
        pos_ = end + 3;
      } else if (starts("<?")) {
        if (!skip_past("?>")) return false;
      } else {
        XmlElement child;
        if (!element(child, depth + 1)) return false;
        e.children_.push_back(std::move(child));
      }
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
  size_t elements_ = 0;
};

std::optional<XmlElement> XmlElement::parse(std::string_view text) { return XmlReader(text).document(); }

const XmlElement* XmlElement::child(std::string_view name) const {
  for (const auto& c : children_) {
    if (c.name_ == name) return &c;
  }
  return nullptr;
}

std::string XmlElement::child_text(std::string_view name) const {
  const XmlElement* c = child(name);
  return c ? c->text_ : std::string();
}

}  // namespace ct::objectstore
