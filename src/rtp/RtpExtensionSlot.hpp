#pragma once
// A place for one header extension element in a packet the sender is about
// to send (RFC 8285): the element already there, or one added without
// allocating, in zero bytes a removed element left (§4.2, §4.3: they are
// padding), or by growing the extension block by whole 32-bit words.
#include <cstddef>
#include <cstdint>
#include <span>

namespace ct::rtp {

// The data bytes of element `id` with exactly `size` bytes in the RTP
// packet that takes the first `length` bytes of `buffer`. When the packet
// has none, one is added (the payload and RTP padding move back; `length`
// grows by the added bytes, and the rest of `buffer` is the room for it). A
// packet without an extension block gets a one-byte block (the two-byte
// form when `id` or `size` needs it). Empty when the packet does not parse,
// carries an element `id` of another size, uses a profile other than RFC
// 8285's, cannot take `id`/`size` in its form, or the buffer has no room;
// and when `size` is 0 (an empty answer would be ambiguous).
std::span<uint8_t> extension_slot(std::span<uint8_t> buffer, size_t& length, uint8_t id, size_t size);

}  // namespace ct::rtp
