#pragma once
// Writes VP8 frames into an IVF file (see IvfFileHeader.hpp), the container
// that `ffmpeg -i x.ivf` and libvpx read. The width and height come from the
// first keyframe (RFC 6386 §9.1), the timebase is the 90 kHz RTP clock, and
// each frame's timestamp is its RTP timestamp counted from the first frame.
// A later keyframe of another size stays in the stream as it is (decoders
// follow it); the header keeps the first size.
//
// The file starts at a keyframe: frames before the first one are skipped, a
// decoder could not start with them. The header is rewritten after every
// frame, so the frame count is right whenever the process stops, not only
// after close(). That is two blocking system calls per frame on the calling
// thread. Errors never throw: the writer closes the file, keeps the reason
// in error(), and later writes return false.
#include <sys/uio.h>

#include <cstdint>
#include <span>
#include <string>

#include "record/IvfFileHeader.hpp"

namespace ct::record {

class IvfWriter {
 public:
  // Creates or truncates `path` and writes the header.
  explicit IvfWriter(const std::string& path);
  ~IvfWriter();
  IvfWriter(IvfWriter&& other) noexcept;
  IvfWriter& operator=(IvfWriter&& other) noexcept;
  IvfWriter(const IvfWriter&) = delete;
  IvfWriter& operator=(const IvfWriter&) = delete;

  // Appends one frame. False if it was not written: skipped (before the
  // first keyframe) or after an error.
  bool write(uint32_t rtp_timestamp, std::span<const uint8_t> frame);
  // Closes the file; the header on disk is already complete.
  void close();

  bool is_open() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }  // empty while all is well
  const IvfFileHeader& header() const { return header_; }
  uint32_t frames_written() const { return header_.frame_count; }
  uint32_t frames_skipped() const { return frames_skipped_; }

 private:
  // Writes all of `parts` at `offset`, across short writes.
  bool write_at(uint64_t offset, std::span<iovec> parts, const char* what);
  bool write_header();
  void fail(const char* what);

  std::string path_;
  int fd_ = -1;
  std::string error_;
  IvfFileHeader header_;
  bool started_ = false;  // the first keyframe was written
  uint32_t last_rtp_timestamp_ = 0;
  int64_t timestamp_ = 0;                // the last frame's, in 90 kHz units from the first
  uint64_t end_ = IvfFileHeader::kSize;  // where the next frame goes
  uint32_t frames_skipped_ = 0;
};

}  // namespace ct::record
