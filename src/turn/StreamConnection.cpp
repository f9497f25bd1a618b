#include "turn/StreamConnection.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <system_error>
#include <vector>

#include "net/EventLoop.hpp"
#include "turn/ChannelData.hpp"
#include "turn/TlsServerContext.hpp"
#include "turn/TurnStats.hpp"

namespace ct::turn {

namespace {

// The largest frame (a STUN message of 20 + 65535 bytes) fits whole.
constexpr size_t kReceiveBuffer = 65536 + 64;
// Reads per wake-up before the loop serves others (about 1 MiB); the rest
// waits for the next turn.
constexpr int kReadRounds = 16;
// Registered once, edge-triggered, for both directions: EPOLLOUT then
// reports only the moment a full send buffer has room again, so no
// epoll_ctl is needed when a write blocks.
constexpr uint32_t kInterest = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

// OpenSSL's socket BIO writes with write(), which raises SIGPIPE on a
// connection the client reset; this one sends with MSG_NOSIGNAL (as the
// plain TCP path does), so a vanished client cannot stop the process.
int fd_of(BIO* bio) { return int(reinterpret_cast<intptr_t>(BIO_get_data(bio))); }

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

int socket_bio_write(BIO* bio, const char* data, int len) {
  BIO_clear_retry_flags(bio);
  const ssize_t n = ::send(fd_of(bio), data, size_t(len), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0 && would_block(errno)) BIO_set_retry_write(bio);
  return int(n);
}

int socket_bio_read(BIO* bio, char* data, int len) {
  BIO_clear_retry_flags(bio);
  const ssize_t n = ::recv(fd_of(bio), data, size_t(len), MSG_DONTWAIT);
  if (n < 0 && would_block(errno)) BIO_set_retry_read(bio);
  return int(n);
}

long socket_bio_ctrl(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

int socket_bio_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

struct BioMethodFree {
  void operator()(BIO_METHOD* method) const { BIO_meth_free(method); }
};

const BIO_METHOD* socket_bio_method() {
  static const std::unique_ptr<BIO_METHOD, BioMethodFree> method = [] {
    std::unique_ptr<BIO_METHOD, BioMethodFree> m(
        BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ciphertalk turn stream"));
    if (!m) throw std::runtime_error("TLS: cannot create the socket BIO method");
    BIO_meth_set_write(m.get(), socket_bio_write);
    BIO_meth_set_read(m.get(), socket_bio_read);
    BIO_meth_set_ctrl(m.get(), socket_bio_ctrl);
    BIO_meth_set_create(m.get(), socket_bio_create);
    return m;
  }();
  return method.get();
}

struct SslFree {
  void operator()(SSL* ssl) const { SSL_free(ssl); }
};

}  // namespace

struct StreamConnection::Impl final : net::EventLoop::Handler {
  StreamConnection& self;
  net::EventLoop& loop;
  int fd;
  FiveTuple tuple;
  std::unique_ptr<SSL, SslFree> ssl;
  Duration setup_timeout;
  uint64_t key = 0;
  bool registered = false;
  bool established = false;
  bool closed = false;
  // TLS after a fatal error: no close_notify.
  bool failed = false;
  // Waiting for the send buffer to have room.
  bool write_blocked = false;
  // TLS: a write needs the socket readable first, or a read needs it writable.
  bool write_wants_read = false;
  bool read_wants_write = false;
  net::EventLoop::TimerId setup_timer = 0;
  FrameHandler on_frame;
  CloseHandler on_closed;
  std::vector<uint8_t> rx;
  size_t rx_len = 0;
  std::vector<uint8_t> tx;
  size_t tx_offset = 0;
  uint64_t dropped = 0;
  Counter* send_drops;

  Impl(StreamConnection& s, net::EventLoop& l, int socket, const FiveTuple& t, const TlsServerContext* tls,
       Duration timeout, Counter* drops)
      : self(s),
        loop(l),
        fd(socket),
        tuple(t),
        setup_timeout(timeout),
        rx(kReceiveBuffer),
        send_drops(drops) {
    if (!tls) return;
    ssl.reset(SSL_new(tls->native()));
    BIO* bio = BIO_new(socket_bio_method());
    if (!ssl || !bio) {
      BIO_free(bio);
      ::close(fd);
      throw std::runtime_error("TLS: cannot create a connection");
    }
    BIO_set_data(bio, reinterpret_cast<void*>(intptr_t(fd)));
    SSL_set_bio(ssl.get(), bio, bio);  // one reference, owned by the SSL
    SSL_set_accept_state(ssl.get());
  }

  void on_events(uint32_t events) override {
    if (closed) return;
    if (ssl && !established) {
      handshake();
      if (closed || !established) return;
      // The handshake may have read the client's first messages with it.
      read_all(true);
      return;
    }
    if ((events & EPOLLOUT) || (write_wants_read && (events & EPOLLIN))) {
      write_blocked = false;
      flush();
      if (closed) return;
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) || (read_wants_write && (events & EPOLLOUT)))
      // Hang-up and errors: read to the end, which reports them.
      read_all(ssl || (events & (EPOLLRDHUP | EPOLLERR | EPOLLHUP)));
  }

  void set_established() {
    established = true;
    if (setup_timer != 0) loop.cancel(setup_timer);
    setup_timer = 0;
  }

  void handshake() {
    ERR_clear_error();
    const int r = SSL_accept(ssl.get());
    if (r == 1) {
      set_established();
      return;
    }
    const int error = SSL_get_error(ssl.get(), r);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;  // both directions are watched
    failed = true;
    close();
  }

  // Bytes read (> 0), 0 if none now, -1 at the end of the stream or on an error.
  ssize_t read_some(uint8_t* data, size_t size) {
    if (!ssl) {
      for (;;) {
        const ssize_t n = ::recv(fd, data, size, MSG_DONTWAIT);
        if (n > 0) return n;
        if (n == 0) return -1;
        if (errno == EINTR) continue;
        return would_block(errno) ? 0 : -1;
      }
    }
    ERR_clear_error();
    const int n = SSL_read(ssl.get(), data, int(std::min<size_t>(size, INT_MAX)));
    if (n > 0) {
      read_wants_write = false;
      return n;
    }
    switch (SSL_get_error(ssl.get(), n)) {
      case SSL_ERROR_WANT_READ:
        read_wants_write = false;
        return 0;
      case SSL_ERROR_WANT_WRITE:
        read_wants_write = true;
        return 0;
      case SSL_ERROR_ZERO_RETURN:
        return -1;  // close_notify
      default:
        failed = true;
        return -1;
    }
  }

  // Edge-triggered: reads until the socket (and, for TLS, OpenSSL's own
  // buffer) is empty, or for a bounded number of rounds, after which the
  // loop comes back next turn. For plain TCP a short read already shows
  // the socket empty, unless `to_the_end` (a hang-up to be seen).
  void read_all(bool to_the_end) {
    const TimePoint now = Clock::now();
    for (int round = 0; round < kReadRounds; ++round) {
      const size_t room = rx.size() - rx_len;
      const ssize_t n = read_some(rx.data() + rx_len, room);
      if (n < 0) return close();
      if (n == 0) return;
      rx_len += size_t(n);
      if (!process(now)) return close();
      if (closed) return;
      if (!to_the_end && size_t(n) < room) return;
    }
    loop.resume_next_turn(key);
  }

  // Hands every whole frame to the handler (RFC 8656 §3.1); false on a
  // framing error (neither STUN nor ChannelData), which ends the stream.
  bool process(TimePoint now) {
    size_t offset = 0;
    while (rx_len - offset >= 4 && !closed) {
      auto size = stream_frame_size(std::span<const uint8_t>(rx.data() + offset, 4));
      if (!size || *size > rx.size()) return false;
      if (rx_len - offset < *size) break;
      if (!established) set_established();
      on_frame(std::span<uint8_t>(rx.data() + offset, *size), self, now);
      offset += *size;
    }
    if (offset > 0) {
      std::memmove(rx.data(), rx.data() + offset, rx_len - offset);
      rx_len -= offset;
    }
    return true;
  }

  // Bytes written (> 0), 0 if the socket takes none now, -1 on an error.
  ssize_t write_some(const uint8_t* data, size_t size) {
    if (!ssl) {
      for (;;) {
        const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) return n;
        if (errno == EINTR) continue;
        return would_block(errno) ? 0 : -1;
      }
    }
    ERR_clear_error();
    const int n = SSL_write(ssl.get(), data, int(std::min<size_t>(size, INT_MAX)));
    if (n > 0) {
      write_wants_read = false;
      return n;
    }
    switch (SSL_get_error(ssl.get(), n)) {
      case SSL_ERROR_WANT_WRITE:
        write_wants_read = false;
        return 0;
      case SSL_ERROR_WANT_READ:
        write_wants_read = true;
        return 0;
      default:
        failed = true;
        return -1;
    }
  }

