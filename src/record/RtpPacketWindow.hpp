#pragma once
// The reorder window that a frame assembler keeps for one RTP stream: its
// packets stored by extended sequence number (RFC 3550 A.1, so the 16-bit
// wrap is no edge), from the head (the oldest sequence number whose frame
// is not yet written or dropped) up to the highest one stored. The window
// knows nothing of frames: the assembler reads the packets at the head,
// decides by its codec's rules what makes a frame, and advances the head
// past what it wrote or gave up on.
//
// Until the head first advances, an earlier packet may still move it back:
// the first packets of a stream can arrive out of order too. After that, a
// packet before the head is late. A packet whose sequence number is still
// stored is a duplicate. Both are counted and not stored.
//
// Memory is fixed at construction: `max_packets` slots and one arena of
// `max_packet_bytes` per slot. Single-threaded, like the media path.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ct::record {

class RtpPacketWindow {
 public:
  // One stored packet: its RTP header fields and what the codec's payload
  // format says about it (H.264 leaves the codec fields false).
  struct Packet {
    int64_t sequence = -1;  // extended sequence number; another value means empty
    uint32_t timestamp = 0;
    uint32_t size = 0;
    bool marker = false;
    bool starts_frame = false;
    bool keyframe = false;
  };

  struct Counts {
    uint64_t stored = 0;
    uint64_t duplicate = 0;  // a copy of one still stored
    uint64_t late = 0;       // before the head once it advanced, or a window or more behind the highest
  };

  // The packets from `first` up to `end` (exclusive) that share its
  // timestamp, missing ones between them included.
  struct TimestampRun {
    int64_t end = 0;         // the first stored packet of another timestamp, or highest() + 1
    bool contiguous = true;  // no sequence number in the run is missing
    bool marked = false;     // a packet in the run has the marker bit
  };

  RtpPacketWindow(size_t max_packets, size_t max_packet_bytes);

  // The extended sequence number of a packet: the nearer candidate around
  // the highest one stored, across the wrap (RFC 3550 A.1). The first
  // packet's lies far from zero, so the head may still move back.
  int64_t extend(uint16_t sequence_number) const;

  // Where the packet goes, or nothing when it is late or a duplicate (then
  // counted). The first packet starts the window; an earlier one before the
  // head first advances moves the head back to it. A later one may lie
  // past the window: make room for it before store().
  std::optional<int64_t> admit(uint16_t sequence_number);

  // Stores a packet that admit() let in, copying `data`. False, and nothing
  // stored, when `data` is larger than max_packet_bytes or `sequence` lies
  // outside the window.
  bool store(int64_t sequence, Packet packet, std::span<const uint8_t> data);

  // admit(), make_room_for() and store() in one: the packet's extended
  // sequence number when it was stored. Data larger than max_packet_bytes
  // is refused first, before anything moves.
  template <class GiveUp>
  std::optional<int64_t> insert(uint16_t sequence_number, const Packet& packet, std::span<const uint8_t> data,
                                GiveUp&& give_up) {
    if (data.size() > max_packet_bytes_) return std::nullopt;
    const std::optional<int64_t> sequence = admit(sequence_number);
    if (!sequence) return std::nullopt;
    make_room_for(*sequence, give_up);
    if (!store(*sequence, packet, data)) return std::nullopt;
    return sequence;
  }

  // True when `sequence` lies within head() + max_packets.
  bool has_room_for(int64_t sequence) const { return sequence - head_ < int64_t(slots_.size()); }

  // Gives up on the frames at the head until `sequence` fits: `give_up`
  // drops the head frame (advancing the head) and returns false when nothing
  // is stored; then the head jumps so that `sequence` is the window's last.
  template <class GiveUp>
  void make_room_for(int64_t sequence, GiveUp&& give_up) {
    while (!has_room_for(sequence)) {
      if (!give_up()) {
        head_ = sequence - int64_t(slots_.size()) + 1;  // nothing left stored
        return;
      }
    }
  }

  // Gives up on the frames at the head while the highest packet's timestamp
  // is more than `max_wait_rtp` past the first stored one's: a
  // retransmission would have come by now. 0 waits for the window only.
  template <class GiveUp>
  void drop_expired(uint32_t max_wait_rtp, GiveUp&& give_up) {
    while (head_expired(max_wait_rtp) && give_up()) {
    }
  }

  // Gives up on everything still stored, frame by frame: the stream ended.
  template <class GiveUp>
  void drop_all(GiveUp&& give_up) {
    while (started_ && head_ <= highest_ && give_up()) {
    }
  }

  bool head_expired(uint32_t max_wait_rtp) const;

  // The stored packet at `sequence`, or null.
  const Packet* slot_at(int64_t sequence) const;
  // The stored packet's data; valid until the slot is stored again.
  std::span<const uint8_t> data_at(int64_t sequence) const;
  // The first stored packet at or after the head, or nothing.
  std::optional<int64_t> first_stored() const;
  TimestampRun timestamp_run_from(int64_t first) const;

  // Moves the head forward past written or dropped packets; from then on
  // the head no longer moves back.
  void advance_to(int64_t sequence);

  int64_t head() const { return head_; }
  int64_t highest() const { return highest_; }
  bool started() const { return started_; }
  bool anchored() const { return anchored_; }
  size_t capacity() const { return slots_.size(); }
  size_t max_packet_bytes() const { return max_packet_bytes_; }
  const Counts& counts() const { return counts_; }

 private:
  size_t index_of(int64_t sequence) const { return size_t(sequence) % slots_.size(); }

  size_t max_packet_bytes_;
  std::vector<Packet> slots_;
  std::vector<uint8_t> arena_;
  Counts counts_;
  bool started_ = false;
  bool anchored_ = false;
  int64_t head_ = 0;
  int64_t highest_ = 0;
};

}  // namespace ct::record
