#pragma once
// Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): one
// "# HELP" and "# TYPE" line per metric family, then its samples, each
// `name{label="value",...} number`. Families must not repeat, so a caller
// writes one family with all its samples (e.g. one per worker) before the next.
#include <cstdint>
#include <initializer_list>
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
  // One sample of a histogram family, whose samples are named with a
  // suffix: "_bucket" (with an "le" label, cumulative, "+Inf" last), "_sum", "_count".
  void histogram_sample(std::string_view suffix, std::initializer_list<Label> labels, uint64_t value);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void begin_sample(std::initializer_list<Label> labels, std::string_view suffix = {});

  std::string out_;
  std::string current_;                // the family being written
  std::vector<std::string> families_;  // written so far, to refuse repeats
};

}  // namespace ct::metrics
