#include <gtest/gtest.h>

#include "sfu/ConnectionQualityWindow.hpp"

namespace ct::sfu {
namespace {

using Upstream = ConnectionQualityWindow::Upstream;
using Downstream = ConnectionQualityWindow::Downstream;

const TimePoint t0 = TimePoint{} + seconds(100);

Upstream sending(uint64_t packets_in, double loss = 0) {
  Upstream u;
  u.expecting = true;
  u.packets_in = packets_in;
  u.loss = loss;
  u.connected = true;
  return u;
}

Downstream receiving(TimePoint last_report) {
  Downstream d;
  d.receiving = true;
  d.connected = true;
  d.last_report = last_report;
  return d;
}

TEST(ConnectionQualityWindow, WorstDownstreamLossAndRoundTripOfTheWindowCountThenReset) {
  ConnectionQualityWindow w;
  w.on_loss(0.01);
  w.on_loss(0.12);  // the worst report of the window decides
  w.on_loss(0.0);
  auto first = w.close(t0, sending(100), receiving(t0));
  EXPECT_EQ(first.quality, ConnectionQuality::Poor);
  EXPECT_TRUE(first.changed);  // nothing was shown before

  // A clean window after it: better needs two windows that agree.
  EXPECT_EQ(w.close(t0 + seconds(2), sending(200), receiving(t0 + seconds(2))).quality,
            ConnectionQuality::Poor);
  auto better = w.close(t0 + seconds(4), sending(300), receiving(t0 + seconds(4)));
  EXPECT_EQ(better.quality, ConnectionQuality::Excellent);
  EXPECT_TRUE(better.changed);

  w.on_round_trip(milliseconds(100));
  w.on_round_trip(milliseconds(400));
  w.on_round_trip(milliseconds(50));
  EXPECT_EQ(w.close(t0 + seconds(6), sending(400), receiving(t0 + seconds(6))).quality,
            ConnectionQuality::Good);
}

TEST(ConnectionQualityWindow, UpstreamLossCountsToo) {
  ConnectionQualityWindow w;
  EXPECT_EQ(w.close(t0, sending(100, 0.05), std::nullopt).quality, ConnectionQuality::Good);
}

TEST(ConnectionQualityWindow, AnUnmutedTrackThatStopsSendingIsLost) {
  ConnectionQualityWindow w;
  EXPECT_EQ(w.close(t0, sending(100), std::nullopt).quality, ConnectionQuality::Excellent);
  auto stalled = w.close(t0 + seconds(2), sending(100), std::nullopt);
  EXPECT_EQ(stalled.quality, ConnectionQuality::Lost);
  EXPECT_TRUE(stalled.changed);
  // The same verdict again is no change.
  EXPECT_FALSE(w.close(t0 + seconds(4), sending(100), std::nullopt).changed);
}

TEST(ConnectionQualityWindow, NothingExpectedOrNotYetConnectedIsNotSilence) {
  ConnectionQualityWindow w;
  Upstream muted;  // nothing unmuted: no packets expected
  muted.connected = true;
  EXPECT_EQ(w.close(t0, muted, std::nullopt).quality, ConnectionQuality::Excellent);
  EXPECT_EQ(w.close(t0 + seconds(2), muted, std::nullopt).quality, ConnectionQuality::Excellent);
  Upstream connecting = sending(0);
  connecting.connected = false;
  EXPECT_EQ(w.close(t0 + seconds(4), connecting, std::nullopt).quality, ConnectionQuality::Excellent);
  EXPECT_EQ(w.close(t0 + seconds(6), connecting, std::nullopt).quality, ConnectionQuality::Excellent);
}

TEST(ConnectionQualityWindow, ReceiverReportsSilentForSixSecondsIsLost) {
  ConnectionQualityWindow w;
  Upstream none;
  EXPECT_EQ(w.close(t0 + seconds(6), none, receiving(t0)).quality, ConnectionQuality::Excellent);
  EXPECT_EQ(w.close(t0 + seconds(6) + milliseconds(1), none, receiving(t0)).quality, ConnectionQuality::Lost);
  // Without an answered subscription no reports are due.
  ConnectionQualityWindow idle;
  Downstream d = receiving(t0);
  d.receiving = false;
  EXPECT_EQ(idle.close(t0 + seconds(60), none, d).quality, ConnectionQuality::Excellent);
}

TEST(ConnectionQualityWindow, AClosedTransportIsLost) {
  ConnectionQualityWindow up, down;
  Upstream closed;
  closed.closed = true;
  EXPECT_EQ(up.close(t0, closed, std::nullopt).quality, ConnectionQuality::Lost);
  Downstream d;
  d.closed = true;
  EXPECT_EQ(down.close(t0, Upstream{}, d).quality, ConnectionQuality::Lost);
}

TEST(ConnectionQualityWindow, TheSnapshotIsDueExactlyOnce) {
  ConnectionQualityWindow w;
  EXPECT_TRUE(w.take_snapshot_due());
  EXPECT_FALSE(w.take_snapshot_due());
}

TEST(ConnectionQualityWindow, DirectMediaIsNotJudgedAndTheWindowAfterIsNeither) {
  ConnectionQualityWindow w;
  w.on_loss(0.5);
  auto poor = w.close(t0, sending(100), receiving(t0));
  EXPECT_EQ(poor.label(), "poor");
  // Media goes direct: the publication sends the server nothing, which is not silence.
  auto direct = w.close_unjudged(sending(100));
  EXPECT_FALSE(direct.judged);
  EXPECT_EQ(direct.label(), "unknown");
  EXPECT_TRUE(direct.changed);
  EXPECT_FALSE(w.close_unjudged(sending(100)).changed);
  // Back on the SFU: the window of the switch is not judged (nothing arrived yet) ...
  auto settling = w.close(t0 + seconds(4), sending(100), receiving(t0 + seconds(4)));
  EXPECT_FALSE(settling.judged);
  EXPECT_FALSE(settling.changed);
  // ... the next one is, afresh: the loss from before the direct call is forgotten.
  auto back = w.close(t0 + seconds(6), sending(150), receiving(t0 + seconds(6)));
  EXPECT_TRUE(back.judged);
  EXPECT_EQ(back.label(), "excellent");
  EXPECT_TRUE(back.changed);
  // Silence once back is lost again, at once.
  EXPECT_EQ(w.close(t0 + seconds(8), sending(150), receiving(t0 + seconds(8))).label(), "lost");
}

}  // namespace
}  // namespace ct::sfu
