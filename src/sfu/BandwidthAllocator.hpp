#pragma once
// Shares one subscriber's downstream budget among its subscriptions, the
// way LiveKit's stream allocator and mediasoup's outgoing-bitrate
// distribution do, in our own terms:
//   1. audio first, at its measured rate, whatever the budget;
//   2. then every wanted video its cheapest step (the lowest layer, its base
//      temporal layer alone where the publisher sends temporal layers), in
//      priority order: screen share, then the active speaker, then the rest,
//      bigger tiles first; a video whose cheapest step does not fit is paused,
//      so what fits keeps flowing instead of everything starving;
//   3. then each, in the same order, climbs towards the layer its viewer
//      wants while the budget lasts. The steps are, per layer from the lowest,
//      its base temporal layer and then all of it, so dropping temporal
//      layers of a big layer comes before falling to a smaller one where that
//      fits.
// Hysteresis: keeping a step needs only its cost; a step above the one held
// must leave the whole allocation kUpgradeHeadroom under the budget, and
// stay so for kUpgradeDelay, before it is taken; going down is at once. A budget jittering by ±10%
// thus moves nothing. When everything wanted fits with the headroom, the
// budget does not bind and upgrades (a tile that grew) are not delayed.
// Layers not measured yet are estimated from a measured neighbour; with
// nothing measured at all, a video gets the layer its viewer wants.
//
// Pure logic, no I/O. Vectors are reused across calls: no allocation in
// steady state.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/Clock.hpp"

namespace ct::sfu {

class BandwidthAllocator {
 public:
  static constexpr int kNoLayer = -1;
  static constexpr size_t kMaxLayers = 3;
  static constexpr uint8_t kAllTemporalLayers = 3;  // VP8 TID is 0..3
  static constexpr double kUpgradeHeadroom = 0.15;
  static constexpr Duration kUpgradeDelay = seconds(2);
  // Each simulcast layer up is taken to cost this much more than the one
  // below until it is measured (twice the width and height, a little under
  // three times the bits at the client's rates: 150, 500, 1700 kbit/s).
  static constexpr uint64_t kLayerCostRatio = 3;

  enum class Priority : uint8_t { other = 0, active_speaker = 1, screen_share = 2 };

  struct LayerRate {
    uint64_t bps = 0;       // all temporal layers, over the last second; 0: not measured
    uint64_t base_bps = 0;  // the base temporal layer alone; 0 or bps: nothing to drop
    bool live = false;      // the publisher is sending it
  };
  struct Demand {
    uint64_t id = 0;  // stable per subscription: hysteresis follows it
    bool audio = false;
    uint64_t audio_bps = 0;  // an audio track's measured rate
    Priority priority = Priority::other;
    uint64_t tile_area = 0;  // in pixels; the caller gives a tile of unknown size the largest
    // The layer the viewer wants (after its tile size and quality limit), 0
    // for a track without simulcast; kNoLayer for nothing (hidden, muted):
    // then it costs nothing and is not paused.
    int desired_layer = kNoLayer;
    size_t layer_count = 1;  // lowest first
    std::array<LayerRate, kMaxLayers> layers{};
  };
  struct Allocation {
    int layer = kNoLayer;  // the most it may get; kNoLayer: nothing wanted, or paused
    uint8_t max_temporal_layer = kAllTemporalLayers;
    bool paused = false;  // wanted video that the budget cannot carry
  };
  // Changes from what a track had before, or for a new one from what its viewer wants.
  struct Stats {
    uint64_t paused = 0;      // videos paused for bandwidth
    uint64_t downgraded = 0;  // a cheaper step (not paused)
    uint64_t upgraded = 0;    // a dearer step, a resume included
  };

  BandwidthAllocator();

  // One allocation of `budget_bps`; `out[i]` answers `demands[i]` (`out`
  // must be as long). Hysteresis state is kept per Demand::id; ids not in
  // `demands` are forgotten.
  void allocate(uint64_t budget_bps, std::span<const Demand> demands, TimePoint now,
                std::span<Allocation> out);
  // What `layer` of `demand` costs: measured, or estimated from its highest
  // measured layer (kLayerCostRatio a layer); nullopt with nothing measured.
  static std::optional<uint64_t> layer_cost(const Demand& demand, int layer);
  // Forgets every subscription's state (the budget went away): the next
  // allocation starts afresh. The stats stay.
  void reset() { states_.clear(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Step {
    int layer = 0;
    uint8_t max_temporal_layer = kAllTemporalLayers;
    uint64_t cost = 0;
  };
  struct State {
    uint64_t id = 0;
    bool seen = false;
    bool holding = false;  // `held` is what it was given last time (else: new, or nothing wanted)
    Step held;             // the last step given, when holding and not paused
    bool paused = false;
    bool upgrade_pending = false;
    TimePoint upgrade_since{};
  };
  struct Work {
    size_t demand = 0;
    size_t state = 0;  // index in states_
    std::array<Step, 2 * kMaxLayers> steps{};
    size_t step_count = 0;
    int held = -1;    // index of the held step, -1 for none
    int chosen = -1;  // index this allocation can afford, -1 for none
  };

  static size_t build_steps(const Demand& demand, std::array<Step, 2 * kMaxLayers>& steps);
  int held_index(const Work& work) const;
  // Whether going from step `from` (-1: none) to `to` fits in `remaining`.
  bool fits(const Work& work, int from, int to, int64_t remaining) const;
  size_t state_for(uint64_t id);
  void count_change(const State& before, const Work& work, int applied);

  int64_t budget_ = 0;  // of the allocation under way
  std::vector<State> states_;
  std::vector<Work> work_;
  std::vector<size_t> order_;  // into work_, by priority
  Stats stats_;
};

}  // namespace ct::sfu
