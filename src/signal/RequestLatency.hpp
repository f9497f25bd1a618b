#pragma once
// How long signaling requests take, per request type (a bounded set: the
// protocol's request names): from the frame's arrival on the front thread to
// the end of the work it causes (on the room's worker for most requests).
// Observed from any thread without a lock: the buckets are atomic counters,
// so a media worker finishing a request never waits for the scrape.
#include <array>
#include <atomic>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/Clock.hpp"
#include "signal/SignalProtocol.hpp"

namespace ct::signal {

class RequestLatency {
 public:
  static constexpr std::array<double, 11> kBounds = {0.000'5, 0.001, 0.002'5, 0.005, 0.01, 0.025,
                                                     0.05,    0.1,   0.25,    0.5,   1};
  static constexpr size_t kTypes = std::variant_size_v<Request>;

  struct Histogram {
    std::string_view type;  // request_name()
    std::array<uint64_t, kBounds.size() + 1> counts{};
    double sum_seconds = 0;
  };

  // `type` is Request::index(); out of range is ignored.
  void observe(size_t type, Duration elapsed);
  // Every type, in the protocol's order (types never seen have zero counts).
  std::vector<Histogram> snapshot() const;

 private:
  struct Type {
    std::array<std::atomic<uint64_t>, kBounds.size() + 1> counts{};
    std::atomic<uint64_t> sum_ns{0};
  };
  std::array<Type, kTypes> types_;
};

}  // namespace ct::signal
