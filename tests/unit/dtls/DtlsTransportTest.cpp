#include "dtls/DtlsTransport.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "core/Encoding.hpp"

namespace ct::dtls {
namespace {

using Bytes = std::vector<uint8_t>;

const DtlsCertificate& client_certificate() {
  static const DtlsCertificate certificate;
  return certificate;
}
const DtlsCertificate& server_certificate() {
  static const DtlsCertificate certificate;
  return certificate;
}

struct Endpoint : DtlsTransport::Listener {
  std::deque<Bytes> outbox;
  size_t sent = 0;
  std::optional<KeyingMaterial> keys;
  int connected = 0;
  std::vector<std::string> failures;
  std::vector<Bytes> received;
  int closed = 0;

  void on_dtls_send(std::span<const uint8_t> datagram) override {
    outbox.emplace_back(datagram.begin(), datagram.end());
    ++sent;
  }
  void on_dtls_connected(const KeyingMaterial& k) override {
    keys = k;
    ++connected;
  }
  void on_dtls_failed(std::string_view reason) override { failures.emplace_back(reason); }
  void on_dtls_application_data(std::span<const uint8_t> data) override { received.emplace_back(data.begin(), data.end()); }
  void on_dtls_closed() override { ++closed; }
};

// A client and a server wired back to back through in-memory queues, with a
// clock the test moves by hand.
struct Pair {
  Endpoint client_side, server_side;
  DtlsTransport client, server;
  TimePoint now = TimePoint{} + seconds(1000);
  // Returns true to lose a datagram; sees the sender's role and its bytes.
  std::function<bool(Role, const Bytes&)> lose;

  explicit Pair(SrtpProfiles client_profiles = SrtpProfiles::All, SrtpProfiles server_profiles = SrtpProfiles::All,
                bool exchange_fingerprints = true)
      : client(client_certificate(), Role::Client, client_side, client_profiles),
        server(server_certificate(), Role::Server, server_side, server_profiles) {
    if (exchange_fingerprints) {
      EXPECT_TRUE(client.set_remote_fingerprint("sha-256", server_certificate().fingerprint_sha256()));
      EXPECT_TRUE(server.set_remote_fingerprint("sha-256", client_certificate().fingerprint_sha256()));
    }
  }

  void start() {
    server.start(now);
    client.start(now);
  }

  // Delivers queued datagrams both ways until both queues are empty.
  void pump() {
    for (int round = 0; round < 100; ++round) {
      if (client_side.outbox.empty() && server_side.outbox.empty()) return;
      deliver(client_side, Role::Client, server);
      deliver(server_side, Role::Server, client);
    }
    ADD_FAILURE() << "datagrams still flowing after 100 rounds";
  }

  void deliver(Endpoint& from, Role role, DtlsTransport& to) {
    while (!from.outbox.empty()) {
      Bytes datagram = std::move(from.outbox.front());
      from.outbox.pop_front();
      if (lose && lose(role, datagram)) continue;
      to.handle_datagram(datagram, now);
    }
  }

  // Moves the clock to the earliest deadline of either side and fires it.
  bool fire_next_timeout() {
    auto a = client.next_timeout(), b = server.next_timeout();
    if (!a && !b) return false;
    now = std::max(now, std::min(a.value_or(TimePoint::max()), b.value_or(TimePoint::max())));
    client.handle_timeout(now);
    server.handle_timeout(now);
    return true;
  }

