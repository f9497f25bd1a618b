#pragma once
// Who is speaking, from the client-to-mixer audio levels each audio packet
// carries (RFC 6464: 0 = 0 dBov, the loudest, .. 127 = -127 dBov, silence).
// Levels are averaged over a sliding window of about one second, so a word's
// pauses and Opus DTX gaps (no packets at all) do not make a speaker flicker.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/Clock.hpp"

namespace ct::sfu {

class ActiveSpeakerDetector {
 public:
  struct Speaker {
    uint64_t key;
    float level;  // linear amplitude of the smoothed level, 0..1 (1 = 0 dBov)
    bool operator==(const Speaker&) const = default;
  };

  // A speaker's smoothed level must be at least this loud.
  static constexpr uint8_t kDefaultThresholdDbov = 50;  // -50 dBov
  static constexpr int kWindowBuckets = 10;
  static constexpr Duration kBucketLength = milliseconds(100);  // window: 10 x 100 ms

  explicit ActiveSpeakerDetector(Duration report_interval = milliseconds(500));

  // One audio packet's level. Packets without voice activity (the V bit of
  // RFC 6464 §3) count as silence unless set_use_voice_activity(false).
  void add_level(uint64_t key, uint8_t level, bool voice_activity, TimePoint now);
  void remove(uint64_t key);

  // At most once per report interval: the current speakers, loudest first,
  // returned only when membership or order differ from the last list
  // returned (which starts empty).
  std::optional<std::vector<Speaker>> poll(TimePoint now);

  // The smoothed level of `key` now, 0 if unknown or silent.
  float level(uint64_t key, TimePoint now) const;

  void set_threshold_dbov(uint8_t negated_dbov);
  // Some senders never set the V bit; then only the level counts.
  void set_use_voice_activity(bool use) { use_voice_activity_ = use; }

 private:
  struct Bucket {
    int64_t index = -1;  // which 100 ms period of the clock it sums
    float amplitude_sum = 0;
    uint32_t samples = 0;
  };
  struct Source {
    uint64_t key = 0;
    std::array<Bucket, kWindowBuckets> buckets{};
  };

  float smoothed(const Source& source, int64_t current_bucket) const;
  static int64_t bucket_of(TimePoint now);

  Duration report_interval_;
  float threshold_amplitude_;
  bool use_voice_activity_ = true;
  bool polled_ = false;
  TimePoint last_poll_{};
  std::vector<Source> sources_;  // few per room: a linear search beats hashing
  std::vector<Speaker> reported_;
};

}  // namespace ct::sfu
