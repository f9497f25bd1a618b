#include "sfu/BandwidthAllocator.hpp"

#include <algorithm>

namespace ct::sfu {
namespace {

bool same_step(int layer_a, uint8_t temporal_a, int layer_b, uint8_t temporal_b) {
  return layer_a == layer_b && temporal_a == temporal_b;
}

// Orders steps as the ladder does: by layer, then temporal cap.
bool step_below(int layer_a, uint8_t temporal_a, int layer_b, uint8_t temporal_b) {
  return layer_a != layer_b ? layer_a < layer_b : temporal_a < temporal_b;
}

}  // namespace

BandwidthAllocator::BandwidthAllocator() {
  states_.reserve(32);
  work_.reserve(32);
  order_.reserve(32);
}

std::optional<uint64_t> BandwidthAllocator::layer_cost(const Demand& demand, int layer) {
  const int count = int(std::clamp<size_t>(demand.layer_count, 1, kMaxLayers));
  if (layer < 0 || layer >= count) return std::nullopt;
  if (demand.layers[layer].bps > 0) return demand.layers[layer].bps;
  // Estimated from a measured layer: the highest.
  int measured = -1;
  for (int i = 0; i < count; ++i)
    if (demand.layers[i].live && demand.layers[i].bps > 0) measured = i;
  if (measured < 0) return std::nullopt;
  uint64_t estimate = demand.layers[measured].bps;
  for (int i = measured; i < layer; ++i) estimate *= kLayerCostRatio;
  for (int i = layer; i < measured; ++i) estimate /= kLayerCostRatio;
  return std::max<uint64_t>(estimate, 1);
}

size_t BandwidthAllocator::build_steps(const Demand& demand, std::array<Step, 2 * kMaxLayers>& steps) {
  const int count = int(std::clamp<size_t>(demand.layer_count, 1, kMaxLayers));
  const int top = std::min(demand.desired_layer, count - 1);
  // A measured layer to estimate the others from: the highest.
  int measured = -1;
  for (int i = 0; i < count; ++i)
    if (demand.layers[i].live && demand.layers[i].bps > 0) measured = i;
  if (measured < 0) {
    // Nothing measured yet (a start): what the viewer wants, at no known cost.
    steps[0] = Step{top, kAllTemporalLayers, 0};
    return 1;
  }
  auto cost_of = [&](int layer) { return layer_cost(demand, layer).value_or(0); };
  size_t n = 0;
  auto add_layer = [&](int layer) {
    const LayerRate& rate = demand.layers[layer];
    if (rate.base_bps > 0 && rate.base_bps < rate.bps) steps[n++] = Step{layer, 0, rate.base_bps};
    steps[n++] = Step{layer, kAllTemporalLayers, cost_of(layer)};
  };
  for (int layer = 0; layer <= top; ++layer)
    if (demand.layers[layer].live) add_layer(layer);
  if (n == 0) {
    // None wanted is sent: the forwarder sends the nearest higher one it can.
    for (int layer = top + 1; layer < count && n == 0; ++layer)
      if (demand.layers[layer].live) add_layer(layer);
  }
  if (n == 0) steps[n++] = Step{top, kAllTemporalLayers, 0};  // nothing sent at all: nothing to pay
  return n;
}

int BandwidthAllocator::held_index(const Work& work) const {
  const State& state = states_[work.state];
  if (!state.holding || state.paused) return -1;
  // The highest step at or below the one held (the ladder may have changed).
  int index = -1;
  for (size_t i = 0; i < work.step_count; ++i) {
    const Step& step = work.steps[i];
    if (same_step(step.layer, step.max_temporal_layer, state.held.layer, state.held.max_temporal_layer) ||
        step_below(step.layer, step.max_temporal_layer, state.held.layer, state.held.max_temporal_layer))
      index = int(i);
  }
  return index;
}

bool BandwidthAllocator::fits(const Work& work, int from, int to, int64_t remaining) const {
  const int64_t extra =
      int64_t(work.steps[size_t(to)].cost) - (from >= 0 ? int64_t(work.steps[size_t(from)].cost) : 0);
  const int64_t left = remaining - extra;
  if (to <= work.held) return left >= 0;  // keeping what is held needs only its cost
  // More needs the whole allocation to stay kUpgradeHeadroom under the budget.
  const double allocated = double(budget_) - double(left);
  return allocated * (1.0 + kUpgradeHeadroom) <= double(budget_);
}

size_t BandwidthAllocator::state_for(uint64_t id) {
  for (size_t i = 0; i < states_.size(); ++i)
    if (states_[i].id == id) return i;
  states_.push_back(State{});
  states_.back().id = id;
  return states_.size() - 1;
}

void BandwidthAllocator::count_change(const State& before, const Work& work, int applied) {
  if (!before.holding) {
    // New (or wanted nothing before): measured against what its viewer wants.
    if (applied < 0) {
      ++stats_.paused;
    } else if (applied + 1 < int(work.step_count)) {
      ++stats_.downgraded;
    }
    return;
  }
  if (applied < 0) {
    if (!before.paused) ++stats_.paused;
    return;
  }
  const Step& now = work.steps[size_t(applied)];
  if (before.paused) {
    ++stats_.upgraded;
  } else if (step_below(now.layer, now.max_temporal_layer, before.held.layer,
                        before.held.max_temporal_layer)) {
    ++stats_.downgraded;
  } else if (!same_step(now.layer, now.max_temporal_layer, before.held.layer,
                        before.held.max_temporal_layer)) {
    ++stats_.upgraded;
  }
}

void BandwidthAllocator::allocate(uint64_t budget_bps, std::span<const Demand> demands, TimePoint now,
                                  std::span<Allocation> out) {
  for (auto& s : states_) s.seen = false;
  work_.clear();
  budget_ = int64_t(std::min<uint64_t>(budget_bps, uint64_t(INT64_MAX / 4)));
  int64_t remaining = int64_t(std::min<uint64_t>(budget_bps, uint64_t(INT64_MAX)));

  // Audio first, whatever it costs; what wants nothing costs nothing.
  for (size_t i = 0; i < demands.size() && i < out.size(); ++i) {
    const Demand& d = demands[i];
    out[i] = Allocation{};
    if (d.desired_layer < 0) {
      State& s = states_[state_for(d.id)];
      s = State{d.id, true};  // whatever comes next starts afresh
      continue;
    }
    if (d.audio) {
      out[i].layer = 0;
      remaining -= int64_t(std::min<uint64_t>(d.audio_bps, uint64_t(INT64_MAX / 2)));
      states_[state_for(d.id)].seen = true;
      continue;
    }
    Work w;
    w.demand = i;
    w.state = state_for(d.id);
    states_[w.state].seen = true;
    w.step_count = build_steps(d, w.steps);
    work_.push_back(w);
  }
  for (auto& w : work_) w.held = held_index(w);

  order_.clear();
  for (size_t i = 0; i < work_.size(); ++i) order_.push_back(i);
  std::sort(order_.begin(), order_.end(), [&](size_t a, size_t b) {
    const Demand& x = demands[work_[a].demand];
    const Demand& y = demands[work_[b].demand];
    if (x.priority != y.priority) return x.priority > y.priority;
    if (x.tile_area != y.tile_area) return x.tile_area > y.tile_area;
    return x.id < y.id;
  });

  // Every video its cheapest step, by priority; what does not fit is paused.
  for (size_t i : order_) {
    Work& w = work_[i];
    if (fits(w, -1, 0, remaining)) {
      w.chosen = 0;
      remaining -= int64_t(w.steps[0].cost);
    }
  }
  // Then each climbs as far as the budget lets it, by priority.
  bool binding = false;
  for (size_t i : order_) {
    Work& w = work_[i];
    if (w.chosen < 0) {
      binding = true;
      continue;
    }
    for (int to = int(w.step_count) - 1; to > w.chosen; --to) {
      if (!fits(w, w.chosen, to, remaining)) continue;
      remaining -= int64_t(w.steps[size_t(to)].cost) - int64_t(w.steps[size_t(w.chosen)].cost);
      w.chosen = to;
      break;
    }
    if (w.chosen != int(w.step_count) - 1) binding = true;
  }

  // Down at once, up only after kUpgradeDelay while the budget binds. The
  // budget of a delayed upgrade stays reserved, so lower priorities do not
  // take it meanwhile and lose it again when it comes.
  for (auto& w : work_) {
    State& s = states_[w.state];
    int applied = w.chosen;
    if (s.holding && w.chosen > w.held) {
      if (!binding) {
        s.upgrade_pending = false;
      } else if (!s.upgrade_pending) {
        s.upgrade_pending = true;
        s.upgrade_since = now;
        applied = w.held;
      } else if (now - s.upgrade_since < kUpgradeDelay) {
        applied = w.held;
      } else {
        s.upgrade_pending = false;
      }
    } else {
      s.upgrade_pending = false;
    }
    count_change(s, w, applied);
    s.holding = true;
    s.paused = applied < 0;
    if (applied >= 0) s.held = w.steps[size_t(applied)];
    Allocation& a = out[w.demand];
    a.paused = applied < 0;
    a.layer = applied < 0 ? kNoLayer : w.steps[size_t(applied)].layer;
    a.max_temporal_layer = applied < 0 ? kAllTemporalLayers : w.steps[size_t(applied)].max_temporal_layer;
  }
  std::erase_if(states_, [](const State& s) { return !s.seen; });
}

}  // namespace ct::sfu