  void expect_connected() {
    EXPECT_EQ(client.state(), DtlsTransport::State::Connected);
    EXPECT_EQ(server.state(), DtlsTransport::State::Connected);
    EXPECT_TRUE(client_side.failures.empty()) << client_side.failures.front();
    EXPECT_TRUE(server_side.failures.empty()) << server_side.failures.front();
    ASSERT_TRUE(client_side.keys);
    ASSERT_TRUE(server_side.keys);
  }
};

bool is_handshake(const Bytes& d) { return !d.empty() && d[0] == 22; }
// The first handshake message type in a datagram that starts with an
// epoch-0 handshake record.
int handshake_type(const Bytes& d) { return d.size() > 13 && d[0] == 22 && d[3] == 0 && d[4] == 0 ? d[13] : -1; }

TEST(DtlsTransport, HandshakeAgreesOnAeadGcmAndKeys) {
  Pair pair;
  pair.start();
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Connecting);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connecting);
  pair.pump();
  pair.expect_connected();
  const KeyingMaterial& c = *pair.client_side.keys;
  const KeyingMaterial& s = *pair.server_side.keys;
  EXPECT_EQ(c.srtp_profile, kSrtpAeadAes128Gcm);
  EXPECT_EQ(s.srtp_profile, kSrtpAeadAes128Gcm);
  EXPECT_EQ(c.local_key.size(), 16u);
  EXPECT_EQ(c.local_salt.size(), 12u);
  EXPECT_EQ(c.local_key, s.remote_key);
  EXPECT_EQ(c.local_salt, s.remote_salt);
  EXPECT_EQ(c.remote_key, s.local_key);
  EXPECT_EQ(c.remote_salt, s.local_salt);
  EXPECT_NE(c.local_key, c.remote_key);
  EXPECT_EQ(pair.client.negotiated_version(), "DTLSv1.2");
  EXPECT_EQ(pair.server.negotiated_version(), "DTLSv1.2");
  EXPECT_EQ(pair.server.negotiated_cipher(), "ECDHE-ECDSA-AES128-GCM-SHA256");
  EXPECT_EQ(pair.client.negotiated_cipher(), pair.server.negotiated_cipher());
  EXPECT_EQ(pair.client_side.connected, 1);
  EXPECT_EQ(pair.server_side.connected, 1);
  EXPECT_EQ(pair.client.dropped_datagrams(), 0u);
  EXPECT_EQ(pair.server.dropped_datagrams(), 0u);
  // No flight is waiting for an answer any more.
  EXPECT_FALSE(pair.client.next_timeout());
  EXPECT_FALSE(pair.server.next_timeout());
}

TEST(DtlsTransport, EveryDatagramFitsTheMtu) {
  Pair pair;
  size_t largest = 0;
  pair.lose = [&](Role, const Bytes& d) {
    largest = std::max(largest, d.size());
    return false;
  };
  pair.start();
  pair.pump();
  pair.expect_connected();
  EXPECT_LE(largest, size_t(DtlsTransport::kMtu));
}

TEST(DtlsTransport, KeyLayoutMatchesAPlainOpenSslPeer) {
  // A bare OpenSSL client (memory BIOs, its own export) against our server:
  // RFC 5764 §4.2 layout is client key | server key | client salt | server salt.
  Endpoint server_side;
  DtlsTransport server(server_certificate(), Role::Server, server_side);
  ASSERT_TRUE(server.set_remote_fingerprint("sha-256", client_certificate().fingerprint_sha256()));
  TimePoint now{};
  server.start(now);

  SSL* ssl = SSL_new(client_certificate().context(SrtpProfiles::All));
  ASSERT_NE(ssl, nullptr);
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in, -1);
  SSL_set_bio(ssl, in, out);
  SSL_set_connect_state(ssl);
  SSL_set_mtu(ssl, DtlsTransport::kMtu);  // the context says: do not ask the BIO
  for (int round = 0; round < 20 && server.state() != DtlsTransport::State::Connected; ++round) {
    SSL_do_handshake(ssl);
    // The memory BIO joins the client's datagrams; whole records stay whole.
    char* bytes = nullptr;
    long length = BIO_get_mem_data(out, &bytes);
    if (length > 0) {
      Bytes datagram(bytes, bytes + length);
      (void)BIO_reset(out);
      server.handle_datagram(datagram, now);
    }
    for (const Bytes& d : server_side.outbox) BIO_write(in, d.data(), int(d.size()));
    server_side.outbox.clear();
  }
  int result = SSL_do_handshake(ssl);
  EXPECT_EQ(result, 1) << "SSL_get_error " << SSL_get_error(ssl, result);
  ERR_clear_error();
  ASSERT_EQ(server.state(), DtlsTransport::State::Connected);
  ASSERT_TRUE(server_side.keys);
  const KeyingMaterial& keys = *server_side.keys;
  EXPECT_EQ(keys.srtp_profile, kSrtpAeadAes128Gcm);

  std::array<uint8_t, 56> material{};
  ASSERT_EQ(SSL_export_keying_material(ssl, material.data(), material.size(), "EXTRACTOR-dtls_srtp", 19, nullptr, 0, 0),
            1);
  auto part = [&](size_t offset, size_t length) { return Bytes(material.begin() + offset, material.begin() + offset + length); };
  EXPECT_EQ(keys.remote_key, part(0, 16));
  EXPECT_EQ(keys.local_key, part(16, 16));
  EXPECT_EQ(keys.remote_salt, part(32, 12));
  EXPECT_EQ(keys.local_salt, part(44, 12));
  SSL_free(ssl);
}

