// STUN codec costs on the ICE hot path: parsing and authenticating a
// Chromium connectivity check, and building the Binding success response.
#include <benchmark/benchmark.h>

#include <vector>

#include "stun/StunCredentials.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"

using namespace ct::stun;

namespace {

constexpr std::string_view kServerPwd = "s3rverPassw0rdS3rverPa12";

// A check laid out as Chromium sends it: USERNAME, GOOG-NETWORK-INFO,
// ICE-CONTROLLING, USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT.
std::vector<uint8_t> chromium_binding_request() {
  TransactionId id{0x4a, 0x6b, 0x2f, 0x11, 0x90, 0x03, 0xc2, 0x7e, 0x55, 0x18, 0xa0, 0x3d};
  std::vector<uint8_t> out;
  const uint8_t network_info[4] = {0x00, 0x01, 0x00, 0x0a};
  StunMessageBuilder(out, Method::Binding, MessageClass::Request, id)
      .add_username("Xk3d9QpZ:Jt8h")
      .add_attribute(AttributeType::GoogNetworkInfo, network_info)
      .add_ice_controlling(0x8a1b3c5d7e9f0213ull)
      .add_use_candidate()
      .add_priority(0x6e7f1eff)
      .add_message_integrity(short_term_key(kServerPwd))
      .add_fingerprint();
  return out;
}

void BM_ParseBindingRequest(benchmark::State& state) {
  const auto packet = chromium_binding_request();
  for (auto _ : state) {
    auto m = StunMessage::parse(packet);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_ParseBindingRequest);

void BM_ParseVerifyBindingRequest(benchmark::State& state) {
  const auto packet = chromium_binding_request();
  const auto key = short_term_key(kServerPwd);
  for (auto _ : state) {
    auto m = StunMessage::parse(packet);
    bool ok = m && m->verify_fingerprint() && m->verify_message_integrity(key) && m->username() &&
              m->use_candidate() && m->priority();
    if (!ok) state.SkipWithError("check did not verify");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseVerifyBindingRequest);

void BM_VerifyFingerprint(benchmark::State& state) {
  const auto packet = chromium_binding_request();
  auto m = StunMessage::parse(packet);
  for (auto _ : state) benchmark::DoNotOptimize(m->verify_fingerprint());
}
BENCHMARK(BM_VerifyFingerprint);

void BM_VerifyMessageIntegrity(benchmark::State& state) {
  const auto packet = chromium_binding_request();
  const auto key = short_term_key(kServerPwd);
  auto m = StunMessage::parse(packet);
  for (auto _ : state) benchmark::DoNotOptimize(m->verify_message_integrity(key));
}
BENCHMARK(BM_VerifyMessageIntegrity);

void BM_BuildBindingSuccess(benchmark::State& state) {
  const auto packet = chromium_binding_request();
  auto request = StunMessage::parse(packet);
  const auto from = *ct::net::SocketAddress::parse("192.168.1.20:54321");
  const auto key = short_term_key(kServerPwd);
  std::vector<uint8_t> out;
  out.reserve(128);
  for (auto _ : state) {
    StunMessageBuilder b(out, Method::Binding, MessageClass::SuccessResponse, request->transaction_id());
    b.add_xor_mapped_address(from).add_message_integrity(key).add_fingerprint();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildBindingSuccess);

}  // namespace
