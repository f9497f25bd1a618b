#include "cluster/RoomNodes.hpp"

#include <algorithm>
#include <charconv>

namespace ct::cluster {

std::optional<LinkAddress> parse_link_address(std::string_view text) {
  LinkAddress out;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    out.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    out.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
  }
  if (out.host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (error != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
    return std::nullopt;
  out.port = uint16_t(value);
  return out;
}

std::string to_string(const LinkAddress& address) {
  bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

std::vector<RoomNode> peer_room_nodes(std::span<const std::pair<std::string, std::string>> fields,
                                      std::span<const NodeEntry> live, std::string_view self) {
  std::vector<RoomNode> out;
  for (const auto& field : fields) {  // not a structured binding: clang 14's lambdas cannot capture one
    const std::string& id = field.first;
    if (id == self) continue;
    bool alive = std::any_of(live.begin(), live.end(), [&](const NodeEntry& n) { return n.id == id; });
    if (!alive) continue;
    if (auto link = parse_link_address(field.second)) out.push_back(RoomNode{id, std::move(*link)});
  }
  std::sort(out.begin(), out.end(), [](const RoomNode& a, const RoomNode& b) { return a.id < b.id; });
  return out;
}

}  // namespace ct::cluster