TEST(DtlsTransport, CmOnlyServerNegotiatesAesCm) {
  Pair pair(SrtpProfiles::All, SrtpProfiles::CmOnly);
  pair.start();
  pair.pump();
  pair.expect_connected();
  EXPECT_EQ(pair.client_side.keys->srtp_profile, kSrtpAes128CmHmacSha1_80);
  EXPECT_EQ(pair.server_side.keys->srtp_profile, kSrtpAes128CmHmacSha1_80);
  EXPECT_EQ(pair.client_side.keys->local_key.size(), 16u);
  EXPECT_EQ(pair.client_side.keys->local_salt.size(), 14u);
  EXPECT_EQ(pair.client_side.keys->local_salt, pair.server_side.keys->remote_salt);
  EXPECT_EQ(pair.client_side.keys->remote_key, pair.server_side.keys->local_key);
}

TEST(DtlsTransport, CmOnlyClientNegotiatesAesCm) {
  Pair pair(SrtpProfiles::CmOnly, SrtpProfiles::All);
  pair.start();
  pair.pump();
  pair.expect_connected();
  EXPECT_EQ(pair.server_side.keys->srtp_profile, kSrtpAes128CmHmacSha1_80);
  EXPECT_EQ(pair.server_side.keys->local_salt.size(), 14u);
  EXPECT_EQ(pair.client_side.keys->local_key, pair.server_side.keys->remote_key);
}

TEST(DtlsTransport, ClientRejectsServerWithWrongFingerprint) {
  DtlsCertificate stranger;
  Pair pair(SrtpProfiles::All, SrtpProfiles::All, false);
  ASSERT_TRUE(pair.client.set_remote_fingerprint("sha-256", stranger.fingerprint_sha256()));
  ASSERT_TRUE(pair.server.set_remote_fingerprint("sha-256", client_certificate().fingerprint_sha256()));
  pair.start();
  pair.pump();
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Failed);
  ASSERT_EQ(pair.client_side.failures.size(), 1u);
  EXPECT_NE(pair.client_side.failures[0].find("fingerprint"), std::string::npos) << pair.client_side.failures[0];
  EXPECT_FALSE(pair.client_side.keys);
  // The client's alert fails the server too, without keys.
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Failed);
  EXPECT_FALSE(pair.server_side.keys);
}

TEST(DtlsTransport, ServerRejectsClientWithWrongFingerprint) {
  DtlsCertificate stranger;
  Pair pair(SrtpProfiles::All, SrtpProfiles::All, false);
  ASSERT_TRUE(pair.client.set_remote_fingerprint("sha-256", server_certificate().fingerprint_sha256()));
  ASSERT_TRUE(pair.server.set_remote_fingerprint("sha-256", stranger.fingerprint_sha256()));
  pair.start();
  pair.pump();
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Failed);
  ASSERT_EQ(pair.server_side.failures.size(), 1u);
  EXPECT_NE(pair.server_side.failures[0].find("fingerprint"), std::string::npos) << pair.server_side.failures[0];
  EXPECT_FALSE(pair.server_side.keys);
  EXPECT_NE(pair.client.state(), DtlsTransport::State::Connected);
}

TEST(DtlsTransport, LowerCaseFingerprintAndOtherHashesWork) {
  auto fingerprint = [](const DtlsCertificate& cert, const EVP_MD* md) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    X509_digest(cert.certificate(), md, digest, &length);
    return to_colon_hex(std::span<const uint8_t>(digest, length));
  };
  std::string lower = server_certificate().fingerprint_sha256();
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });

  Pair pair(SrtpProfiles::All, SrtpProfiles::All, false);
  ASSERT_TRUE(pair.client.set_remote_fingerprint("SHA-256", lower));
  ASSERT_TRUE(pair.server.set_remote_fingerprint("sha-384", fingerprint(client_certificate(), EVP_sha384())));
  pair.start();
  pair.pump();
  pair.expect_connected();

  Pair sha1(SrtpProfiles::All, SrtpProfiles::All, false);
  ASSERT_TRUE(sha1.client.set_remote_fingerprint("sha-512", fingerprint(server_certificate(), EVP_sha512())));
  ASSERT_TRUE(sha1.server.set_remote_fingerprint("sha-1", fingerprint(client_certificate(), EVP_sha1())));
  sha1.start();
  sha1.pump();
  sha1.expect_connected();
}

