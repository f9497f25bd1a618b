// libFuzzer target: IvfReader over any bytes, and the VP8 frame header
// (RFC 6386 §9.1) of every frame it returns. Frames must lie inside the
// input, one after another, and the reading must end at the end or at a
// truncated frame.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "record/IvfReader.hpp"
#include "record/Vp8FrameHeader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  auto reader = ct::record::IvfReader::open(input);
  if (!reader) return 0;
  size_t offset = reader->header().header_size;
  if (offset < ct::record::IvfFileHeader::kSize || offset > size) std::abort();
  while (auto frame = reader->next()) {
    if (frame->data.data() != data + offset + ct::record::IvfFileHeader::kFrameHeaderSize) std::abort();
    offset += ct::record::IvfFileHeader::kFrameHeaderSize + frame->data.size();
    if (offset > size) std::abort();
    const auto header = ct::record::Vp8FrameHeader::parse(frame->data);
    if (header && header->keyframe && (header->width > 0x3FFF || frame->data.size() < 10)) std::abort();
  }
  if (reader->at_end() == reader->truncated()) std::abort();
  if (reader->at_end() != (offset == size)) std::abort();
  return 0;
}
