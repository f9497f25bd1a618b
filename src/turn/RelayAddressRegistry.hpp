#pragma once
// The local addresses of the relay sockets the TURN server has open, for
// other threads to ask "is this peer one of our relays?": a media session
// whose remote address is one of them reaches the SFU through our TURN
// server, so its candidate type is "relay" (RFC 8445 §5.1.1.2). Written on
// the TURN thread as sockets open and close, read from any thread; one
// mutex, never held on the media path (only stats requests ask).
#include <mutex>
#include <unordered_map>

#include "net/SocketAddress.hpp"

namespace ct::turn {

class RelayAddressRegistry {
 public:
  // A socket bound to `local`; an unspecified IP (0.0.0.0, ::) stands for
  // every address of the machine on that port. Counted: the same address
  // may be added again before its first socket's removal.
  void add(const net::SocketAddress& local);
  void remove(const net::SocketAddress& local);
  // Whether packets from `remote` come from one of the open relay sockets.
  bool contains(const net::SocketAddress& remote) const;
  size_t size() const;

 private:
  mutable std::mutex mutex_;
  std::unordered_map<net::SocketAddress, unsigned> open_;
};

}  // namespace ct::turn
