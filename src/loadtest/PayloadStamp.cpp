#include "loadtest/PayloadStamp.hpp"

namespace ct::loadtest {
namespace {
constexpr uint8_t kMagic[4] = {'C', 'T', 'L', 'S'};
}

bool PayloadStamp::write(std::span<uint8_t> vp8_data) const {
  if (vp8_data.size() < kOffset + kSize) return false;
  auto out = vp8_data.subspan(kOffset, kSize);
  for (size_t i = 0; i < 4; ++i) out[i] = kMagic[i];
  out[4] = uint8_t(source >> 8);
  out[5] = uint8_t(source);
  out[6] = layer;
  const auto t = uint64_t(send_time_us);
  for (size_t i = 0; i < 8; ++i) out[7 + i] = uint8_t(t >> (56 - 8 * i));
  return true;
}

int64_t PayloadStamp::time_us(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::optional<PayloadStamp> PayloadStamp::read(std::span<const uint8_t> vp8_data) {
  if (vp8_data.size() < kOffset + kSize) return std::nullopt;
  auto in = vp8_data.subspan(kOffset, kSize);
  for (size_t i = 0; i < 4; ++i)
    if (in[i] != kMagic[i]) return std::nullopt;
  PayloadStamp s;
  s.source = uint16_t(in[4] << 8 | in[5]);
  s.layer = in[6];
  uint64_t t = 0;
  for (size_t i = 0; i < 8; ++i) t = t << 8 | in[7 + i];
  s.send_time_us = int64_t(t);
  return s;
}

}  // namespace ct::loadtest
