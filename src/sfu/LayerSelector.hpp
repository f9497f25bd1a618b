#pragma once
// Which simulcast layer a subscriber should get. Two steps, kept apart so a
// bandwidth allocator can cap the first later:
//   desired  - what the viewer's tile can use: the smallest layer whose
//              picture fills the tile (at the tile's pixel size, scaled to
//              fit), none for a hidden tile, capped by a quality limit and
//              by a budget limit (the allocator's, "any" until it exists);
//   target   - what can be sent now: the desired layer if the publisher is
//              sending it, else the nearest lower one it sends, else the
//              nearest higher one.
// A layer's size is what its last keyframe said (VP8); before that, or for
// codecs whose size is not read, the sizes the client publishes (1/4, 1/2
// and full of the capture) are assumed for a 1280x720 camera.
#include <cstdint>
#include <span>

namespace ct::sfu {

class LayerSelector {
 public:
  static constexpr int kNoLayer = -1;
  static constexpr int kAnyLayer = 1 << 20;

  struct Layer {
    uint16_t width = 0, height = 0;  // 0: not known
    bool live = false;               // the publisher is sending it
  };
  struct Viewer {
    uint32_t width = 0, height = 0;  // the tile in device pixels; 0 x 0: not reported (wants the best)
    bool visible = true;
    int max_layer = kAnyLayer;  // quality limit the subscriber chose
  };

  static int desired(std::span<const Layer> layers, const Viewer& viewer, int budget_max_layer = kAnyLayer);
  static int target(std::span<const Layer> layers, int desired);
  // The assumed size of layer `index` of `count` when none was learned.
  static Layer nominal(int index, int count);
};

}  // namespace ct::sfu
