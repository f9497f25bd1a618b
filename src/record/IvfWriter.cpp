#include "record/IvfWriter.hpp"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include "record/LittleEndian.hpp"
#include "record/Vp8FrameHeader.hpp"

namespace ct::record {

IvfWriter::IvfWriter(const std::string& path) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    fail("open");
    return;
  }
  write_header();
}

IvfWriter::~IvfWriter() { close(); }

IvfWriter::IvfWriter(IvfWriter&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      error_(std::move(other.error_)),
      header_(other.header_),
      started_(other.started_),
      last_rtp_timestamp_(other.last_rtp_timestamp_),
      timestamp_(other.timestamp_),
      end_(other.end_),
      frames_skipped_(other.frames_skipped_) {}

IvfWriter& IvfWriter::operator=(IvfWriter&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    error_ = std::move(other.error_);
    header_ = other.header_;
    started_ = other.started_;
    last_rtp_timestamp_ = other.last_rtp_timestamp_;
    timestamp_ = other.timestamp_;
    end_ = other.end_;
    frames_skipped_ = other.frames_skipped_;
  }
  return *this;
}

void IvfWriter::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void IvfWriter::fail(const char* what) {
  error_ = path_ + ": " + what + ": " + std::strerror(errno);
  close();
}

bool IvfWriter::write_at(uint64_t offset, std::span<iovec> parts, const char* what) {
  size_t part = 0;
  while (part < parts.size()) {
    const ssize_t n = ::pwritev(fd_, &parts[part], int(parts.size() - part), off_t(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      fail(what);
      return false;
    }
    // A short write: continue after what went out.
    offset += uint64_t(n);
    size_t written = size_t(n);
    while (part < parts.size() && written >= parts[part].iov_len) written -= parts[part++].iov_len;
    if (part < parts.size()) {
      parts[part].iov_base = static_cast<uint8_t*>(parts[part].iov_base) + written;
      parts[part].iov_len -= written;
    }
  }
  return true;
}

bool IvfWriter::write_header() {
  std::array<uint8_t, IvfFileHeader::kSize> bytes = header_.serialize();
  std::array<iovec, 1> parts = {iovec{bytes.data(), bytes.size()}};
  return write_at(0, parts, "write header");
}

bool IvfWriter::write(uint32_t rtp_timestamp, std::span<const uint8_t> frame) {
  if (fd_ < 0) return false;
  if (frame.size() > std::numeric_limits<uint32_t>::max()) {  // what the frame header can say
    ++frames_skipped_;
    return false;
  }
  const std::optional<Vp8FrameHeader> vp8 = Vp8FrameHeader::parse(frame);
  const bool keyframe = vp8 && vp8->keyframe;
  if (!started_) {
    if (!keyframe) {
      ++frames_skipped_;
      return false;
    }
    started_ = true;
    header_.width = vp8->width;
    header_.height = vp8->height;
  } else {
    // RTP timestamps wrap at 2^32; the difference to the last frame does not.
    timestamp_ += int32_t(rtp_timestamp - last_rtp_timestamp_);
  }
  last_rtp_timestamp_ = rtp_timestamp;

  std::array<uint8_t, IvfFileHeader::kFrameHeaderSize> frame_header;
  store_le32(frame_header.data(), uint32_t(frame.size()));
  store_le64(frame_header.data() + 4, uint64_t(timestamp_ < 0 ? 0 : timestamp_));
  std::array<iovec, 2> parts = {iovec{frame_header.data(), frame_header.size()},
                                iovec{const_cast<uint8_t*>(frame.data()), frame.size()}};
  if (!write_at(end_, parts, "write frame")) return false;
  end_ += IvfFileHeader::kFrameHeaderSize + frame.size();
  ++header_.frame_count;
  return write_header();
}

}  // namespace ct::record
