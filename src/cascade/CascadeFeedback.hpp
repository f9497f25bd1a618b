#pragma once
// What a node's subscribers of a remote track ask of its origin, read off
// the link's RTCP: picture loss (PLI, RFC 4585 §6.3.1) and full intra
// requests (FIR, RFC 5104 §4.3.1) are keyframe requests for a media SSRC,
// generic NACKs (RFC 4585 §6.2.1) name lost sequence numbers. The origin
// answers NACKs from its retransmission buffer and passes keyframe requests
// to the publisher; anything else in the compound is ignored.
#include <cstdint>
#include <span>

namespace ct::cascade {

class CascadeFeedbackHandler {
 public:
  virtual ~CascadeFeedbackHandler() = default;
  virtual void on_keyframe_request(uint32_t media_ssrc) = 0;
  virtual void on_nack(uint32_t media_ssrc, uint16_t sequence_number) = 0;
};

// Hands every request in `compound` to `handler`. False when the compound
// is malformed; the requests before the malformed packet were handed on.
bool read_cascade_feedback(std::span<const uint8_t> compound, CascadeFeedbackHandler& handler);

}  // namespace ct::cascade
