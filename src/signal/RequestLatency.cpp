#include "signal/RequestLatency.hpp"

#include <utility>

namespace ct::signal {
namespace {

template <size_t... I>
std::array<std::string_view, sizeof...(I)> names_of(std::index_sequence<I...>) {
  return {request_name(Request(std::in_place_index<I>))...};
}

}  // namespace

void RequestLatency::observe(size_t type, Duration elapsed) {
  if (type >= kTypes) return;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  Type& t = types_[type];
  t.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count();
  t.sum_ns.fetch_add(uint64_t(ns > 0 ? ns : 0), std::memory_order_relaxed);
}

std::vector<RequestLatency::Histogram> RequestLatency::snapshot() const {
  static const auto kNames = names_of(std::make_index_sequence<kTypes>());
  std::vector<Histogram> out(kTypes);
  for (size_t i = 0; i < kTypes; ++i) {
    out[i].type = kNames[i];
    for (size_t b = 0; b < out[i].counts.size(); ++b)
      out[i].counts[b] = types_[i].counts[b].load(std::memory_order_relaxed);
    out[i].sum_seconds = double(types_[i].sum_ns.load(std::memory_order_relaxed)) / 1e9;
  }
  return out;
}

}  // namespace ct::signal
