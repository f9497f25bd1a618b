#pragma once
// The throughput the receiver acknowledged: bytes of received packets over a
// sliding window of their arrival times (the receiver's clock). AIMD's
// decrease and its increase cap are taken from it (draft-ietf-rmcat-gcc-02
// §5.5 uses the incoming rate R_hat measured over a 0.5-1 s window).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace ct::bwe {

class AckedBitrateEstimator {
 public:
  static constexpr int64_t kWindowUs = 500'000;
  // A rate needs at least this much arrival time behind it.
  static constexpr int64_t kMinSpanUs = 150'000;
  // Packets remembered (a power of two); at 1200 bytes, 2048 fill 500 ms at 39 Mbit/s.
  static constexpr size_t kCapacity = 2048;

  void on_packet(int64_t arrival_time_us, uint32_t size);
  // Bits per second over the window ending at the newest arrival.
  std::optional<uint64_t> bitrate_bps() const;

 private:
  struct Sample {
    int64_t arrival_time_us = 0;
    uint32_t size = 0;
  };

  std::array<Sample, kCapacity> ring_{};
  size_t head_ = 0;  // oldest
  size_t count_ = 0;
  uint64_t bytes_ = 0;
  bool started_ = false;
  int64_t first_arrival_us_ = 0;
  int64_t newest_arrival_us_ = 0;
};

}  // namespace ct::bwe
