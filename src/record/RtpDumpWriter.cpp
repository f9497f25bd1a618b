#include "record/RtpDumpWriter.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "record/LittleEndian.hpp"

namespace ct::record {

RtpDumpWriter::RtpDumpWriter(const std::string& path, const RtpDumpHeader& header) : path_(path) {
  buffer_.reserve(kBufferSize);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    fail("open");
    return;
  }
  const auto bytes = header.serialize();
  buffer_.assign(bytes.begin(), bytes.end());
  flush();
}

RtpDumpWriter::~RtpDumpWriter() { close(); }

bool RtpDumpWriter::append(uint64_t arrival_us, std::span<const uint8_t> packet) {
  if (fd_ < 0 || packet.size() < RtpDumpHeader::kMinPacketSize ||
      packet.size() > RtpDumpHeader::kMaxPacketSize) {
    return false;
  }
  const size_t record_size = RtpDumpHeader::kRecordHeaderSize + packet.size();
  if (buffer_.size() + record_size > kBufferSize && !flush()) return false;
  uint8_t record_header[RtpDumpHeader::kRecordHeaderSize];
  store_le32(record_header, uint32_t(packet.size()));
  store_le64(record_header + 4, arrival_us);
  if (record_size > kBufferSize) {
    // Larger than the buffer: straight to the file, after what was buffered.
    if (!write_all(record_header) || !write_all(packet)) return false;
  } else {
    buffer_.insert(buffer_.end(), std::begin(record_header), std::end(record_header));
    buffer_.insert(buffer_.end(), packet.begin(), packet.end());
  }
  ++packets_;
  return true;
}

bool RtpDumpWriter::flush() {
  if (fd_ < 0) return false;
  const bool ok = write_all(buffer_);
  buffer_.clear();
  return ok;
}

void RtpDumpWriter::close() {
  if (fd_ < 0) return;
  flush();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RtpDumpWriter::write_all(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      fail("write");
      return false;
    }
    bytes = bytes.subspan(size_t(n));
    flushed_ += uint64_t(n);
  }
  return true;
}

void RtpDumpWriter::fail(const char* what) {
  error_ = path_ + ": " + what + ": " + std::strerror(errno);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace ct::record