TEST(DtlsTransport, MalformedFingerprintsAreRefusedAndFailTheHandshake) {
  Pair pair(SrtpProfiles::All, SrtpProfiles::All, false);
  EXPECT_FALSE(pair.server.set_remote_fingerprint("md5", client_certificate().fingerprint_sha256()));
  EXPECT_FALSE(pair.server.set_remote_fingerprint("sha-256", "AB:CD"));
  EXPECT_FALSE(pair.server.set_remote_fingerprint("sha-256", "not hex at all"));
  ASSERT_TRUE(pair.client.set_remote_fingerprint("sha-256", server_certificate().fingerprint_sha256()));
  pair.start();
  pair.pump();
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Failed);
  EXPECT_FALSE(pair.server_side.keys);
}

TEST(DtlsTransport, FingerprintArrivingAfterTheHandshakeReleasesTheKeys) {
  Pair pair(SrtpProfiles::All, SrtpProfiles::All, false);
  ASSERT_TRUE(pair.client.set_remote_fingerprint("sha-256", server_certificate().fingerprint_sha256()));
  pair.start();
  pair.pump();
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Connected);
  // The server finished the handshake but has not authenticated the client.
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connecting);
  EXPECT_FALSE(pair.server_side.keys);
  // Data from an unauthenticated peer is not delivered.
  const Bytes early = {1, 2, 3};
  EXPECT_TRUE(pair.client.send_application_data(early));
  pair.pump();
  EXPECT_TRUE(pair.server_side.received.empty());

  ASSERT_TRUE(pair.server.set_remote_fingerprint("sha-256", client_certificate().fingerprint_sha256()));
  pair.expect_connected();
  EXPECT_EQ(pair.server_side.keys->remote_key, pair.client_side.keys->local_key);
}

TEST(DtlsTransport, LateFingerprintMismatchFails) {
  DtlsCertificate stranger;
  Pair pair(SrtpProfiles::All, SrtpProfiles::All, false);
  ASSERT_TRUE(pair.client.set_remote_fingerprint("sha-256", server_certificate().fingerprint_sha256()));
  pair.start();
  pair.pump();
  ASSERT_EQ(pair.server.state(), DtlsTransport::State::Connecting);
  pair.server.set_remote_fingerprint("sha-256", stranger.fingerprint_sha256());
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Failed);
  EXPECT_FALSE(pair.server_side.keys);
}

TEST(DtlsTransport, LostServerFlightIsRecoveredByRetransmission) {
  Pair pair;
  bool lost_once = false;
  pair.lose = [&](Role from, const Bytes& d) {
    // The whole first server flight (ServerHello .. ServerHelloDone).
    if (from == Role::Server && !lost_once && is_handshake(d)) return true;
    return false;
  };
  pair.start();
  pair.pump();
  lost_once = true;
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Connecting);
  auto deadline = pair.client.next_timeout();
  ASSERT_TRUE(deadline);
  // RFC 6347 §4.2.4.1: the first retransmission comes after 1 s.
  EXPECT_EQ(*deadline, pair.now + DtlsTransport::kInitialRetransmitTimeout);
  for (int i = 0; i < 5 && pair.client.state() != DtlsTransport::State::Connected; ++i) {
    ASSERT_TRUE(pair.fire_next_timeout());
    pair.pump();
  }
  pair.expect_connected();
  EXPECT_EQ(pair.client_side.keys->local_key, pair.server_side.keys->remote_key);
}

TEST(DtlsTransport, LostFinalServerFlightIsRecovered) {
  Pair pair;
  bool lose_final = true;
  pair.lose = [&](Role from, const Bytes& d) {
    if (from != Role::Server || !lose_final) return false;
    // The server's last flight starts with ChangeCipherSpec (content type 20).
    return d[0] == 20;
  };
  pair.start();
  pair.pump();
  lose_final = false;
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connected);
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Connecting);
  ASSERT_TRUE(pair.fire_next_timeout());
  pair.pump();
  pair.expect_connected();
  EXPECT_EQ(pair.client_side.keys->remote_key, pair.server_side.keys->local_key);
}

