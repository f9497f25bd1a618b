// libFuzzer target: webhook bodies made from any client-given strings
// (identity, name, metadata, track name, room name: whatever bytes a token
// or a signaling message carried). Every body must be valid JSON that reads
// back the event's name and id, and a string that was valid UTF-8 must come
// back unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/WebhookEvent.hpp"

namespace {

// Splits the input at NUL bytes into up to `n` fields.
std::vector<std::string> fields(std::string_view in, size_t n) {
  std::vector<std::string> out(n);
  for (size_t i = 0; i < n && !in.empty(); ++i) {
    size_t end = in.find('\0');
    out[i] = std::string(in.substr(0, end));
    in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
  }
  return out;
}

bool valid_utf8(const std::string& s) {
  try {
    (void)nlohmann::json(s).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using Kind = ct::sfu::RoomActivity::Kind;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto f = fields(in, 6);
  ct::sfu::RoomActivity a;
  a.kind = Kind(data[0] % 7);
  a.room = f[0];
  a.participant.identity = f[1];
  a.participant.name = f[2];
  a.participant.metadata = f[3];
  a.track.name = f[4];
  a.reason = f[5];
  a.recording_id = f[5];
  const auto event = ct::webhook::WebhookEvent::from_activity(a);
  const auto body = nlohmann::json::parse(event.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || body["event"] != event.event || body["id"] != event.id) std::abort();
  if (valid_utf8(a.room) && body["room"]["name"] != a.room) std::abort();
  if (event.room != a.room) std::abort();
  if (a.kind == Kind::participant_joined && valid_utf8(a.participant.name) &&
      body["participant"]["name"] != a.participant.name)
    std::abort();
  return 0;
}
