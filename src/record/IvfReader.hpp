#pragma once
// Reads an IVF file (see IvfFileHeader.hpp for the layout) frame by frame
// from bytes in memory: the file header, then each frame's timestamp and
// data as a view into those bytes. Never reads outside them; a frame header
// or frame that does not fit ends the reading and is reported as truncated.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "record/IvfFileHeader.hpp"

namespace ct::record {

class IvfReader {
 public:
  struct Frame {
    uint64_t timestamp = 0;  // in the file's timebase
    std::span<const uint8_t> data;
  };

  // nullopt when the file header is not a valid IVF header.
  static std::optional<IvfReader> open(std::span<const uint8_t> file);

  const IvfFileHeader& header() const { return header_; }
  // The next frame, or nullopt at the end of the file or at a frame that
  // does not fit (then truncated() is true).
  std::optional<Frame> next();
  bool truncated() const { return truncated_; }
  // Every byte was read as whole frames.
  bool at_end() const { return offset_ == file_.size(); }

 private:
  IvfReader(std::span<const uint8_t> file, const IvfFileHeader& header)
      : file_(file), header_(header), offset_(header.header_size) {}

  std::span<const uint8_t> file_;
  IvfFileHeader header_;
  size_t offset_;
  bool truncated_ = false;
};

}  // namespace ct::record