TEST(DtlsTransport, ClientBacksOffThenGivesUp) {
  Pair pair;
  pair.start();
  pair.client_side.outbox.clear();  // nobody hears the ClientHello
  std::vector<Duration> gaps;
  TimePoint last = pair.now;
  while (pair.client.state() == DtlsTransport::State::Connecting) {
    auto next = pair.client.next_timeout();
    ASSERT_TRUE(next);
    ASSERT_GT(*next, pair.now);
    pair.now = *next;
    size_t sent = pair.client_side.sent;
    pair.client.handle_timeout(pair.now);
    if (pair.client_side.sent > sent) {
      gaps.push_back(pair.now - last);
      last = pair.now;
    }
    pair.client_side.outbox.clear();
  }
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Failed);
  ASSERT_EQ(pair.client_side.failures.size(), 1u);
  EXPECT_NE(pair.client_side.failures[0].find("timed out"), std::string::npos);
  EXPECT_EQ(pair.now, TimePoint{} + seconds(1000) + DtlsTransport::kHandshakeTimeout);
  // Sent at 0, 1, 3, 7 and 15 s; the next would be at 31 s, past the deadline.
  std::vector<Duration> expected = {seconds(1), seconds(2), seconds(4), seconds(8)};
  EXPECT_EQ(gaps, expected);
  EXPECT_FALSE(pair.client.next_timeout());
}

TEST(DtlsTransport, ServerThatHearsNothingTimesOut) {
  Pair pair;
  pair.server.start(pair.now);
  ASSERT_EQ(pair.server.next_timeout(), pair.now + DtlsTransport::kHandshakeTimeout);
  pair.server.handle_timeout(pair.now + seconds(29));
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connecting);
  pair.server.handle_timeout(pair.now + seconds(30));
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Failed);
  EXPECT_EQ(pair.server_side.failures.size(), 1u);
}

TEST(DtlsTransport, ApplicationDataBothWays) {
  Pair pair;
  const Bytes hello = {'h', 'i'};
  EXPECT_FALSE(pair.client.send_application_data(hello));  // not connected yet
  pair.start();
  pair.pump();
  pair.expect_connected();

  Bytes big(1100);
  for (size_t i = 0; i < big.size(); ++i) big[i] = uint8_t(i * 7);
  EXPECT_TRUE(pair.client.send_application_data(big));
  EXPECT_TRUE(pair.server.send_application_data(hello));
  EXPECT_TRUE(pair.server.send_application_data(big));
  EXPECT_FALSE(pair.server.send_application_data({}));
  EXPECT_FALSE(pair.server.send_application_data(Bytes(20000)));  // larger than a record
  // Application data travels in epoch 1 records.
  ASSERT_FALSE(pair.client_side.outbox.empty());
  EXPECT_EQ(pair.client_side.outbox.front()[0], 23);
  pair.pump();
  ASSERT_EQ(pair.server_side.received.size(), 1u);
  EXPECT_EQ(pair.server_side.received[0], big);
  ASSERT_EQ(pair.client_side.received.size(), 2u);
  EXPECT_EQ(pair.client_side.received[0], hello);
  EXPECT_EQ(pair.client_side.received[1], big);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connected);
}

TEST(DtlsTransport, ReplayedRecordIsIgnored) {
  Pair pair;
  pair.start();
  pair.pump();
  pair.expect_connected();
  const Bytes data = {9, 9, 9};
  ASSERT_TRUE(pair.client.send_application_data(data));
  Bytes record = pair.client_side.outbox.front();
  pair.pump();
  pair.server.handle_datagram(record, pair.now);  // RFC 6347 §4.1.2.6 replay
  EXPECT_EQ(pair.server_side.received.size(), 1u);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connected);
}

TEST(DtlsTransport, CloseNotifyReachesThePeer) {
  Pair pair;
  pair.start();
  pair.pump();
  pair.expect_connected();
  pair.client.close();
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Closed);
  ASSERT_EQ(pair.client_side.outbox.size(), 1u);
  EXPECT_EQ(pair.client_side.outbox.front()[0], 21);  // an alert record
  pair.pump();
  EXPECT_EQ(pair.server_side.closed, 1);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Closed);
  EXPECT_TRUE(pair.server_side.failures.empty());
  EXPECT_TRUE(pair.client_side.failures.empty());
  EXPECT_FALSE(pair.server.send_application_data(Bytes{1}));
  EXPECT_FALSE(pair.server.next_timeout());
}

