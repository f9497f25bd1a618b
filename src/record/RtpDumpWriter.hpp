#pragma once
// Appends RTP packets to a raw RTP dump (see RtpDumpHeader.hpp). Records
// collect in a fixed buffer and go to the file with one write per flush(),
// so the caller decides how much an abrupt end may lose: what was flushed
// is in the kernel and survives the process. Runs on a recording writer
// thread, never on the media thread (write() blocks). Errors never throw:
// the writer closes the file, keeps the reason in error(), and later calls
// return false.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "record/RtpDumpHeader.hpp"

namespace ct::record {

class RtpDumpWriter {
 public:
  static constexpr size_t kBufferSize = 64 * 1024;

  // Creates or truncates `path` and writes the header.
  RtpDumpWriter(const std::string& path, const RtpDumpHeader& header);
  ~RtpDumpWriter();
  RtpDumpWriter(const RtpDumpWriter&) = delete;
  RtpDumpWriter& operator=(const RtpDumpWriter&) = delete;

  // Adds one record; packets shorter than an RTP header or longer than
  // RtpDumpHeader::kMaxPacketSize are refused (false), as are all after an error.
  bool append(uint64_t arrival_us, std::span<const uint8_t> packet);
  // Writes what is buffered. False after an error.
  bool flush();
  // Flushes and closes.
  void close();

  bool is_open() const { return fd_ >= 0; }
  const std::string& error() const { return error_; }
  uint64_t packets_written() const { return packets_; }  // appended, flushed or not
  uint64_t bytes_flushed() const { return flushed_; }

 private:
  bool write_all(std::span<const uint8_t> bytes);
  void fail(const char* what);

  std::string path_;
  int fd_ = -1;
  std::string error_;
  std::vector<uint8_t> buffer_;  // capacity kBufferSize, reserved once
  uint64_t packets_ = 0;
  uint64_t flushed_ = 0;
};

}  // namespace ct::record
