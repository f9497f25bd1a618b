#pragma once
// A bounded single-producer, single-consumer ring of packets: the media
// thread copies each packet in, a recording writer thread takes them out.
// No lock, no allocation and no system call on either side after
// construction; the two sides share only the write and read counters.
//
// Memory is fixed: `slots` (rounded up to a power of two) copies of at most
// `slot_bytes` each, plus 16 bytes of size and arrival time per slot. When
// every slot is taken, push() refuses the packet: the producer never waits
// for the consumer.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace ct::record {

class SpscPacketRing {
 public:
  enum class PushResult : uint8_t { Ok, Full, TooLarge };

  SpscPacketRing(size_t slots, size_t slot_bytes);
  SpscPacketRing(const SpscPacketRing&) = delete;
  SpscPacketRing& operator=(const SpscPacketRing&) = delete;

  // Producer side.
  PushResult push(std::span<const uint8_t> packet, int64_t arrival_ns) {
    if (packet.size() > slot_bytes_) return PushResult::TooLarge;
    const uint64_t write = write_.load(std::memory_order_relaxed);
    if (write - cached_read_ >= slots_) {
      // Only a ring that looks full reads the consumer's counter.
      cached_read_ = read_.load(std::memory_order_acquire);
      if (write - cached_read_ >= slots_) return PushResult::Full;
    }
    const size_t slot = size_t(write) & mask_;
    __builtin_memcpy(data_.get() + slot * slot_bytes_, packet.data(), packet.size());
    meta_[slot] = Meta{arrival_ns, uint32_t(packet.size())};
    write_.store(write + 1, std::memory_order_release);
    // The next slot was last written a whole ring ago and is cold: start
    // fetching as much of it as this packet took, so that the next copy
    // (microseconds away) finds it in the cache instead of waiting on it.
    const uint8_t* next = data_.get() + (size_t(write + 1) & mask_) * slot_bytes_;
    for (size_t offset = 0; offset < packet.size(); offset += 64) __builtin_prefetch(next + offset, 1, 3);
    return PushResult::Ok;
  }

  // Consumer side: calls `take(std::span<uint8_t> packet, int64_t
  // arrival_ns)` for up to `max` packets in the order they were pushed;
  // the span is valid during the call. Returns how many were taken.
  template <typename Take>
  size_t consume(Take&& take, size_t max = SIZE_MAX) {
    uint64_t read = read_.load(std::memory_order_relaxed);
    const uint64_t write = write_.load(std::memory_order_acquire);
    size_t taken = 0;
    for (; read != write && taken < max; ++taken) {
      const size_t slot = size_t(read) & mask_;
      take(std::span<uint8_t>(data_.get() + slot * slot_bytes_, meta_[slot].size), meta_[slot].arrival_ns);
      // The slot is the producer's again.
      read_.store(++read, std::memory_order_release);
    }
    return taken;
  }

  size_t capacity() const { return slots_; }
  size_t slot_bytes() const { return slot_bytes_; }
  // Bytes held for the ring's lifetime.
  size_t memory_bytes() const { return slots_ * (slot_bytes_ + sizeof(Meta)); }
  // Packets waiting; exact only on the consumer side.
  size_t size() const {
    return size_t(write_.load(std::memory_order_acquire) - read_.load(std::memory_order_acquire));
  }

 private:
  struct Meta {
    int64_t arrival_ns = 0;
    uint32_t size = 0;
  };

  const size_t slots_;
  const size_t mask_;
  const size_t slot_bytes_;
  std::unique_ptr<uint8_t[]> data_;
  std::unique_ptr<Meta[]> meta_;
  // Each side's counter on its own cache line, so the producer's stores do
  // not keep invalidating the consumer's line and back.
  alignas(64) std::atomic<uint64_t> write_{0};
  uint64_t cached_read_ = 0;  // the producer's last look at read_
  alignas(64) std::atomic<uint64_t> read_{0};
};

}  // namespace ct::record
