#include "sfu/ConnectionQualityEstimator.hpp"

#include <gtest/gtest.h>

namespace ct::sfu {
namespace {

using Window = ConnectionQualityEstimator::Window;
using Q = ConnectionQuality;

TEST(ConnectionQualityEstimator, ClassifiesLossRttAndSilence) {
  EXPECT_EQ(ConnectionQualityEstimator::classify({}), Q::Excellent);
  EXPECT_EQ(ConnectionQualityEstimator::classify({0.01, milliseconds(40), false}), Q::Excellent);
  EXPECT_EQ(ConnectionQualityEstimator::classify({0.05, milliseconds(40), false}), Q::Good);
  EXPECT_EQ(ConnectionQualityEstimator::classify({0.0, milliseconds(400), false}), Q::Good);
  EXPECT_EQ(ConnectionQualityEstimator::classify({0.20, milliseconds(40), false}), Q::Poor);
  EXPECT_EQ(ConnectionQualityEstimator::classify({0.0, milliseconds(900), false}), Q::Poor);
  EXPECT_EQ(ConnectionQualityEstimator::classify({0.0, std::nullopt, true}), Q::Lost);
}

TEST(ConnectionQualityEstimator, WorseShowsAtOnceBetterAfterTwoWindows) {
  ConnectionQualityEstimator e;
  EXPECT_EQ(e.update({}), Q::Excellent);
  EXPECT_EQ(e.update({0.3, std::nullopt, false}), Q::Poor);  // at once
  EXPECT_EQ(e.update({}), Q::Poor);                          // one clean window is not enough
  EXPECT_EQ(e.update({}), Q::Excellent);
  EXPECT_EQ(e.update({0, std::nullopt, true}), Q::Lost);
  // Recovering through good and excellent windows lands on the worse of them.
  EXPECT_EQ(e.update({0.05, std::nullopt, false}), Q::Lost);
  EXPECT_EQ(e.update({}), Q::Good);
  EXPECT_EQ(e.update({}), Q::Good);
  EXPECT_EQ(e.update({}), Q::Excellent);
  EXPECT_EQ(e.current(), Q::Excellent);
}

TEST(ConnectionQualityEstimator, ABadWindowRestartsRecovery) {
  ConnectionQualityEstimator e;
  e.update({0.5, std::nullopt, false});
  EXPECT_EQ(e.update({}), Q::Poor);
  EXPECT_EQ(e.update({0.5, std::nullopt, false}), Q::Poor);
  EXPECT_EQ(e.update({}), Q::Poor);
  EXPECT_EQ(e.update({}), Q::Excellent);
}

TEST(ConnectionQualityEstimator, Names) {
  EXPECT_EQ(to_string(Q::Excellent), "excellent");
  EXPECT_EQ(to_string(Q::Good), "good");
  EXPECT_EQ(to_string(Q::Poor), "poor");
  EXPECT_EQ(to_string(Q::Lost), "lost");
}

}  // namespace
}  // namespace ct::sfu