  void send(std::span<const uint8_t> message) {
    if (closed || !established || message.empty()) return;
    const size_t queued = tx.size() - tx_offset;
    if (queued + message.size() > kMaxQueuedToClient) {
      ++dropped;  // a stalled reader loses media, not memory
      if (send_drops) send_drops->add();
      return;
    }
    if (queued == 0 && !write_blocked) {
      // The common case: straight from the caller's buffer.
      const ssize_t n = write_some(message.data(), message.size());
      if (n < 0) return close();
      if (size_t(n) == message.size()) return;
      // The rest waits, in the queue (for TLS the same bytes, now moved,
      // which OpenSSL accepts with SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER).
      tx.assign(message.begin() + n, message.end());
      tx_offset = 0;
      write_blocked = true;
      return;
    }
    tx.insert(tx.end(), message.begin(), message.end());
    if (!write_blocked) flush();
  }

  void flush() {
    while (tx_offset < tx.size()) {
      const ssize_t n = write_some(tx.data() + tx_offset, tx.size() - tx_offset);
      if (n < 0) return close();
      if (n == 0) {
        write_blocked = true;
        // Drop what was written, so the queue's bound is the bytes pending.
        tx.erase(tx.begin(), tx.begin() + ptrdiff_t(tx_offset));
        tx_offset = 0;
        return;
      }
      tx_offset += size_t(n);
    }
    tx.clear();
    tx_offset = 0;
  }

