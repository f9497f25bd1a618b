#pragma once
// What one node tells another, through the cluster's shared store, to open
// their link for a room: the link id it chose (the other node puts it on
// every frame it sends) and the keys it sends with (the other node opens
// with them). The other node answers with its own offer; each side then has
// both halves of the link. Text form: "<link id> <keys>" (CascadeKeys::to_text).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cascade/CascadeKeys.hpp"

namespace ct::cascade {

struct CascadeLinkOffer {
  uint32_t link_id = 0;  // never 0
  CascadeKeys keys;

  std::string to_text() const;
  // Nothing for a missing, zero or out-of-range id, or keys that do not parse.
  static std::optional<CascadeLinkOffer> parse(std::string_view text);

  bool operator==(const CascadeLinkOffer&) const = default;
};

}  // namespace ct::cascade
