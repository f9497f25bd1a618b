// libFuzzer target for what Janus sends a load participant: each input line
// is one Janus API message, fed to a publisher's and a subscriber's
// VideoRoom conversation after they asked to join. Whatever they pass on
// must be a /rtc-shaped message (an object with a string "type"), and every
// request they send Janus an object with a "janus" verb and a transaction.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "loadtest/JanusVideoRoomClient.hpp"

using namespace ct;
using namespace ct::loadtest;
using json = nlohmann::json;

namespace {

void check_request(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j["janus"].is_string() || !j["transaction"].is_string()) abort();
}

void check_event(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j["type"].is_string()) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  TimePoint now{};
  for (bool publisher : {true, false}) {
    JanusVideoRoomClient client(publisher, "fuzz", "fuzz-participant", check_request, check_event);
    client.on_participant_message(R"({"type":"join"})", now);
    size_t start = 0;
    while (start <= input.size()) {
      size_t end = input.find('\n', start);
      if (end == std::string_view::npos) end = input.size();
      client.on_janus_message(std::string(input.substr(start, end - start)), now);
      now += milliseconds(50);
      client.on_tick(now);
      start = end + 1;
    }
    client.on_participant_message(
        publisher ? R"({"type":"offer","sdp":"v=0"})" : R"({"type":"answer","sdp":"v=0"})", now);
    client.on_participant_message(R"({"type":"leave"})", now);
  }
  return 0;
}
