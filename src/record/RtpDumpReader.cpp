#include "record/RtpDumpReader.hpp"

#include "record/LittleEndian.hpp"

namespace ct::record {

std::optional<RtpDumpReader> RtpDumpReader::open(std::span<const uint8_t> file) {
  auto header = RtpDumpHeader::parse(file);
  if (!header) return std::nullopt;
  return RtpDumpReader(file, std::move(*header));
}

std::optional<RtpDumpReader::Record> RtpDumpReader::next() {
  if (truncated_ || corrupt_ || at_end()) return std::nullopt;
  const size_t left = file_.size() - offset_;
  if (left < RtpDumpHeader::kRecordHeaderSize) {
    truncated_ = true;
    return std::nullopt;
  }
  const uint8_t* at = file_.data() + offset_;
  const uint32_t length = load_le32(at);
  if (length < RtpDumpHeader::kMinPacketSize || length > RtpDumpHeader::kMaxPacketSize) {
    corrupt_ = true;
    return std::nullopt;
  }
  if (left - RtpDumpHeader::kRecordHeaderSize < length) {
    truncated_ = true;
    return std::nullopt;
  }
  Record record{load_le64(at + 4), file_.subspan(offset_ + RtpDumpHeader::kRecordHeaderSize, length)};
  offset_ += RtpDumpHeader::kRecordHeaderSize + length;
  return record;
}

}  // namespace ct::record