  void shut() {
    if (setup_timer != 0) loop.cancel(setup_timer);
    setup_timer = 0;
    if (registered) loop.remove(key, fd);
    registered = false;
    ::close(fd);
    fd = -1;
  }

  void close() {
    if (closed) return;
    closed = true;
    if (ssl && established && !failed) {
      ERR_clear_error();
      SSL_shutdown(ssl.get());  // best effort: one try, no waiting
    }
    shut();
    tx.clear();
    tx_offset = 0;
    if (on_closed)
      loop.defer([connection = self.shared_from_this()] { connection->impl_->on_closed(*connection); });
  }
};

StreamConnection::StreamConnection(net::EventLoop& loop, int fd, const FiveTuple& tuple,
                                   const TlsServerContext* tls, Duration setup_timeout, Counter* send_drops)
    : impl_(std::make_unique<Impl>(*this, loop, fd, tuple, tls, setup_timeout, send_drops)) {}

StreamConnection::~StreamConnection() {
  if (!impl_->closed) impl_->shut();
}

void StreamConnection::start(FrameHandler on_frame, CloseHandler on_closed) {
  auto& s = *impl_;
  if (s.closed || s.registered) return;
  s.on_frame = std::move(on_frame);
  s.on_closed = std::move(on_closed);
  s.setup_timer = s.loop.call_after(s.setup_timeout, [weak = weak_from_this()] {
    if (auto connection = weak.lock()) {
      connection->impl_->setup_timer = 0;
      if (!connection->impl_->established) connection->close();
    }
  });
  // Already-arrived bytes (and, for TLS, the writable socket that lets the
  // handshake start) are reported at once by EPOLL_CTL_ADD.
  s.key = s.loop.add(s.fd, s, kInterest);
  s.registered = true;
}

void StreamConnection::close() { impl_->close(); }

const FiveTuple& StreamConnection::tuple() const { return impl_->tuple; }
bool StreamConnection::is_open() const { return !impl_->closed; }
bool StreamConnection::established() const { return impl_->established; }
size_t StreamConnection::queued_bytes() const { return impl_->tx.size() - impl_->tx_offset; }
uint64_t StreamConnection::dropped_messages() const { return impl_->dropped; }

void StreamConnection::send_to_client(std::span<const uint8_t> message) { impl_->send(message); }

}  // namespace ct::turn
