// Feeds arbitrary datagrams to a server-role DtlsTransport. The input is cut
// into datagrams at every kSeparator. If the first byte is odd, a real
// ClientHello goes first so the later datagrams meet a server mid-handshake.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dtls/DtlsCertificate.hpp"
#include "dtls/DtlsTransport.hpp"

namespace {

using ct::dtls::DtlsCertificate;
using ct::dtls::DtlsTransport;
using ct::dtls::KeyingMaterial;
using ct::dtls::Role;

constexpr std::array<uint8_t, 4> kSeparator = {0xC7, 0x5E, 0x9A, 0x11};

struct Sink : DtlsTransport::Listener {
  std::optional<std::vector<uint8_t>> first_datagram;
  void on_dtls_send(std::span<const uint8_t> datagram) override {
    if (!first_datagram) first_datagram.emplace(datagram.begin(), datagram.end());
  }
  void on_dtls_connected(const KeyingMaterial&) override {}
  void on_dtls_failed(std::string_view) override {}
};

const DtlsCertificate& server_certificate() {
  static const DtlsCertificate certificate;
  return certificate;
}

const DtlsCertificate& client_certificate() {
  static const DtlsCertificate certificate;
  return certificate;
}

const std::vector<uint8_t>& real_client_hello() {
  static const std::vector<uint8_t> hello = [] {
    Sink sink;
    DtlsTransport client(client_certificate(), Role::Client, sink);
    client.start(ct::TimePoint{});
    return sink.first_datagram.value_or(std::vector<uint8_t>{});
  }();
  return hello;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  Sink sink;
  DtlsTransport server(server_certificate(), Role::Server, sink);
  server.set_remote_fingerprint("sha-256", client_certificate().fingerprint_sha256());
  ct::TimePoint now{};
  server.start(now);
  if (!input.empty() && (input[0] & 1)) server.handle_datagram(real_client_hello(), now);
  if (!input.empty()) input = input.subspan(1);

  while (true) {
    auto cut = std::search(input.begin(), input.end(), kSeparator.begin(), kSeparator.end());
    size_t length = size_t(cut - input.begin());
    server.handle_datagram(input.first(length), now);
    now += ct::milliseconds(300);
    if (cut == input.end()) break;
    input = input.subspan(length + kSeparator.size());
  }
  // Retransmission and the handshake deadline.
  for (int i = 0; i < 3; ++i) {
    if (auto next = server.next_timeout()) server.handle_timeout(*next);
  }
  server.send_application_data(std::span<const uint8_t>(data, std::min<size_t>(size, 64)));
  (void)server.negotiated_cipher();
  server.close();
  return 0;
}
