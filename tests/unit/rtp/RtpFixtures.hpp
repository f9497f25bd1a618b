#pragma once
// Loads the captured Chromium packets (tests/fixtures/rtp) and reads the
// key=value fields of their descriptions.
#include <cstdint>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/Encoding.hpp"

namespace ct::rtp::test {

struct FixtureLine {
  std::vector<uint8_t> bytes;
  std::string description;  // what follows "# "
  size_t line_number = 0;
};

inline std::vector<FixtureLine> load_fixture(const std::string& name) {
  std::ifstream file(std::string(CT_FIXTURES_DIR) + "/rtp/" + name);
  if (!file) throw std::runtime_error("missing fixture " + name);
  std::vector<FixtureLine> lines;
  std::string line;
  size_t number = 0;
  while (std::getline(file, line)) {
    ++number;
    const size_t hash = line.find("  # ");
    if (hash == std::string::npos) throw std::runtime_error("bad fixture line " + std::to_string(number));
    auto bytes = from_hex(std::string_view(line).substr(0, hash));
    if (!bytes) throw std::runtime_error("bad hex on line " + std::to_string(number));
    lines.push_back({std::move(*bytes), line.substr(hash + 4), number});
  }
  return lines;
}

// The token after `key` (e.g. "seq=") up to the next space, or nullopt. The
// key must start a word.
inline std::optional<std::string> field(std::string_view text, std::string_view key) {
  size_t at = 0;
  while ((at = text.find(key, at)) != std::string_view::npos) {
    if (at == 0 || text[at - 1] == ' ' || text[at - 1] == '(' || text[at - 1] == '[') {
      const size_t start = at + key.size();
      size_t end = text.find_first_of(" )", start);
      if (end == std::string_view::npos) end = text.size();
      return std::string(text.substr(start, end - start));
    }
    at += key.size();
  }
  return std::nullopt;
}

inline uint64_t number(std::string_view text, std::string_view key) {
  const auto value = field(text, key);
  if (!value) throw std::runtime_error("no field " + std::string(key) + " in: " + std::string(text));
  return std::stoull(*value, nullptr, 0);
}

// "[a, b, c]" or "a,b" -> numbers.
inline std::vector<int64_t> number_list(std::string_view text) {
  std::vector<int64_t> out;
  std::string current;
  for (char c : text) {
    if ((c >= '0' && c <= '9') || c == '-') {
      current += c;
    } else if (!current.empty()) {
      out.push_back(std::stoll(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::stoll(current));
  return out;
}

inline std::vector<std::string> split(std::string_view text, std::string_view separator) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (true) {
    const size_t next = text.find(separator, at);
    parts.emplace_back(text.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at));
    if (next == std::string_view::npos) break;
    at = next + separator.size();
  }
  return parts;
}

}  // namespace ct::rtp::test
