#include "cascade/CascadeLinkOffer.hpp"

#include <charconv>

namespace ct::cascade {

std::string CascadeLinkOffer::to_text() const { return std::to_string(link_id) + " " + keys.to_text(); }

std::optional<CascadeLinkOffer> CascadeLinkOffer::parse(std::string_view text) {
  size_t space = text.find(' ');
  if (space == std::string_view::npos || space == 0 || space > 10) return std::nullopt;
  CascadeLinkOffer offer;
  uint64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + space, id);
  if (error != std::errc() || end != text.data() + space || id == 0 || id > UINT32_MAX) return std::nullopt;
  offer.link_id = uint32_t(id);
  auto keys = CascadeKeys::parse(text.substr(space + 1));
  if (!keys) return std::nullopt;
  offer.keys = std::move(*keys);
  return offer;
}

}  // namespace ct::cascade
