#include "net/DatagramQueue.hpp"

#include <algorithm>
#include <cstring>

namespace ct::net {

DatagramQueue::DatagramQueue(size_t capacity) : capacity_(capacity) {}

bool DatagramQueue::push(std::span<const uint8_t> datagram, const SocketAddress& to) {
  if (size_ == capacity_ || datagram.size() > kMaxDatagram) return false;
  if (slots_.empty()) slots_.resize(capacity_);
  Slot& slot = slots_[(head_ + size_) % capacity_];
  std::memcpy(slot.bytes, datagram.data(), datagram.size());
  slot.length = datagram.size();
  slot.to = to;
  ++size_;
  return true;
}

DatagramQueue::Entry DatagramQueue::at(size_t i) const {
  const Slot& slot = slots_[(head_ + i) % capacity_];
  return {std::span<const uint8_t>(slot.bytes, slot.length), slot.to};
}

void DatagramQueue::pop(size_t n) {
  n = std::min(n, size_);
  head_ = size_ == n ? 0 : (head_ + n) % capacity_;
  size_ -= n;
}

void DatagramQueue::clear() {
  head_ = 0;
  size_ = 0;
}

}  // namespace ct::net