TEST(DtlsTransport, GarbageAndTruncatedDatagramsAreDroppedAndCounted) {
  Pair pair;
  pair.start();
  ASSERT_EQ(pair.client_side.outbox.size(), 1u);
  const Bytes client_hello = pair.client_side.outbox.front();
  ASSERT_EQ(handshake_type(client_hello), 1);

  std::vector<Bytes> junk = {
      {},
      {22},
      {22, 0xFE, 0xFD},
      Bytes(13, 0),                                               // zero content type
      {22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2},  // length runs past the end
      Bytes(client_hello.begin(), client_hello.begin() + std::ptrdiff_t(client_hello.size() / 2)),
      Bytes(500, 0x41),
  };
  for (const Bytes& d : junk) pair.server.handle_datagram(d, pair.now);
  EXPECT_EQ(pair.server.dropped_datagrams(), junk.size());
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connecting);
  EXPECT_EQ(pair.server_side.sent, 0u);

  // The real ClientHello still works afterwards.
  pair.pump();
  pair.expect_connected();

  // And garbage after the handshake changes nothing either.
  for (const Bytes& d : junk) pair.client.handle_datagram(d, pair.now);
  EXPECT_EQ(pair.client.dropped_datagrams(), junk.size());
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Connected);
}

TEST(DtlsTransport, FirstHalfOfAFragmentedClientHelloWaitsForTheRest) {
  Pair pair;
  pair.start();
  Bytes client_hello = pair.client_side.outbox.front();
  pair.client_side.outbox.clear();
  // A record carrying only the first 28 body bytes as a proper fragment
  // (RFC 6347 §4.2.3: fragment_offset 0, fragment_length 28).
  Bytes cut(client_hello.begin(), client_hello.begin() + 13 + 12 + 28);
  cut[11] = 0;
  cut[12] = 12 + 28;
  cut[13 + 9] = 0;
  cut[13 + 10] = 0;
  cut[13 + 11] = 28;
  cut[10] = 5;  // its own record sequence number, or replay protection drops the whole one
  pair.server.handle_datagram(cut, pair.now);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connecting);
  EXPECT_EQ(pair.server_side.sent, 0u);
  pair.server.handle_datagram(client_hello, pair.now);
  pair.pump();
  pair.expect_connected();
}

TEST(DtlsTransport, InconsistentHandshakeLengthsFailCleanly) {
  Pair pair;
  pair.start();
  Bytes client_hello = pair.client_side.outbox.front();
  pair.client_side.outbox.clear();
  // The record is cut but the handshake header still claims the whole body.
  Bytes cut(client_hello.begin(), client_hello.begin() + 13 + 40);
  cut[11] = 0;
  cut[12] = 40;
  pair.server.handle_datagram(cut, pair.now);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Failed);
  EXPECT_EQ(pair.server_side.failures.size(), 1u);
  EXPECT_FALSE(pair.server_side.keys);
}

TEST(DtlsTransport, FatalAlertFailsTheHandshake) {
  Pair pair;
  pair.start();
  // Epoch 0 fatal handshake_failure alert (RFC 5246 §7.2).
  const Bytes alert = {21, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 5, 0, 2, 2, 40};
  pair.client.handle_datagram(alert, pair.now);
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Failed);
  ASSERT_EQ(pair.client_side.failures.size(), 1u);
  EXPECT_FALSE(pair.client.next_timeout());
  // Nothing more is accepted.
  pair.client.handle_datagram(alert, pair.now);
  EXPECT_EQ(pair.client_side.failures.size(), 1u);
}

TEST(DtlsTransport, ServerStartsOnItsFirstDatagram) {
  Pair pair;
  pair.client.start(pair.now);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::New);
  pair.pump();
  pair.expect_connected();
}

TEST(DtlsTransport, CloseBeforeConnectSendsNothing) {
  Pair pair;
  pair.client.close();
  EXPECT_EQ(pair.client.state(), DtlsTransport::State::Closed);
  pair.client.start(pair.now);
  EXPECT_EQ(pair.client_side.sent, 0u);
}

