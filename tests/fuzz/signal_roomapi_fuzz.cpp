// libFuzzer target: the room service API's request bodies and paths
// (signal/RoomApiRequest, RoomServiceApi::target_of). The first byte picks
// the parser; the rest is the body (or the path).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "signal/RoomApiRequest.hpp"
#include "signal/RoomServiceApi.hpp"
#include "signal/RoomSettingsJson.hpp"

using ct::signal::RoomApiRequest;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 6) {
    case 0: {
      auto r = RoomApiRequest::create_room(body);
      if (auto* c = std::get_if<RoomApiRequest::CreateRoom>(&r)) {
        if (!RoomApiRequest::valid_name(c->name)) __builtin_trap();
      }
      break;
    }
    case 1:
      (void)RoomApiRequest::update_participant(body);
      break;
    case 2:
      (void)RoomApiRequest::mute_track(body);
      break;
    case 3: {
      auto r = RoomApiRequest::send_data(body);
      if (auto* d = std::get_if<RoomApiRequest::SendData>(&r)) {
        if (d->payload.size() > 15 * 1024 || d->destinations.size() > 255) __builtin_trap();
      }
      break;
    }
    case 4:
      (void)ct::signal::RoomServiceApi::target_of(std::string("/api/rooms/") + std::string(body));
      break;
    case 5: {
      // What update_room accepts applies to any room's settings without a refusal.
      auto r = RoomApiRequest::update_room(body);
      if (auto* u = std::get_if<RoomApiRequest::UpdateRoom>(&r)) {
        ct::sfu::RoomSettings settings;
        if (ct::signal::RoomSettingsJson::read(u->settings, settings)) __builtin_trap();
      }
      break;
    }
  }
  return 0;
}
