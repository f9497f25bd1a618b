#pragma once
// Test support: WebSocket frames written and read by hand (RFC 6455 §5.2),
// for tests that decide exactly which bytes go out in one write.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ct::test {

// A client frame: FIN + text opcode, masked (§5.3: every client frame is),
// payload shorter than 64 KiB.
inline std::string masked_text_frame(std::string_view payload) {
  static constexpr std::array<uint8_t, 4> kMask{0x9d, 0x04, 0x5e, 0xc1};
  std::string frame;
  frame.push_back(static_cast<char>(0x81));
  if (payload.size() < 126) {
    frame.push_back(static_cast<char>(0x80 | payload.size()));
  } else {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(payload.size() >> 8));
    frame.push_back(static_cast<char>(payload.size() & 0xff));
  }
  for (uint8_t m : kMask) frame.push_back(static_cast<char>(m));
  for (size_t i = 0; i < payload.size(); ++i) frame.push_back(static_cast<char>(payload[i] ^ kMask[i % 4]));
  return frame;
}

// One unmasked server frame at the front of `bytes`.
struct ServerFrame {
  bool complete = false;  // the whole frame is in `bytes`
  bool text = false;      // FIN + text opcode
  size_t header = 0;
  size_t length = 0;
};

// The header and payload length of the frame at the front of `bytes`, or
// nullopt while its header is incomplete (payloads shorter than 64 KiB).
inline std::optional<ServerFrame> peek_server_frame(std::string_view bytes) {
  if (bytes.size() < 2) return std::nullopt;
  ServerFrame f;
  f.text = static_cast<uint8_t>(bytes[0]) == 0x81;
  f.length = static_cast<uint8_t>(bytes[1]) & 0x7f;
  f.header = 2;
  if (f.length == 126) {
    if (bytes.size() < 4) return std::nullopt;
    f.length = (size_t{static_cast<uint8_t>(bytes[2])} << 8) | static_cast<uint8_t>(bytes[3]);
    f.header = 4;
  }
  f.complete = bytes.size() >= f.header + f.length;
  return f;
}

}  // namespace ct::test