// A ClientHello shaped like Chromium's when it offers DTLS 1.3: legacy
// version DTLS 1.2, TLS 1.3 suites first, supported_versions {DTLS 1.3,
// DTLS 1.2} and a key_share. OpenSSL 3.0 must answer it with DTLS 1.2.
Bytes dtls13_capable_client_hello() {
  auto u16 = [](Bytes& b, size_t v) {
    b.push_back(uint8_t(v >> 8));
    b.push_back(uint8_t(v));
  };
  auto u24 = [](Bytes& b, size_t v) {
    b.push_back(uint8_t(v >> 16));
    b.push_back(uint8_t(v >> 8));
    b.push_back(uint8_t(v));
  };
  auto extension = [&](Bytes& out, uint16_t type, const Bytes& body) {
    u16(out, type);
    u16(out, body.size());
    out.insert(out.end(), body.begin(), body.end());
  };

  Bytes body;
  u16(body, 0xFEFD);                                     // legacy_version
  for (int i = 0; i < 32; ++i) body.push_back(uint8_t(i * 13 + 1));  // random
  body.push_back(0);                                      // legacy_session_id
  body.push_back(0);                                      // cookie
  const uint16_t suites[] = {0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xCCA9, 0xCCA8,
                             0xC009, 0xC013, 0xC00A, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035};
  u16(body, sizeof(suites));
  for (uint16_t s : suites) u16(body, s);
  body.push_back(1);  // compression methods: null
  body.push_back(0);

  Bytes ext;
  extension(ext, 0x0017, {});                                           // extended_master_secret
  extension(ext, 0xFF01, {0});                                          // renegotiation_info
  extension(ext, 0x000A, {0, 6, 0x00, 0x1D, 0x00, 0x17, 0x00, 0x18});  // supported_groups
  extension(ext, 0x000B, {1, 0});                                       // ec_point_formats
  extension(ext, 0x0023, {});                                           // session_ticket
  extension(ext, 0x000D, {0, 16, 4, 3, 8, 4, 4, 1, 5, 3, 8, 5, 5, 1, 8, 6, 6, 1});  // signature_algorithms
  extension(ext, 0x000E, {0, 4, 0x00, 0x07, 0x00, 0x01, 0});           // use_srtp: GCM, CM; no MKI
  Bytes key_share = {0, 36, 0x00, 0x1D, 0, 32};
  for (int i = 0; i < 32; ++i) key_share.push_back(uint8_t(9 + i));
  extension(ext, 0x0033, key_share);                                    // key_share (x25519)
  extension(ext, 0x002B, {4, 0xFE, 0xFC, 0xFE, 0xFD});                 // supported_versions
  u16(body, ext.size());
  body.insert(body.end(), ext.begin(), ext.end());

  Bytes handshake = {1};  // client_hello
  u24(handshake, body.size());
  u16(handshake, 0);  // message_seq
  u24(handshake, 0);  // fragment_offset
  u24(handshake, body.size());
  handshake.insert(handshake.end(), body.begin(), body.end());

  Bytes record = {22, 0xFE, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0};  // DTLS 1.0 record version, as browsers send
  u16(record, handshake.size());
  record.insert(record.end(), handshake.begin(), handshake.end());
  return record;
}

TEST(DtlsTransport, ServerSettlesOnDtls12WithADtls13CapableClientHello) {
  Pair pair;
  pair.server.start(pair.now);
  pair.server.handle_datagram(dtls13_capable_client_hello(), pair.now);
  EXPECT_EQ(pair.server.dropped_datagrams(), 0u);
  EXPECT_EQ(pair.server.state(), DtlsTransport::State::Connecting);
  ASSERT_TRUE(pair.server_side.failures.empty()) << pair.server_side.failures.front();
  ASSERT_FALSE(pair.server_side.outbox.empty());
  const Bytes& first = pair.server_side.outbox.front();
  ASSERT_EQ(handshake_type(first), 2);  // server_hello
  // server_version in the ServerHello body: DTLS 1.2.
  ASSERT_GT(first.size(), 13u + 12 + 2);
  EXPECT_EQ(first[13 + 12], 0xFE);
  EXPECT_EQ(first[13 + 12 + 1], 0xFD);
  EXPECT_TRUE(pair.server.next_timeout());
}

}  // namespace
}  // namespace ct::dtls
