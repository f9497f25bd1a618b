#pragma once
// A bounded first-in first-out queue of datagrams and their destinations:
// what a UDP socket keeps, in order, while the kernel's send buffer is full.
// The storage (capacity × kMaxDatagram) is allocated on the first push, so
// sockets that never block pay nothing, and one that does allocates once.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "net/SocketAddress.hpp"

namespace ct::net {

class DatagramQueue {
 public:
  static constexpr size_t kMaxDatagram = 1500;

  struct Entry {
    std::span<const uint8_t> bytes;
    const SocketAddress& to;
  };

  explicit DatagramQueue(size_t capacity);

  // Copies the datagram in; false (nothing stored) when the queue is full or
  // the datagram is larger than kMaxDatagram.
  bool push(std::span<const uint8_t> datagram, const SocketAddress& to);
  // The i-th datagram from the front (i < size()); valid until the next pop or clear.
  Entry at(size_t i) const;
  // Drops the first n (at most size()).
  void pop(size_t n = 1);
  void clear();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  size_t capacity() const { return capacity_; }

 private:
  struct Slot {
    uint8_t bytes[kMaxDatagram];
    size_t length;
    SocketAddress to;
  };
  std::vector<Slot> slots_;
  size_t capacity_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace ct::net
