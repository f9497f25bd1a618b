#pragma once
// Big-endian (network order) loads and stores over raw packet bytes.
// Callers check bounds; these are the unchecked primitives parsers build on.
#include <cstdint>

namespace ct {

inline uint16_t load_u16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
inline uint32_t load_u24(const uint8_t* p) { return uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2]; }
inline uint32_t load_u32(const uint8_t* p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
inline uint64_t load_u64(const uint8_t* p) { return uint64_t(load_u32(p)) << 32 | load_u32(p + 4); }

inline void store_u16(uint8_t* p, uint16_t v) {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
inline void store_u24(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 16);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v);
}
inline void store_u32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
inline void store_u64(uint8_t* p, uint64_t v) {
  store_u32(p, uint32_t(v >> 32));
  store_u32(p + 4, uint32_t(v));
}

}  // namespace ct
