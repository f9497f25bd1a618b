#pragma once
// The outbound stream of one subscription to a simulcast publication: one
// layer at a time, spliced into a single stream the browser decodes as if
// one encoder had made it. A switch happens only at a keyframe of the
// target layer; then the sequence numbers carry on from the last one sent,
// the RTP timestamp advances by the wall-clock time since the last packet,
// and VP8 PictureID (15 bits) and TL0PICIDX continue by one. Within a layer
// the numbering follows the publisher's by an offset, so real loss stays a
// gap the browser NACKs. VP8 packets of temporal layers above the
// subscription's maximum are dropped and the numbering closes over them
// (sequence numbers and PictureIDs), so the browser sees no loss.
//
// Fixed-size history rings map outbound numbers back to (layer, inbound
// number) for NACKs and inbound numbers to outbound ones for reordered
// packets: no allocation after construction, one thread.
#include <array>
#include <cstdint>
#include <optional>

#include "core/Clock.hpp"
#include "sfu/LayerPacket.hpp"

namespace ct::sfu {

class SimulcastRewriter {
 public:
  static constexpr int kNoLayer = -1;
  static constexpr uint8_t kAllTemporalLayers = 3;  // VP8 TID is 0..3

  struct Output {
    uint16_t sequence_number = 0;
    uint32_t timestamp = 0;
    std::optional<uint16_t> picture_id;  // write when the packet has a PictureID
    std::optional<uint8_t> tl0_pic_idx;  // write when the packet has a TL0PICIDX
  };
  // What an outbound number was made from, for a retransmission.
  struct Origin {
    int layer = kNoLayer;
    uint16_t inbound_sequence_number = 0;
    Output output;
  };

  // Random starts (RFC 3550 §5.1) for the outbound numbering; the first
  // layer's timestamps are moved by `timestamp_offset`.
  SimulcastRewriter(uint16_t first_sequence_number, uint32_t timestamp_offset, uint16_t first_picture_id,
                    uint32_t clock_rate);

  // The layer to send; kNoLayer pauses the stream. A new layer starts at its
  // next keyframe; until then the current one goes on.
  void set_target_layer(int layer);
  int target_layer() const { return target_; }
  int current_layer() const { return current_; }
  // Waiting for a keyframe of the target layer.
  bool switch_pending() const { return target_ != kNoLayer && target_ != current_; }
  void set_max_temporal_layer(uint8_t tid) { max_temporal_layer_ = tid; }
  // The source was held back (muted): start again at the target's next keyframe.
  void restart() { current_ = kNoLayer; }
  uint8_t max_temporal_layer() const { return max_temporal_layer_; }

  // The numbers for one inbound packet, or nullopt when it is not sent
  // (another layer, paused, waiting for a keyframe, a dropped temporal
  // layer, too old to place).
  std::optional<Output> rewrite(const LayerPacket& packet, TimePoint now);
  // The packet an outbound number carried, while it is in the history.
  std::optional<Origin> origin(uint16_t outbound_sequence_number) const;
  bool started() const { return started_; }
  uint16_t next_sequence_number() const { return next_out_; }

  struct Stats {
    uint64_t switches = 0;  // layer changes made (the first start is not one)
    uint64_t dropped_temporal = 0;
  };
  const Stats& stats() const { return stats_; }

  static bool is_newer(uint16_t a, uint16_t b) { return a != b && uint16_t(a - b) < 0x8000; }

 private:
  static constexpr size_t kHistory = 512;  // about 1.5 s of 3 Mbit/s video, as long as packets are kept
  enum class Fate : uint8_t { none, expected, sent, dropped };
  struct Inbound {  // by inbound number, current layer only (generation)
    uint32_t generation = 0;
    uint16_t in = 0;
    uint16_t out = 0;
    Fate fate = Fate::none;
  };
  struct Sent {  // by outbound number
    bool valid = false;
    int8_t layer = kNoLayer;
    uint16_t in = 0;
    Output output;
  };

  void start_layer(const LayerPacket& packet, TimePoint now);
  Output make_output(const LayerPacket& packet, uint16_t out) const;
  void note_sent(const LayerPacket& packet, const Output& output, TimePoint now);

  uint32_t clock_rate_;
  int target_ = kNoLayer;
  int current_ = kNoLayer;
  uint8_t max_temporal_layer_ = kAllTemporalLayers;
  bool started_ = false;
  uint32_t generation_ = 0;
  // Outbound = inbound + offset, within the current layer.
  uint16_t sequence_offset_ = 0;
  uint32_t timestamp_offset_;
  uint16_t picture_id_offset_;
  uint16_t first_picture_id_;
  uint8_t tl0_offset_ = 0;
  uint16_t highest_in_ = 0;
  std::optional<uint16_t> highest_picture_id_;  // inbound, current layer
  // The last packet sent, where a switch continues from.
  uint16_t next_out_;
  uint32_t last_timestamp_ = 0;
  TimePoint last_sent_at_{};
  uint16_t last_picture_id_ = 0;
  uint8_t last_tl0_ = 0;
  std::array<Inbound, kHistory> inbound_{};
  std::array<Sent, kHistory> sent_{};
  Stats stats_;
};

}  // namespace ct::sfu
