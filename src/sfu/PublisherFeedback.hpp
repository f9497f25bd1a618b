#pragma once
// Where a publication's RTCP to its publisher goes (keyframe requests, NACKs)
// when the publisher is not a browser on this node: a track that arrives
// from another node over a cascade link asks that node instead.
#include <cstddef>
#include <cstdint>
#include <span>

namespace ct::sfu {

class PublisherFeedback {
 public:
  virtual ~PublisherFeedback() = default;
  // One plain RTCP compound, the first `length` bytes of `buffer` (which the
  // sender may protect in place). False when it could not be sent.
  virtual bool send_rtcp(std::span<uint8_t> buffer, size_t length) = 0;
};

}  // namespace ct::sfu
