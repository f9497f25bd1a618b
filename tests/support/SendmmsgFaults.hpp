#pragma once
// A full socket send buffer cannot be produced on loopback (the kernel frees
// each datagram's buffer space as it hands it over), so tests of the send
// paths stand in for the kernel's sendmmsg: it can send only part of a
// batch, or refuse with EAGAIN, as a socket with a full send buffer does.
// Defines sendmmsg for the whole test binary: include it in one file of a
// binary only.
#include <dlfcn.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>

namespace ct::test {

struct SendmmsgFaults {
  std::atomic<int> partial{0};      // calls that send only their first message
  std::atomic<int> eagain{0};       // calls that fail with EAGAIN
  std::atomic<bool> full{false};    // every call fails with EAGAIN
  std::atomic<int> refused{0};      // calls failed so far
  std::atomic<int> then_eagain{0};  // calls failing with EAGAIN after the next partial one
};

inline SendmmsgFaults g_sendmmsg;

}  // namespace ct::test

extern "C" int sendmmsg(int fd, struct mmsghdr* messages, unsigned int count, int flags) {
  using Real = int (*)(int, struct mmsghdr*, unsigned int, int);
  static const auto real = reinterpret_cast<Real>(::dlsym(RTLD_NEXT, "sendmmsg"));
  auto& f = ct::test::g_sendmmsg;
  if (f.full || f.eagain.fetch_sub(1) > 0) {
    ++f.refused;
    errno = EAGAIN;
    return -1;
  }
  f.eagain = std::max(0, f.eagain.load());
  if (f.partial.fetch_sub(1) > 0 && count > 1) {
    count = 1;
    f.eagain += f.then_eagain.exchange(0);
  }
  f.partial = std::max(0, f.partial.load());
  return real(fd, messages, count, flags);
}
