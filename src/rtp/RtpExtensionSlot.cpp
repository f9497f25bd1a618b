#include "rtp/RtpExtensionSlot.hpp"

#include <algorithm>
#include <cstring>

#include "core/Endian.hpp"
#include "rtp/RtpPacket.hpp"

namespace ct::rtp {
namespace {

constexpr size_t round_up_to_word(size_t n) { return (n + 3) & ~size_t(3); }

bool fits(ExtensionForm form, uint8_t id, size_t size) {
  // RFC 8285 §4.2: one-byte ids 1..14 with 1..16 bytes; §4.3: two-byte ids 1..255 with 0..255.
  if (form == ExtensionForm::OneByte) return id >= 1 && id <= 14 && size >= 1 && size <= 16;
  return id >= 1 && size <= 255;
}

// Writes the element's header at `at` and returns its data.
std::span<uint8_t> write_element(uint8_t* at, ExtensionForm form, uint8_t id, size_t size) {
  if (form == ExtensionForm::OneByte) {
    at[0] = uint8_t(id << 4 | (size - 1));
    return {at + 1, size};
  }
  at[0] = id;
  at[1] = uint8_t(size);
  return {at + 2, size};
}

bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

}  // namespace

std::span<uint8_t> extension_slot(std::span<uint8_t> buffer, size_t& length, uint8_t id, size_t size) {
  if (length > buffer.size() || size == 0) return {};
  auto packet = RtpPacket::parse(buffer.first(length));
  if (!packet) return {};
  const size_t block_offset = packet->extension_block().data() - buffer.data();

  if (!packet->has_extension()) {
    // A new block right after the CSRCs (RFC 3550 §5.3.1).
    const ExtensionForm form =
        fits(ExtensionForm::OneByte, id, size) ? ExtensionForm::OneByte : ExtensionForm::TwoByte;
    if (!fits(form, id, size)) return {};
    const size_t element = (form == ExtensionForm::OneByte ? 1 : 2) + size;
    const size_t added = 4 + round_up_to_word(element);
    if (buffer.size() - length < added) return {};
    const size_t header_offset = block_offset;  // the block's 4-byte header goes here
    std::memmove(&buffer[header_offset + added], &buffer[header_offset], length - header_offset);
    std::memset(&buffer[header_offset], 0, added);
    store_u16(&buffer[header_offset],
              form == ExtensionForm::OneByte ? RtpPacket::kOneByteProfile : RtpPacket::kTwoByteProfile);
    store_u16(&buffer[header_offset + 2], uint16_t((added - 4) / 4));
    buffer[0] |= 0x10;
    length += added;
    return write_element(&buffer[header_offset + 4], form, id, size);
  }

  const ExtensionForm form = packet->extension_form();
  if (form == ExtensionForm::None || !fits(form, id, size)) return {};
  const size_t header = form == ExtensionForm::OneByte ? 1 : 2;
  const size_t element = header + size;
  std::span<uint8_t> block = packet->extension_block();

  // The element may be there already.
  for (const RtpExtension& extension : packet->extensions()) {
    if (extension.id == id) return extension.data.size() == size ? extension.data : std::span<uint8_t>();
  }
  // Otherwise a run of padding bytes between or after the elements may hold it.
  size_t end = 0;  // of the previous element
  for (RtpExtensionIterator it(block, form); it != RtpExtensionIterator(); ++it) {
    if (it.element_offset() - end >= element) return write_element(&block[end], form, id, size);
    end = it.element_offset() + header + it->data.size();
  }
  // Bytes after the last element are usable only if they are padding: an
  // id 15 or a truncated element ends the walk early, and an element put
  // after it would never be read.
  if (!all_zero(block.subspan(end))) return {};
  if (block.size() - end >= element) return write_element(&block[end], form, id, size);

  // Grow the block by whole words; the element starts in the free tail.
  const size_t at = end;
  const size_t added = round_up_to_word(at + element - block.size());
  if (buffer.size() - length < added || (block.size() + added) / 4 > 0xFFFF) return {};
  const size_t block_end = block_offset + block.size();
  std::memmove(&buffer[block_end + added], &buffer[block_end], length - block_end);
  std::memset(&buffer[block_end], 0, added);
  store_u16(&buffer[block_offset - 2], uint16_t((block.size() + added) / 4));
  length += added;
  return write_element(&buffer[block_offset + at], form, id, size);
}

}  // namespace ct::rtp
