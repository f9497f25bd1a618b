#include "sfu/LayerSelector.hpp"

#include <algorithm>

namespace ct::sfu {
namespace {
constexpr uint32_t kNominalWidth = 1280, kNominalHeight = 720;
}

LayerSelector::Layer LayerSelector::nominal(int index, int count) {
  // Each layer below the top halves both sides (scaleResolutionDownBy 4, 2, 1).
  const int shift = std::max(0, count - 1 - index);
  return Layer{uint16_t(kNominalWidth >> shift), uint16_t(kNominalHeight >> shift), false};
}

int LayerSelector::desired(std::span<const Layer> layers, const Viewer& viewer, int budget_max_layer) {
  if (layers.empty() || !viewer.visible) return kNoLayer;
  const int count = int(layers.size());
  int choice = count - 1;
  if (viewer.width != 0 || viewer.height != 0) {
    for (int i = 0; i < count; ++i) {
      Layer size = layers[i].width != 0 ? layers[i] : nominal(i, count);
      // Scaled to fit, a picture fills the tile once it is as wide or as tall.
      if (size.width >= viewer.width || size.height >= viewer.height) {
        choice = i;
        break;
      }
    }
  }
  choice = std::min({choice, viewer.max_layer, budget_max_layer});
  return std::max(choice, budget_max_layer < 0 || viewer.max_layer < 0 ? kNoLayer : 0);
}

int LayerSelector::target(std::span<const Layer> layers, int desired) {
  if (desired < 0 || layers.empty()) return kNoLayer;
  desired = std::min(desired, int(layers.size()) - 1);
  if (layers[desired].live) return desired;
  for (int i = desired - 1; i >= 0; --i)
    if (layers[i].live) return i;
  for (int i = desired + 1; i < int(layers.size()); ++i)
    if (layers[i].live) return i;
  return desired;  // nothing is sent yet: wait for the one wanted
}

}  // namespace ct::sfu
