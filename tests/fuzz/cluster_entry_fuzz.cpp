// Node entries come from Redis, where any node (or anyone with access) may
// have written them; the Redis URL comes from configuration. Neither parser
// may crash on anything.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cluster/NodeEntry.hpp"
#include "cluster/RedisUrl.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto e = ct::cluster::NodeEntry::parse(text)) {
    (void)e->rtc_url();
    (void)e->load();
    (void)ct::cluster::NodeEntry::parse(e->to_json());
  }
  if (auto u = ct::cluster::RedisUrl::parse(text)) (void)u->endpoint();
  return 0;
}
