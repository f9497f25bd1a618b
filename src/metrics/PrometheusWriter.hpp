#pragma once
// Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): one
// "# HELP" and "# TYPE" line per metric family, then its samples, each
// `name{label="value",...} number`. Families must not repeat, so a caller
// writes one family with all its samples (e.g. one per worker) before the next.
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ct::metrics {

enum class MetricType { counter, gauge, histogram };

struct Label {
  std::string_view name;
  std::string_view value;
};

class PrometheusWriter {
 public:
  // Content-Type of what text() returns.
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // Starts a family. `name` is [a-zA-Z_:][a-zA-Z0-9_:]* (counters end in
  // "_total"); an invalid name or a family already written throws
  // std::invalid_argument (both are programming errors, not input).
  void family(std::string_view name, MetricType type, std::string_view help);
  // One sample of the current family. Label names follow the name rule
  // without ':'; values are any UTF-8 and are escaped here.
  void sample(std::initializer_list<Label> labels, uint64_t value);
  void sample(std::initializer_list<Label> labels, double value);
  void sample(uint64_t value) { sample({}, value); }
  // A histogram family's one histogram (no labels): `counts[i]` observations
  // fell in (bounds[i-1], bounds[i]], and counts[bounds.size()] above the
  // last bound. Written as cumulative `_bucket{le="..."}` samples ending
  // with le="+Inf", then `_sum` and `_count`.
  void histogram(std::span<const double> bounds, std::span<const uint64_t> counts, double sum) {
    histogram({}, bounds, counts, sum);
  }
  // One of the family's histograms, told apart by `labels` (the `le` label
  // is added to each bucket after them).
  void histogram(std::initializer_list<Label> labels, std::span<const double> bounds,
                 std::span<const uint64_t> counts, double sum);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void begin_sample(std::initializer_list<Label> labels);
  static void append_labels(std::string& out, std::initializer_list<Label> labels);
  void append_number(double value);

  std::string out_;
  std::string current_;                // the family being written
  std::vector<std::string> families_;  // written so far, to refuse repeats
};

}  // namespace ct::metrics
