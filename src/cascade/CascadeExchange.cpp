#include "cascade/CascadeExchange.hpp"

#include <nlohmann/json.hpp>

namespace ct::cascade {

using nlohmann::json;

std::string to_json(const CascadeExchange& exchange) {
  json messages = json::array();
  for (const auto& m : exchange.messages) messages.push_back(json::parse(to_json(m)));
  json j = {{"room", exchange.room},
            {"node", exchange.node},
            {"address", exchange.address.to_string()},
            {"link", exchange.offer.to_text()},
            {"messages", std::move(messages)}};
  return j.dump();
}

namespace {

std::optional<std::string> name_of(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  const auto& s = it->get_ref<const std::string&>();
  if (s.empty() || s.size() > CascadeExchange::kMaxName) return std::nullopt;
  return s;
}

}  // namespace

std::optional<CascadeExchange> parse_cascade_exchange(std::string_view text) {
  if (text.size() > CascadeExchange::kMaxBody) return std::nullopt;
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  CascadeExchange out;
  auto room = name_of(j, "room");
  auto node = name_of(j, "node");
  auto address = name_of(j, "address");
  auto link = name_of(j, "link");
  if (!room || !node || !address || !link) return std::nullopt;
  out.room = std::move(*room);
  out.node = std::move(*node);
  auto parsed_address = net::SocketAddress::parse(*address);
  auto offer = CascadeLinkOffer::parse(*link);
  if (!parsed_address || parsed_address->port() == 0 || !offer) return std::nullopt;
  out.address = *parsed_address;
  out.offer = std::move(*offer);
  auto messages = j.find("messages");
  if (messages == j.end() || !messages->is_array() || messages->size() > CascadeExchange::kMaxMessages)
    return std::nullopt;
  for (const auto& m : *messages) {
    auto message = parse_cascade_message(m.dump());
    if (!message) return std::nullopt;
    out.messages.push_back(std::move(*message));
  }
  return out;
}

}  // namespace ct::cascade
