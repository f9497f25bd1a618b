// libFuzzer target: RtpDumpReader over any bytes, and the RTP parse of every
// record it returns (what `recover` does with them). Records must lie inside
// the input, one after another, with lengths an RTP packet can have; the
// reading must end at the end, at a truncated record or at garbage, exactly
// one of them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "record/RtpDumpReader.hpp"
#include "rtp/RtpPacket.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ct::record::RtpDumpHeader;
  const std::span<const uint8_t> input(data, size);
  auto reader = ct::record::RtpDumpReader::open(input);
  if (!reader) return 0;
  size_t offset = reader->header().header_size;
  if (offset < RtpDumpHeader::kSize || offset > size) std::abort();
  if (reader->header().codec.size() > RtpDumpHeader::kCodecNameSize) std::abort();
  std::vector<uint8_t> packet;
  while (auto record = reader->next()) {
    if (record->packet.data() != data + offset + RtpDumpHeader::kRecordHeaderSize) std::abort();
    if (record->packet.size() < RtpDumpHeader::kMinPacketSize ||
        record->packet.size() > RtpDumpHeader::kMaxPacketSize)
      std::abort();
    offset += RtpDumpHeader::kRecordHeaderSize + record->packet.size();
    if (offset > size || reader->offset() != offset) std::abort();
    packet.assign(record->packet.begin(), record->packet.end());
    if (auto rtp = ct::rtp::RtpPacket::parse(packet)) {
      if (rtp->payload().size() > packet.size()) std::abort();
    }
  }
  const int endings = int(reader->at_end()) + int(reader->truncated()) + int(reader->corrupt());
  if (endings != 1) std::abort();
  if (reader->at_end() != (offset == size)) std::abort();
  return 0;
}
