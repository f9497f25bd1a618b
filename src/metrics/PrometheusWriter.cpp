#include "metrics/PrometheusWriter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace ct::metrics {
namespace {

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// HELP text escapes '\' and newline; label values also escape '"'.
void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

}  // namespace

void PrometheusWriter::family(std::string_view name, MetricType type, std::string_view help) {
  if (!valid_name(name, true)) throw std::invalid_argument("invalid metric name: " + std::string(name));
  if (std::find(families_.begin(), families_.end(), name) != families_.end()) {
    throw std::invalid_argument("metric family written twice: " + std::string(name));
  }
  families_.emplace_back(name);
  current_ = name;
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_escaped(out_, help, false);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += type == MetricType::counter ? " counter\n"
          : type == MetricType::gauge ? " gauge\n"
                                      : " histogram\n";
}

void PrometheusWriter::begin_sample(std::initializer_list<Label> labels) {
  if (current_.empty()) throw std::invalid_argument("metric sample before its family");
  out_ += current_;
  if (labels.size() == 0) return;
  out_ += '{';
  append_labels(out_, labels);
  out_ += '}';
}

void PrometheusWriter::append_labels(std::string& out, std::initializer_list<Label> labels) {
  bool first = true;
  for (const auto& l : labels) {
    if (!valid_name(l.name, false)) throw std::invalid_argument("invalid label name: " + std::string(l.name));
    if (!first) out += ',';
    first = false;
    out += l.name;
    out += "=\"";
    append_escaped(out, l.value, true);
    out += '"';
  }
}

void PrometheusWriter::sample(std::initializer_list<Label> labels, uint64_t value) {
  begin_sample(labels);
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof(digits), value).ptr;
  out_ += ' ';
  out_.append(digits, end);
  out_ += '\n';
}

void PrometheusWriter::sample(std::initializer_list<Label> labels, double value) {
  begin_sample(labels);
  out_ += ' ';
  append_number(value);
  out_ += '\n';
}

void PrometheusWriter::histogram(std::initializer_list<Label> labels, std::span<const double> bounds,
                                 std::span<const uint64_t> counts, double sum) {
  if (current_.empty()) throw std::invalid_argument("histogram before its family");
  if (counts.size() != bounds.size() + 1) throw std::invalid_argument("histogram needs one count per bucket");
  // The labels as written for a sample, without the braces, to put before `le` and after the name.
  std::string labelled;
  append_labels(labelled, labels);
  const std::string braces = labelled.empty() ? std::string() : "{" + labelled + "}";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    out_ += current_;
    out_ += "_bucket{";
    if (!labelled.empty()) out_ += labelled + ",";
    out_ += "le=\"";
    if (i < bounds.size()) {
      append_number(bounds[i]);
    } else {
      out_ += "+Inf";
    }
    out_ += "\"} ";
    out_ += std::to_string(cumulative);
    out_ += '\n';
  }
  out_ += current_;
  out_ += "_sum";
  out_ += braces;
  out_ += ' ';
  append_number(sum);
  out_ += '\n';
  out_ += current_;
  out_ += "_count";
  out_ += braces;
  out_ += ' ';
  out_ += std::to_string(cumulative);
  out_ += '\n';
}

void PrometheusWriter::append_number(double value) {
  if (std::isnan(value)) {
    out_ += "NaN";
  } else if (std::isinf(value)) {
    out_ += value > 0 ? "+Inf" : "-Inf";
  } else {
    char digits[32];
    auto end = std::to_chars(digits, digits + sizeof(digits), value).ptr;  // shortest round-trip form
    out_.append(digits, end);
  }
}

}  // namespace ct::metrics
