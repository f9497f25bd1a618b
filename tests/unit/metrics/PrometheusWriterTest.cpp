#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "metrics/PrometheusWriter.hpp"

namespace ct::metrics {
namespace {

TEST(PrometheusWriter, FamilyWithHelpTypeAndLabelledSamples) {
  PrometheusWriter w;
  w.family("ciphertalk_packets_total", MetricType::counter, "Packets by direction.");
  w.sample({{"worker", "0"}, {"direction", "in"}}, uint64_t{42});
  w.sample({{"worker", "1"}, {"direction", "out"}}, uint64_t{18446744073709551615ull});
  w.family("ciphertalk_rooms", MetricType::gauge, "Open rooms.");
  w.sample(uint64_t{3});
  EXPECT_EQ(w.text(),
            "# HELP ciphertalk_packets_total Packets by direction.\n"
            "# TYPE ciphertalk_packets_total counter\n"
            "ciphertalk_packets_total{worker=\"0\",direction=\"in\"} 42\n"
            "ciphertalk_packets_total{worker=\"1\",direction=\"out\"} 18446744073709551615\n"
            "# HELP ciphertalk_rooms Open rooms.\n"
            "# TYPE ciphertalk_rooms gauge\n"
            "ciphertalk_rooms 3\n");
}

TEST(PrometheusWriter, EscapesLabelValuesAndHelp) {
  PrometheusWriter w;
  w.family("m", MetricType::gauge, "back\\slash and\nnewline \"quotes stay\"");
  w.sample({{"room", "a\"b\\c\nd"}}, uint64_t{1});
  EXPECT_EQ(w.text(),
            "# HELP m back\\\\slash and\\nnewline \"quotes stay\"\n"
            "# TYPE m gauge\n"
            "m{room=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST(PrometheusWriter, FloatingPointValuesIncludingSpecials) {
  PrometheusWriter w;
  w.family("ratio", MetricType::gauge, "r");
  w.sample({{"k", "a"}}, 0.25);
  w.sample({{"k", "b"}}, std::numeric_limits<double>::infinity());
  w.sample({{"k", "c"}}, -std::numeric_limits<double>::infinity());
  w.sample({{"k", "d"}}, std::nan(""));
  w.sample({{"k", "e"}}, 1e21);
  EXPECT_EQ(w.text(),
            "# HELP ratio r\n# TYPE ratio gauge\n"
            "ratio{k=\"a\"} 0.25\nratio{k=\"b\"} +Inf\nratio{k=\"c\"} -Inf\nratio{k=\"d\"} "
            "NaN\nratio{k=\"e\"} 1e+21\n");
}

TEST(PrometheusWriter, RefusesInvalidNamesRepeatsAndOrphanSamples) {
  PrometheusWriter w;
  EXPECT_THROW(w.sample(uint64_t{1}), std::invalid_argument);
  EXPECT_THROW(w.family("", MetricType::gauge, "x"), std::invalid_argument);
  EXPECT_THROW(w.family("9lives", MetricType::gauge, "x"), std::invalid_argument);
  EXPECT_THROW(w.family("has space", MetricType::gauge, "x"), std::invalid_argument);
  EXPECT_THROW(w.family("dash-ed", MetricType::gauge, "x"), std::invalid_argument);
  w.family("ns:ok_1", MetricType::counter, "colons are allowed in metric names");
  EXPECT_THROW(w.sample({{"bad:label", "v"}}, uint64_t{1}), std::invalid_argument);
  EXPECT_THROW(w.sample({{"", "v"}}, uint64_t{1}), std::invalid_argument);
  EXPECT_THROW(w.family("ns:ok_1", MetricType::counter, "again"), std::invalid_argument);
  w.sample({{"_fine", ""}}, uint64_t{0});
  EXPECT_NE(w.text().find("ns:ok_1{_fine=\"\"} 0\n"), std::string::npos);
}

TEST(PrometheusWriter, TakeLeavesTheWriterEmpty) {
  PrometheusWriter w;
  w.family("a", MetricType::gauge, "a");
  w.sample(uint64_t{1});
  std::string text = w.take();
  EXPECT_FALSE(text.empty());
  EXPECT_TRUE(w.text().empty());
}

TEST(PrometheusWriter, HistogramBucketsAreCumulativeAndEndWithInfSumAndCount) {
  PrometheusWriter w;
  w.family("latency_seconds", MetricType::histogram, "how long");
  const double bounds[] = {0.1, 1};
  const uint64_t counts[] = {2, 0, 3};
  w.histogram(bounds, counts, 12.5);
  EXPECT_EQ(w.text(),
            "# HELP latency_seconds how long\n# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{le=\"0.1\"} 2\nlatency_seconds_bucket{le=\"1\"} 2\n"
            "latency_seconds_bucket{le=\"+Inf\"} 5\nlatency_seconds_sum 12.5\nlatency_seconds_count 5\n");
  const uint64_t wrong[] = {1, 2};
  EXPECT_THROW(w.histogram(bounds, wrong, 0), std::invalid_argument);
}

TEST(PrometheusWriter, LabelledHistogramsPutTheirLabelsBeforeLeAndOnSumAndCount) {
  PrometheusWriter w;
  w.family("request_seconds", MetricType::histogram, "per type");
  const double bounds[] = {0.5};
  const uint64_t join[] = {1, 1};
  const uint64_t offer[] = {0, 0};
  w.histogram({{"type", "join"}}, bounds, join, 2.25);
  w.histogram({{"type", "offer"}}, bounds, offer, 0);
  EXPECT_EQ(w.text(),
            "# HELP request_seconds per type\n# TYPE request_seconds histogram\n"
            "request_seconds_bucket{type=\"join\",le=\"0.5\"} 1\n"
            "request_seconds_bucket{type=\"join\",le=\"+Inf\"} 2\n"
            "request_seconds_sum{type=\"join\"} 2.25\nrequest_seconds_count{type=\"join\"} 2\n"
            "request_seconds_bucket{type=\"offer\",le=\"0.5\"} 0\n"
            "request_seconds_bucket{type=\"offer\",le=\"+Inf\"} 0\n"
            "request_seconds_sum{type=\"offer\"} 0\nrequest_seconds_count{type=\"offer\"} 0\n");
}

}  // namespace
}  // namespace ct::metrics
