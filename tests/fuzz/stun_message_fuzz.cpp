// libFuzzer target: StunMessage::parse, every getter, the integrity and
// fingerprint checks, and a builder round trip of whatever address decodes.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "stun/StunCredentials.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"

using namespace ct::stun;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  const bool looks = StunMessage::looks_like_stun(input);
  auto m = StunMessage::parse(input);
  if (!m) return 0;
  // Anything that parses passes the cheap demultiplexing test too.
  if (!looks) std::abort();

  (void)m->method();
  (void)m->message_class();
  for (const StunAttribute& a : m->attributes()) {
    if (a.offset + a.length > size) std::abort();
    (void)m->value(a);
    (void)m->decode_xor_address(a);
  }
  (void)m->username();
  (void)m->realm();
  (void)m->nonce();
  (void)m->software();
  (void)m->priority();
  (void)m->use_candidate();
  (void)m->ice_controlling();
  (void)m->ice_controlled();
  (void)m->mapped_address();
  (void)m->xor_peer_address();
  (void)m->xor_relayed_address();
  (void)m->error_code();
  (void)m->lifetime();
  (void)m->data();
  (void)m->channel_number();
  (void)m->requested_transport();
  (void)m->even_port();
  (void)m->reservation_token();
  (void)m->dont_fragment();
  (void)m->unknown_attributes();
  (void)m->unknown_comprehension_required();

  static const auto long_term = long_term_key("user", "realm", "password");
  (void)m->verify_message_integrity(short_term_key("fuzzPasswordFuzzPassword"));
  (void)m->verify_message_integrity(long_term);
  (void)m->verify_message_integrity_sha256(long_term);
  (void)m->verify_fingerprint();

  // Whatever address decodes must encode back to the same address.
  if (auto mapped = m->xor_mapped_address()) {
    std::vector<uint8_t> out;
    StunMessageBuilder b(out, m->method(), m->message_class(), m->transaction_id());
    b.add_xor_mapped_address(*mapped).add_message_integrity(long_term).add_fingerprint();
    auto again = StunMessage::parse(out);
    if (!again || again->xor_mapped_address() != mapped || !again->verify_message_integrity(long_term) ||
        !again->verify_fingerprint()) {
      std::abort();
    }
  }
  return 0;
}
