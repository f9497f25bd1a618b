// Layer choice: the smallest layer that fills the tile, nothing for a
// hidden tile, quality and budget caps, and falling back to what the
// publisher is actually sending.
#include <gtest/gtest.h>

#include <vector>

#include "sfu/LayerSelector.hpp"

namespace ct::sfu {
namespace {

using Layer = LayerSelector::Layer;
using Viewer = LayerSelector::Viewer;

const std::vector<Layer> kCamera = {{320, 180, true}, {640, 360, true}, {1280, 720, true}};

TEST(LayerSelector, SmallestLayerThatFillsTheTile) {
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{160, 90}), 0);
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{320, 180}), 0);
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{321, 181}), 1);
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{640, 480}), 1);  // 640 wide fills it, scaled to fit
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{960, 540}), 2);
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{1920, 1080}), 2);  // bigger than any: the best
}

TEST(LayerSelector, NoReportWantsTheBestAndAHiddenTileNothing) {
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{}), 2);
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{1280, 720, false}), LayerSelector::kNoLayer);
  EXPECT_EQ(LayerSelector::desired({}, Viewer{}), LayerSelector::kNoLayer);
}

TEST(LayerSelector, QualityAndBudgetCapTheChoice) {
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{1280, 720, true, 1}), 1);
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{1280, 720, true, 0}), 0);
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{1280, 720}, 0), 0);
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{160, 90}, 2), 0);  // a cap never raises
  // A budget that fits nothing pauses the track.
  EXPECT_EQ(LayerSelector::desired(kCamera, Viewer{1280, 720}, LayerSelector::kNoLayer),
            LayerSelector::kNoLayer);
}

TEST(LayerSelector, UnknownSizesAreTheNominalQuarterHalfAndFull) {
  const std::vector<Layer> unknown = {{0, 0, true}, {0, 0, true}, {0, 0, true}};
  EXPECT_EQ(LayerSelector::desired(unknown, Viewer{300, 170}), 0);
  EXPECT_EQ(LayerSelector::desired(unknown, Viewer{600, 340}), 1);
  EXPECT_EQ(LayerSelector::desired(unknown, Viewer{1000, 600}), 2);
  const std::vector<Layer> two = {{0, 0, true}, {0, 0, true}};  // two layers: half and full
  EXPECT_EQ(LayerSelector::nominal(0, 2).width, 640);
  EXPECT_EQ(LayerSelector::desired(two, Viewer{600, 340}), 0);
}

TEST(LayerSelector, TargetFallsBackToWhatIsSent) {
  std::vector<Layer> layers = kCamera;
  EXPECT_EQ(LayerSelector::target(layers, 2), 2);
  layers[2].live = false;  // paused at the publisher (dynacast) or dropped by its encoder
  EXPECT_EQ(LayerSelector::target(layers, 2), 1);
  layers[1].live = false;
  EXPECT_EQ(LayerSelector::target(layers, 2), 0);
  layers = {{320, 180, false}, {640, 360, false}, {1280, 720, true}};
  EXPECT_EQ(LayerSelector::target(layers, 0), 2);  // nothing lower: the nearest higher
  layers[2].live = false;
  EXPECT_EQ(LayerSelector::target(layers, 1), 1);  // nothing at all yet: wait for the wanted one
  EXPECT_EQ(LayerSelector::target(layers, LayerSelector::kNoLayer), LayerSelector::kNoLayer);
}

}  // namespace
}  // namespace ct::sfu
