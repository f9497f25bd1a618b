#include "sfu/ActiveSpeakerDetector.hpp"

#include <algorithm>
#include <cmath>

namespace ct::sfu {

namespace {
// RFC 6464 §3: the level is -dBov, 0..127; a table spares a pow() per packet.
float amplitude_of(uint8_t negated_dbov) {
  static const std::array<float, 128> table = [] {
    std::array<float, 128> amplitudes{};
    for (size_t i = 0; i < amplitudes.size(); ++i) amplitudes[i] = std::pow(10.0f, -float(i) / 20.0f);
    return amplitudes;
  }();
  return table[std::min<uint8_t>(negated_dbov, 127)];
}
}  // namespace

ActiveSpeakerDetector::ActiveSpeakerDetector(Duration report_interval)
    : report_interval_(report_interval), threshold_amplitude_(amplitude_of(kDefaultThresholdDbov)) {}

void ActiveSpeakerDetector::set_threshold_dbov(uint8_t negated_dbov) {
  threshold_amplitude_ = amplitude_of(negated_dbov);
}

int64_t ActiveSpeakerDetector::bucket_of(TimePoint now) {
  return now.time_since_epoch() / kBucketLength;
}

void ActiveSpeakerDetector::add_level(uint64_t key, uint8_t level, bool voice_activity, TimePoint now) {
  auto it = std::find_if(sources_.begin(), sources_.end(), [key](const Source& s) { return s.key == key; });
  if (it == sources_.end()) {
    sources_.push_back(Source{key, {}});
    it = sources_.end() - 1;
  }
  const int64_t index = bucket_of(now);
  Bucket& bucket = it->buckets[size_t((index % kWindowBuckets + kWindowBuckets) % kWindowBuckets)];
  if (bucket.index != index) bucket = Bucket{index, 0, 0};
  const bool silent = use_voice_activity_ && !voice_activity;
  bucket.amplitude_sum += silent ? 0.0f : amplitude_of(level);
  ++bucket.samples;
}

void ActiveSpeakerDetector::remove(uint64_t key) {
  std::erase_if(sources_, [key](const Source& s) { return s.key == key; });
}

float ActiveSpeakerDetector::smoothed(const Source& source, int64_t current_bucket) const {
  // The mean over the packets of the window; buckets older than the window
  // are stale, so a source that stopped sending fades out within a second.
  float sum = 0;
  uint32_t samples = 0;
  for (const Bucket& bucket : source.buckets) {
    if (bucket.index > current_bucket - kWindowBuckets && bucket.index <= current_bucket) {
      sum += bucket.amplitude_sum;
      samples += bucket.samples;
    }
  }
  return samples ? sum / float(samples) : 0.0f;
}

float ActiveSpeakerDetector::level(uint64_t key, TimePoint now) const {
  for (const Source& source : sources_) {
    if (source.key == key) return smoothed(source, bucket_of(now));
  }
  return 0.0f;
}

std::optional<std::vector<ActiveSpeakerDetector::Speaker>> ActiveSpeakerDetector::poll(TimePoint now) {
  if (polled_ && now - last_poll_ < report_interval_) return std::nullopt;
  polled_ = true;
  last_poll_ = now;
  const int64_t current = bucket_of(now);
  std::vector<Speaker> speakers;
  for (const Source& source : sources_) {
    const float amplitude = smoothed(source, current);
    if (amplitude >= threshold_amplitude_) speakers.push_back({source.key, amplitude});
  }
  // Ties by key keep the order stable between polls.
  std::sort(speakers.begin(), speakers.end(), [](const Speaker& a, const Speaker& b) {
    return a.level != b.level ? a.level > b.level : a.key < b.key;
  });
  const bool changed = !std::equal(speakers.begin(), speakers.end(), reported_.begin(), reported_.end(),
                                   [](const Speaker& a, const Speaker& b) { return a.key == b.key; });
  if (!changed) return std::nullopt;
  reported_ = speakers;
  return speakers;
}

}  // namespace ct::sfu
