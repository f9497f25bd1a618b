// libFuzzer target for the SDP parser: whatever parses must serialize to text
// that parses back to the same model, and must survive negotiation and
// answer building.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sdp/DescriptionBuilder.hpp"
#include "sdp/Negotiation.hpp"
#include "sdp/SessionDescription.hpp"

using namespace ct::sdp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = SessionDescription::parse(text);
  if (!parsed) return 0;

  std::string serialized = parsed->serialize();
  auto again = SessionDescription::parse(serialized);
  if (!again) abort();                 // our own output must parse
  if (!(*again == *parsed)) abort();   // and keep everything

  static const CodecPolicy policy = CodecPolicy::defaults();
  auto negotiation = negotiate(*parsed, policy);
  if (!negotiation) return 0;

  TransportParams transport;
  transport.ice_ufrag = "fuzz";
  transport.ice_pwd = "0123456789abcdefghijkl";
  transport.fingerprint_sha256 = "AA:BB";
  auto answer = build_answer(*parsed, *negotiation, transport, [](const NegotiatedMedia& m) {
    return std::optional<LocalStream>(LocalStream{1, 2, "c", "s", m.mid});
  });
  auto answer_text = answer.serialize();
  auto answer_parsed = SessionDescription::parse(answer_text);
  if (!answer_parsed) abort();  // answers we write must be valid SDP
  return 0;
}
