#pragma once
// Reads a raw RTP dump (see RtpDumpHeader.hpp for the layout) record by
// record from bytes in memory, e.g. a mapped file. Never reads outside
// them. What a crash leaves, a last record cut short, ends the reading as
// truncated(); a record whose length no RTP packet can have ends it as
// corrupt(): the bytes from there on are not records.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "record/RtpDumpHeader.hpp"

namespace ct::record {

class RtpDumpReader {
 public:
  struct Record {
    uint64_t arrival_us = 0;  // after the header's start time
    std::span<const uint8_t> packet;
  };

  // nullopt when the file header is not valid.
  static std::optional<RtpDumpReader> open(std::span<const uint8_t> file);

  const RtpDumpHeader& header() const { return header_; }
  // The next record, or nullopt at the end, at a truncated record or at garbage.
  std::optional<Record> next();
  bool truncated() const { return truncated_; }
  bool corrupt() const { return corrupt_; }
  // Every byte was read as whole records.
  bool at_end() const { return offset_ == file_.size(); }
  size_t offset() const { return offset_; }  // of the next record

 private:
  RtpDumpReader(std::span<const uint8_t> file, RtpDumpHeader header)
      : file_(file), header_(std::move(header)), offset_(header_.header_size) {}

  std::span<const uint8_t> file_;
  RtpDumpHeader header_;
  size_t offset_;
  bool truncated_ = false;
  bool corrupt_ = false;
};

}  // namespace ct::record
