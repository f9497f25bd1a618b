#include "record/IvfReader.hpp"

#include "record/LittleEndian.hpp"

namespace ct::record {

std::optional<IvfReader> IvfReader::open(std::span<const uint8_t> file) {
  const std::optional<IvfFileHeader> header = IvfFileHeader::parse(file);
  if (!header) return std::nullopt;
  return IvfReader(file, *header);
}

std::optional<IvfReader::Frame> IvfReader::next() {
  if (truncated_ || at_end()) return std::nullopt;
  const size_t left = file_.size() - offset_;
  if (left < IvfFileHeader::kFrameHeaderSize) {
    truncated_ = true;
    return std::nullopt;
  }
  const uint8_t* frame_header = file_.data() + offset_;
  const uint32_t size = load_le32(frame_header);
  if (size > left - IvfFileHeader::kFrameHeaderSize) {
    truncated_ = true;
    return std::nullopt;
  }
  Frame frame{load_le64(frame_header + 4), file_.subspan(offset_ + IvfFileHeader::kFrameHeaderSize, size)};
  offset_ += IvfFileHeader::kFrameHeaderSize + size;
  return frame;
}

}  // namespace ct::record
