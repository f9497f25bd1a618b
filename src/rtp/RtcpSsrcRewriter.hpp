#pragma once
// Rewrites the SSRC fields of a compound RTCP datagram in place, to move
// feedback and reports between a publisher's and a subscriber's SSRC
// spaces. Fields visited: SR/RR sender and report block SSRCs (RFC 3550
// §6.4), SDES chunk SSRCs (§6.5), BYE SSRCs (§6.6), the sender and media
// SSRCs of every RTPFB/PSFB message (RFC 4585 §6.1), FIR entry SSRCs
// (RFC 5104 §4.3.1) and REMB's SSRC list. The unused media SSRC of FIR and
// REMB (always 0) and packets of other types are left alone.
#include <cstdint>
#include <span>

#include "core/Endian.hpp"

namespace ct::rtp {

// A non-owning callable reference, so the walk over the packets is compiled
// once and no std::function is created per datagram.
class RtcpSsrcFieldVisitor {
 public:
  template <class F>
  explicit RtcpSsrcFieldVisitor(F& f)
      : context_(&f), call_([](void* context, uint8_t* field) { (*static_cast<F*>(context))(field); }) {}
  void operator()(uint8_t* field) const { call_(context_, field); }

 private:
  void* context_;
  void (*call_)(void*, uint8_t*);
};

// Calls `visit` with a pointer to each 4-byte SSRC field. Returns false if
// the datagram, or a packet of a known type in it, is malformed; fields of
// the well-formed packets before it are still visited.
bool visit_rtcp_ssrc_fields(std::span<uint8_t> compound, RtcpSsrcFieldVisitor visit);

// `map` is a callable uint32_t(uint32_t) giving the new SSRC for an old one.
template <class F>
bool rewrite_rtcp_ssrcs(std::span<uint8_t> compound, F&& map) {
  auto rewrite = [&map](uint8_t* field) { store_u32(field, map(load_u32(field))); };
  return visit_rtcp_ssrc_fields(compound, RtcpSsrcFieldVisitor(rewrite));
}

}  // namespace ct::rtp
