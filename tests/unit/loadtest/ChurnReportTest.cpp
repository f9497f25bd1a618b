#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "loadtest/ChurnReport.hpp"

namespace ct::loadtest {
namespace {

TEST(JoinTimes, NearestRankQuantiles) {
  JoinTimes t;
  for (int i = 100; i >= 1; --i) t.add(double(i));  // 1..100 ms, out of order
  EXPECT_EQ(t.count(), 100u);
  EXPECT_DOUBLE_EQ(t.quantile(0.5), 50);
  EXPECT_DOUBLE_EQ(t.quantile(0.99), 99);
  EXPECT_DOUBLE_EQ(t.quantile(1.0), 100);
  EXPECT_DOUBLE_EQ(t.max(), 100);
  EXPECT_EQ(t.below(10.5), 10u);
}

TEST(JoinTimes, OneSlowJoinIsTheP99OfFewJoins) {
  JoinTimes t;
  for (int i = 0; i < 9; ++i) t.add(20);
  t.add(3000);
  EXPECT_DOUBLE_EQ(t.quantile(0.5), 20);
  EXPECT_DOUBLE_EQ(t.quantile(0.99), 3000);
}

TEST(JoinTimes, EmptyIsZero) {
  JoinTimes t;
  EXPECT_EQ(t.quantile(0.99), 0);
  EXPECT_EQ(t.max(), 0);
  EXPECT_EQ(t.below(1000), 0u);
}

TEST(ChurnReport, JsonCarriesTheCountsAndQuantiles) {
  ChurnReport r;
  r.ok = false;
  r.rooms = 50;
  r.publishers = 1;
  r.subscribers = 9;
  r.joins = 500;
  r.failed_joins = 2;
  r.error = "loadtest-r3-sub-4-g0: signaling: refused";
  r.first_media.add(120);
  r.first_media.add(480);
  auto j = nlohmann::json::parse(r.to_json());
  EXPECT_EQ(j["joins"], 500);
  EXPECT_EQ(j["failed_joins"], 2);
  EXPECT_EQ(j["first_media_samples"], 2);
  EXPECT_DOUBLE_EQ(j["first_media_p99_ms"].get<double>(), 480);
  EXPECT_EQ(j["error"], r.error);
  EXPECT_EQ(j["ok"], false);
}

TEST(ChurnReport, TextNamesTheFailuresAndTheDistribution) {
  ChurnReport r;
  r.joins = 3;
  r.failed_joins = 1;
  r.error = "loadtest-sub-0-g0: no media within 30 s of joining";
  r.first_media.add(90);
  r.first_media.add(700);
  const std::string text = r.to_text();
  EXPECT_NE(text.find("joins: 3, failed: 1"), std::string::npos) << text;
  EXPECT_NE(text.find("100 ms 1,"), std::string::npos) << text;
  EXPECT_NE(text.find("1000 ms 2,"), std::string::npos) << text;
  EXPECT_NE(text.find("first failure: loadtest-sub-0-g0"), std::string::npos) << text;
}

}  // namespace
}  // namespace ct::loadtest
