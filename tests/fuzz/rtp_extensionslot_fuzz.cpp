// libFuzzer target: extension_slot over any bytes (a forwarded packet is the
// publisher's). The first byte picks the id, the second the element size,
// the third the spare room; the rest is the packet. When it answers, the
// packet still parses, the element is where it says with the size asked
// for, the payload is unchanged, and the packet stayed inside the buffer.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "rtp/RtpExtensionSlot.hpp"
#include "rtp/RtpPacket.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t id = data[0];
  const size_t element_size = data[1] % 20;
  const size_t room = data[2] % 48;
  std::vector<uint8_t> buffer(data + 3, data + size);
  size_t length = buffer.size();
  buffer.resize(length + room);
  std::vector<uint8_t> payload_before;
  if (auto before = ct::rtp::RtpPacket::parse(std::span(buffer).first(length)))
    payload_before.assign(before->payload().begin(), before->payload().end());
  const size_t original = length;
  auto slot = ct::rtp::extension_slot(buffer, length, id, element_size);
  if (slot.empty()) {
    if (length != original) std::abort();
    return 0;
  }
  if (length > buffer.size() || length < original || slot.size() != element_size) std::abort();
  if (slot.data() < buffer.data() || slot.data() + slot.size() > buffer.data() + length) std::abort();
  std::fill(slot.begin(), slot.end(), uint8_t(0x5A));
  auto after = ct::rtp::RtpPacket::parse(std::span(buffer).first(length));
  if (!after) std::abort();
  if (after->find_extension(id).data() != slot.data()) std::abort();
  if (!std::equal(payload_before.begin(), payload_before.end(), after->payload().begin(),
                  after->payload().end()))
    std::abort();
  return 0;
}
