// libFuzzer target: DcepMessage::parse, and a serialize/parse round trip of
// whatever DATA_CHANNEL_OPEN decodes.
#include <cstdint>
#include <cstdlib>
#include <span>

#include "sctp/DcepMessage.hpp"

using namespace ct::sctp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  DcepError error = DcepError::None;
  auto message = DcepMessage::parse(std::span<const uint8_t>(data, size), &error);
  if (!message) {
    if (error == DcepError::None) std::abort();
    return 0;
  }
  if (error != DcepError::None) std::abort();
  if (message->type == DcepMessageType::Ack) return 0;

  const ChannelInfo& info = message->open;
  if (!is_known_channel_type(uint8_t(info.type))) std::abort();
  if (DcepMessage::kOpenHeaderSize + info.label.size() + info.protocol.size() > size) std::abort();
  auto bytes = DcepMessage::serialize_open(info);
  if (!bytes) std::abort();
  auto again = DcepMessage::parse(*bytes);
  if (!again || again->type != DcepMessageType::Open || !(again->open == info)) std::abort();
  return 0;
}
