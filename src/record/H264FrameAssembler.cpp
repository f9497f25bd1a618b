#include "record/H264FrameAssembler.hpp"

#include <algorithm>

#include "rtp/H264Payload.hpp"

namespace ct::record {

namespace {
constexpr uint8_t kStartCode[] = {0, 0, 0, 1};  // Annex B §B.1.1, a zero_byte and the prefix
}  // namespace

H264FrameAssembler::H264FrameAssembler(Listener& listener, Limits limits)
    : listener_(listener),
      limits_{std::max<size_t>(limits.max_packets, 1), std::max<size_t>(limits.max_packet_bytes, 1),
              limits.max_wait_rtp},
      window_(limits_.max_packets, limits_.max_packet_bytes) {}

void H264FrameAssembler::push(uint16_t sequence_number, uint32_t timestamp, bool marker,
                              std::span<const uint8_t> payload) {
  if (payload.size() > limits_.max_packet_bytes || !rtp::H264Payload::parse(payload)) {
    ++stats_.invalid_packets;
    return;
  }
  const std::optional<int64_t> sequence =
      window_.insert(sequence_number, Packet{.timestamp = timestamp, .marker = marker}, payload,
                     [this] { return give_up_on_head(); });
  copy_window_counts();
  if (!sequence) return;
  drain();
  window_.drop_expired(limits_.max_wait_rtp, [this] { return give_up_on_head(); });
}

// Every push() ends drained, so what is left waits for a packet.
void H264FrameAssembler::finish() {
  window_.drop_all([this] { return give_up_on_head(); });
}

void H264FrameAssembler::copy_window_counts() {
  stats_.packets = window_.counts().stored;
  stats_.late_packets = window_.counts().late;
  stats_.duplicate_packets = window_.counts().duplicate;
}

bool H264FrameAssembler::give_up_on_head() {
  if (!drop_head_frame()) return false;
  drain();
  return true;
}

// Writes or skips every complete frame at the head, in order; stops at the
// first one still missing a packet.
void H264FrameAssembler::drain() {
  while (window_.head() <= window_.highest()) {
    const int64_t head = window_.head();
    const Packet* first = window_.slot_at(head);
    if (!first) return;  // a retransmission may still bring it
    for (int64_t last = head;; ++last) {
      if (last > window_.highest()) return;
      const Packet* slot = window_.slot_at(last);
      if (!slot) return;
      if (slot->timestamp != first->timestamp) {
        // The timestamp changed before a marker: the frame's end is lost
        // or it never had one. Either way it cannot be trusted.
        drop_head_frame();
        break;
      }
      if (slot->marker) {
        complete_frame(head, last);
        break;
      }
    }
  }
}

void H264FrameAssembler::append_nal(std::span<const uint8_t> nal) {
  frame_.insert(frame_.end(), std::begin(kStartCode), std::end(kStartCode));
  frame_.insert(frame_.end(), nal.begin(), nal.end());
}

void H264FrameAssembler::complete_frame(int64_t first, int64_t last) {
  const uint32_t timestamp = window_.slot_at(first)->timestamp;
  window_.advance_to(last + 1);
  // Keeps their capacity: no allocation once the largest frame was seen.
  frame_.clear();
  parameter_sets_.clear();
  bool malformed = false, in_fragment = false, idr = false, sps = false, pps = false;
  int first_nal_type = -1;
  auto note = [&](uint8_t type) {
    if (first_nal_type < 0) first_nal_type = type;
    idr |= type == rtp::h264_nal::kIdrSlice;
  };
  for (int64_t sequence = first; sequence <= last && !malformed; ++sequence) {
    const auto payload = rtp::H264Payload::parse(window_.data_at(sequence));
    if (!payload) {  // checked when stored
      malformed = true;
      break;
    }
    if (payload->kind == rtp::H264Payload::Kind::FuA) {
      // §5.8: S on the first fragment, E on the last, nothing else in between.
      if (payload->fragment_start == in_fragment) {
        malformed = true;
        break;
      }
      if (payload->fragment_start) {
        note(rtp::H264Payload::nal_type(payload->fragmented_nal_header));
        frame_.insert(frame_.end(), std::begin(kStartCode), std::end(kStartCode));
        frame_.push_back(payload->fragmented_nal_header);
      }
      frame_.insert(frame_.end(), payload->fragment.begin(), payload->fragment.end());
      in_fragment = !payload->fragment_end;
      continue;
    }
    if (in_fragment) {
      malformed = true;
      break;
    }
    payload->for_each_nal([&](std::span<const uint8_t> nal) {
      const uint8_t type = rtp::H264Payload::nal_type(nal[0]);
      note(type);
      append_nal(nal);
      if (type == rtp::h264_nal::kSps || type == rtp::h264_nal::kPps) {
        sps |= type == rtp::h264_nal::kSps;
        pps |= type == rtp::h264_nal::kPps;
        parameter_sets_.insert(parameter_sets_.end(), std::begin(kStartCode), std::end(kStartCode));
        parameter_sets_.insert(parameter_sets_.end(), nal.begin(), nal.end());
      }
    });
  }
  if (malformed || in_fragment) {
    ++stats_.malformed_frames;
    need_keyframe_ = true;
    return;
  }
  const bool starts_decoding =
      idr && sps && pps &&
      (first_nal_type == rtp::h264_nal::kSps || first_nal_type == rtp::h264_nal::kAccessUnitDelimiter);
  if (need_keyframe_ && !starts_decoding) {
    ++stats_.undecodable_frames;
    return;
  }
  need_keyframe_ = false;
  ++stats_.frames;
  listener_.on_h264_frame(H264Frame{timestamp, idr, frame_, parameter_sets_});
}

// Gives up on what the head waits for: the first buffered packet's frame
// and the missing sequence numbers around it, up to the next buffered
// packet of another timestamp. False when nothing is buffered.
bool H264FrameAssembler::drop_head_frame() {
  const std::optional<int64_t> first = window_.first_stored();
  if (!first) return false;
  const uint32_t timestamp = window_.slot_at(*first)->timestamp;
  if (dropped_timestamp_ != timestamp) ++stats_.incomplete_frames;
  dropped_timestamp_ = timestamp;
  need_keyframe_ = true;
  window_.advance_to(window_.timestamp_run_from(*first).end);
  return true;
}

}  // namespace ct::record
