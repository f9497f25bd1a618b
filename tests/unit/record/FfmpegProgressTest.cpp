// ffmpeg's -progress output, as FFmpeg 5 writes it, becomes how far the
// composite has got; cut lines and garbage change nothing.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "record/FfmpegProgress.hpp"

namespace ct::record {
namespace {

std::vector<FfmpegProgress::Update> feed_all(FfmpegProgress& progress, const std::string& text) {
  std::vector<FfmpegProgress::Update> updates;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    if (auto u = progress.feed(std::string_view(text).substr(start, nl - start))) updates.push_back(*u);
    start = nl + 1;
  }
  return updates;
}

TEST(FfmpegProgress, EachBlockGivesTheOutputTime) {
  FfmpegProgress progress;
  const auto updates = feed_all(progress,
                                "frame=0\nfps=0.00\nbitrate=N/A\nout_time_us=N/A\nout_time_ms=N/A\n"
                                "out_time=N/A\nspeed=N/A\nprogress=continue\n"
                                "frame=105\nfps=41.8\nstream_0_0_q=28.0\nbitrate=  98.7kbits/s\n"
                                "total_size=52480\nout_time_us=4200000\nout_time_ms=4200000\n"
                                "out_time=00:00:04.200000\ndup_frames=0\ndrop_frames=0\nspeed=1.67x\n"
                                "progress=continue\n"
                                "frame=250\nout_time_us=10000000\nout_time=00:00:10.000000\nprogress=end\n");
  ASSERT_EQ(updates.size(), 3u);
  EXPECT_EQ(updates[0].out_time_us, 0);
  EXPECT_FALSE(updates[0].ended);
  EXPECT_EQ(updates[1].out_time_us, 4200000);
  EXPECT_EQ(updates[2].out_time_us, 10000000);
  EXPECT_TRUE(updates[2].ended);
}

TEST(FfmpegProgress, OutTimeAloneIsReadAndCarriageReturnsIgnored) {
  FfmpegProgress progress;
  const auto updates = feed_all(progress, "out_time=01:02:03.5\r\nprogress=continue\r\n");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].out_time_us, (3723LL * 1000000) + 500000);
}

TEST(FfmpegProgress, TruncatedAndGarbageLinesChangeNothing) {
  FfmpegProgress progress;
  feed_all(progress, "out_time_us=2000000\nprogress=continue\n");
  const std::vector<std::string> garbage = {"out_time_us=",
                                            "out_time_us=12ab",
                                            "out_time_us=-5",
                                            "out_time_us=99999999999999999999999",
                                            "out_time=00:00",
                                            "out_time=aa:bb:cc",
                                            "out_time=00:99:00.0",
                                            "out_time=00:00:01.x",
                                            "out_tim",
                                            "out_time_us",
                                            "=",
                                            "",
                                            "progress=",
                                            "progress=maybe",
                                            "progres",
                                            "\xff\xfe\x00",
                                            std::string(10000, 'x')};
  for (const auto& line : garbage) EXPECT_FALSE(progress.feed(line)) << line;
  const auto update = progress.feed("progress=continue");
  ASSERT_TRUE(update);
  EXPECT_EQ(update->out_time_us, 2000000) << "the last readable time stands";
}

TEST(FfmpegProgress, ANegativeClockCountsAsTheStart) {
  FfmpegProgress progress;
  EXPECT_EQ(feed_all(progress, "out_time=-00:00:00.040000\nprogress=continue\n").at(0).out_time_us, 0);
}

TEST(FfmpegProgress, TheLineSaysShareDoneAndSeconds) {
  EXPECT_EQ(progress_text("compose", 4200000, 10000000), "compose: 42% (4.2 s of 10.0 s)");
  EXPECT_EQ(progress_text("compose", 0, 10000000), "compose: 0% (0.0 s of 10.0 s)");
  EXPECT_EQ(progress_text("compose", 10040000, 10000000), "compose: 100% (10.0 s of 10.0 s)") << "capped";
  EXPECT_EQ(progress_text("compose", -5, 10000000), "compose: 0% (0.0 s of 10.0 s)");
  EXPECT_EQ(progress_text("compose", 5, 0), "compose: 0% (0.0 s of 0.0 s)") << "no division by zero";
}

}  // namespace
}  // namespace ct::record
