// ActiveSpeakerDetector: threshold, smoothing, ordering, change detection.
#include "sfu/ActiveSpeakerDetector.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ct::sfu {
namespace {

using Speaker = ActiveSpeakerDetector::Speaker;
const TimePoint t0 = TimePoint{} + seconds(100);

std::vector<uint64_t> keys_of(const std::vector<Speaker>& speakers) {
  std::vector<uint64_t> keys;
  for (const Speaker& s : speakers) keys.push_back(s.key);
  return keys;
}

// One audio packet per 20 ms for each (key, level) over [from, to).
void talk(ActiveSpeakerDetector& detector, std::vector<std::pair<uint64_t, uint8_t>> levels, TimePoint from,
          TimePoint to, bool voice = true) {
  for (TimePoint now = from; now < to; now += milliseconds(20)) {
    for (auto [key, level] : levels) detector.add_level(key, level, voice, now);
  }
}

TEST(ActiveSpeakerDetector, LoudestFirstAndQuietOnesLeftOut) {
  ActiveSpeakerDetector detector;
  talk(detector, {{1, 40}, {2, 20}, {3, 90}}, t0, t0 + seconds(1));
  const auto speakers = detector.poll(t0 + seconds(1));
  ASSERT_TRUE(speakers);
  EXPECT_EQ(keys_of(*speakers), (std::vector<uint64_t>{2, 1}));
  EXPECT_NEAR((*speakers)[0].level, 0.1f, 1e-4);   // -20 dBov
  EXPECT_NEAR((*speakers)[1].level, 0.01f, 1e-5);  // -40 dBov
}

TEST(ActiveSpeakerDetector, ReportsOnlyChangesAndAtMostOncePerInterval) {
  ActiveSpeakerDetector detector(milliseconds(500));
  EXPECT_FALSE(detector.poll(t0));  // empty, as the initial list
  talk(detector, {{1, 30}}, t0, t0 + milliseconds(200));
  EXPECT_FALSE(detector.poll(t0 + milliseconds(200)));  // too soon after the last poll
  const auto first = detector.poll(t0 + milliseconds(500));
  ASSERT_TRUE(first);
  EXPECT_EQ(keys_of(*first), (std::vector<uint64_t>{1}));
  talk(detector, {{1, 30}}, t0 + milliseconds(200), t0 + seconds(1));
  EXPECT_FALSE(detector.poll(t0 + seconds(1)));  // same list
}

TEST(ActiveSpeakerDetector, OrderChangeIsReported) {
  ActiveSpeakerDetector detector;
  talk(detector, {{1, 20}, {2, 40}}, t0, t0 + seconds(1));
  ASSERT_EQ(keys_of(*detector.poll(t0 + seconds(1))), (std::vector<uint64_t>{1, 2}));
  talk(detector, {{1, 40}, {2, 20}}, t0 + seconds(1), t0 + seconds(2));
  const auto swapped = detector.poll(t0 + seconds(2));
  ASSERT_TRUE(swapped);
  EXPECT_EQ(keys_of(*swapped), (std::vector<uint64_t>{2, 1}));
}

TEST(ActiveSpeakerDetector, SmoothsPausesAndFadesOutAfterSilence) {
  ActiveSpeakerDetector detector;
  talk(detector, {{7, 30}}, t0, t0 + seconds(1));
  ASSERT_TRUE(detector.poll(t0 + seconds(1)));
  // A short pause (silent packets) does not drop the speaker...
  talk(detector, {{7, 127}}, t0 + seconds(1), t0 + milliseconds(1300));
  EXPECT_FALSE(detector.poll(t0 + milliseconds(1500)));
  // ...but a second of silence does.
  talk(detector, {{7, 127}}, t0 + milliseconds(1300), t0 + milliseconds(2400));
  const auto after = detector.poll(t0 + milliseconds(2400));
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
}

TEST(ActiveSpeakerDetector, StoppedStreamFadesOut) {
  ActiveSpeakerDetector detector;
  talk(detector, {{7, 30}}, t0, t0 + seconds(1));
  ASSERT_TRUE(detector.poll(t0 + seconds(1)));
  // DTX or a muted track: no packets at all.
  EXPECT_FALSE(detector.poll(t0 + milliseconds(1500)));
  const auto after = detector.poll(t0 + milliseconds(2200));
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty());
}

TEST(ActiveSpeakerDetector, VoiceActivityFlag) {
  ActiveSpeakerDetector detector;
  talk(detector, {{1, 10}}, t0, t0 + seconds(1), /*voice=*/false);
  EXPECT_FALSE(detector.poll(t0 + seconds(1)));
  detector.set_use_voice_activity(false);
  talk(detector, {{1, 10}}, t0 + seconds(1), t0 + seconds(2), /*voice=*/false);
  const auto speakers = detector.poll(t0 + seconds(2));
  ASSERT_TRUE(speakers);
  EXPECT_EQ(keys_of(*speakers), (std::vector<uint64_t>{1}));
}

TEST(ActiveSpeakerDetector, ThresholdIsAdjustable) {
  ActiveSpeakerDetector detector;
  talk(detector, {{1, 55}}, t0, t0 + seconds(1));
  EXPECT_FALSE(detector.poll(t0 + seconds(1)));  // below -50 dBov
  detector.set_threshold_dbov(60);
  ASSERT_TRUE(detector.poll(t0 + seconds(2)) == std::nullopt);  // no packets in the last second
  talk(detector, {{1, 55}}, t0 + seconds(2), t0 + seconds(3));
  EXPECT_TRUE(detector.poll(t0 + seconds(3)));
}

TEST(ActiveSpeakerDetector, RemoveReportsTheChange) {
  ActiveSpeakerDetector detector;
  talk(detector, {{1, 20}, {2, 30}}, t0, t0 + seconds(1));
  ASSERT_TRUE(detector.poll(t0 + seconds(1)));
  detector.remove(1);
  const auto after = detector.poll(t0 + seconds(1) + milliseconds(500));
  ASSERT_TRUE(after);
  EXPECT_EQ(keys_of(*after), (std::vector<uint64_t>{2}));
  EXPECT_EQ(detector.level(1, t0 + seconds(1)), 0.0f);
}

TEST(ActiveSpeakerDetector, EqualLevelsOrderByKey) {
  ActiveSpeakerDetector detector;
  talk(detector, {{9, 30}, {4, 30}}, t0, t0 + seconds(1));
  const auto speakers = detector.poll(t0 + seconds(1));
  ASSERT_TRUE(speakers);
  EXPECT_EQ(keys_of(*speakers), (std::vector<uint64_t>{4, 9}));
}

}  // namespace
}  // namespace ct::sfu
