#pragma once
// A whole file mapped read-only into memory, unmapped on destruction: lets
// a reader over bytes (RtpDumpReader) walk a dump of any size without
// reading it all into the heap.
#include <cstdint>
#include <span>
#include <string>

namespace ct::record {

class MappedFile {
 public:
  // On failure, is_open() is false and error() says why.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  bool is_open() const { return open_; }
  const std::string& error() const { return error_; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool open_ = false;
  std::string error_;
};

}  // namespace ct::record
