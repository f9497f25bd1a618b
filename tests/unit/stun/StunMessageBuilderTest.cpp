#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <array>

#include "StunTestVectors.hpp"
#include "core/Random.hpp"
#include "stun/StunCredentials.hpp"
#include "stun/StunCrypto.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"

namespace ct::stun {
namespace {

TransactionId make_id() {
  TransactionId id;
  random_bytes(id);
  return id;
}

TEST(StunMessageBuilder, MessageTypeEncoding) {
  // RFC 8489 §5 / RFC 8656 §17 wire values.
  EXPECT_EQ(encode_message_type(Method::Binding, MessageClass::Request), 0x0001);
  EXPECT_EQ(encode_message_type(Method::Binding, MessageClass::SuccessResponse), 0x0101);
  EXPECT_EQ(encode_message_type(Method::Binding, MessageClass::ErrorResponse), 0x0111);
  EXPECT_EQ(encode_message_type(Method::Binding, MessageClass::Indication), 0x0011);
  EXPECT_EQ(encode_message_type(Method::Allocate, MessageClass::ErrorResponse), 0x0113);
  EXPECT_EQ(encode_message_type(Method::ChannelBind, MessageClass::SuccessResponse), 0x0109);
  EXPECT_EQ(encode_message_type(Method::Send, MessageClass::Indication), 0x0016);
  EXPECT_EQ(encode_message_type(Method::Data, MessageClass::Indication), 0x0017);
  for (uint16_t m = 0; m < 0x1000; ++m) {
    for (uint8_t c = 0; c < 4; ++c) {
      uint16_t t = encode_message_type(Method(m), MessageClass(c));
      ASSERT_EQ(message_method(t), Method(m));
      ASSERT_EQ(message_class(t), MessageClass(c));
    }
  }
}

TEST(StunMessageBuilder, ReproducesRfc5769LongTermRequestByteForByte) {
  // §2.4 pads with zero bytes, as this builder does.
  auto expected = test::bytes_of(test::kRfc5769LongTermRequest);
  TransactionId id;
  std::copy(expected.begin() + 8, expected.begin() + 20, id.begin());
  std::vector<uint8_t> out;
  StunMessageBuilder(out, Method::Binding, MessageClass::Request, id)
      .add_username(test::kRfc5769LongTermUsername)
      .add_nonce(test::kRfc5769Nonce)
      .add_realm(test::kRfc5769Realm)
      .add_message_integrity(
          long_term_key(test::kRfc5769LongTermUsername, test::kRfc5769Realm, test::kRfc5769LongTermPassword));
  EXPECT_EQ(out, expected);
}

TEST(StunMessageBuilder, Rfc5769XorAddressEncoding) {
  // The XOR-MAPPED-ADDRESS bytes of §2.2 and §2.3.
  auto v4 = test::bytes_of(test::kRfc5769Ipv4Response);
  TransactionId id;
  std::copy(v4.begin() + 8, v4.begin() + 20, id.begin());
  std::vector<uint8_t> out;
  StunMessageBuilder(out, Method::Binding, MessageClass::SuccessResponse, id)
      .add_xor_mapped_address(*net::SocketAddress::parse("192.0.2.1:32853"));
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + 20, out.end()), test::bytes_of("002000080001a147e112a643"));
  StunMessageBuilder(out, Method::Binding, MessageClass::SuccessResponse, id)
      .add_xor_mapped_address(*net::SocketAddress::parse("[2001:db8:1234:5678:11:2233:4455:6677]:32853"));
  EXPECT_EQ(std::vector<uint8_t>(out.begin() + 20, out.end()),
            test::bytes_of("002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9"));
}

TEST(StunMessageBuilder, RoundTripEveryAttribute) {
  const auto id = make_id();
  const auto v4 = *net::SocketAddress::parse("203.0.113.7:40000");
  const auto v6 = *net::SocketAddress::parse("[2001:db8::42]:3478");
  const auto relayed = *net::SocketAddress::parse("198.51.100.1:50002");
  const std::vector<uint8_t> payload{1, 2, 3, 4, 5};
  const std::array<uint16_t, 3> unknown{0x0031, 0x0032, 0x7001};
  const auto key = long_term_key("user", "realm", "pass");

  std::vector<uint8_t> out;
  out.reserve(512);
  StunMessageBuilder b(out, Method::Allocate, MessageClass::SuccessResponse, id);
  b.add_username("srv:cli")
      .add_realm("realm")
      .add_nonce("nonce-123")
      .add_software("CipherTalk")
      .add_priority(0x7E7F00FF)
      .add_use_candidate()
      .add_ice_controlling(0x0123456789ABCDEFull)
      .add_ice_controlled(0xFEDCBA9876543210ull)
      .add_xor_mapped_address(v4)
      .add_xor_peer_address(v6)
      .add_xor_relayed_address(relayed)
      .add_error_code(error::StaleNonce)
      .add_lifetime(600)
      .add_data(payload)
      .add_channel_number(0x4001)
      .add_requested_transport()
      .add_even_port(true)
      .add_reservation_token(0x1122334455667788ull)
      .add_dont_fragment()
      .add_unknown_attributes(unknown)
      .add_message_integrity(key)
      .add_message_integrity_sha256(key)
      .add_fingerprint();
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b.size(), out.size());
  EXPECT_EQ(out.size() % 4, 0u);

  auto m = StunMessage::parse(out);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is(Method::Allocate, MessageClass::SuccessResponse));
  EXPECT_EQ(m->transaction_id(), id);
  EXPECT_EQ(m->username(), "srv:cli");
  EXPECT_EQ(m->realm(), "realm");
  EXPECT_EQ(m->nonce(), "nonce-123");
  EXPECT_EQ(m->software(), "CipherTalk");
  EXPECT_EQ(m->priority(), 0x7E7F00FFu);
  EXPECT_TRUE(m->use_candidate());
  EXPECT_EQ(m->ice_controlling(), 0x0123456789ABCDEFull);
  EXPECT_EQ(m->ice_controlled(), 0xFEDCBA9876543210ull);
  EXPECT_EQ(m->xor_mapped_address(), v4);
  EXPECT_EQ(m->xor_peer_address(), v6);
  EXPECT_EQ(m->xor_relayed_address(), relayed);
  auto ec = m->error_code();
  ASSERT_TRUE(ec);
  EXPECT_EQ(ec->code, 438);
  EXPECT_EQ(ec->reason, "Stale Nonce");
  EXPECT_EQ(m->lifetime(), 600u);
  ASSERT_TRUE(m->data());
  EXPECT_EQ(std::vector<uint8_t>(m->data()->begin(), m->data()->end()), payload);
  EXPECT_EQ(m->channel_number(), 0x4001);
  EXPECT_EQ(m->requested_transport(), 17);
  EXPECT_EQ(m->even_port(), true);
  EXPECT_EQ(m->reservation_token(), 0x1122334455667788ull);
  EXPECT_TRUE(m->dont_fragment());
  EXPECT_EQ(m->unknown_attributes(), std::vector<uint16_t>(unknown.begin(), unknown.end()));
  EXPECT_TRUE(m->verify_message_integrity(key));
  EXPECT_TRUE(m->verify_message_integrity_sha256(key));
  EXPECT_TRUE(m->verify_fingerprint());

  // Any flipped bit before FINGERPRINT breaks the integrity checks and the fingerprint.
  auto tampered = out;
  tampered[30] ^= 0x01;
  auto t = StunMessage::parse(tampered);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->verify_message_integrity(key));
  EXPECT_FALSE(t->verify_message_integrity_sha256(key));
  EXPECT_FALSE(t->verify_fingerprint());
}

TEST(StunMessageBuilder, ErrorCodeWithOwnReason) {
  std::vector<uint8_t> out;
  StunMessageBuilder(out, Method::Binding, MessageClass::ErrorResponse, make_id())
      .add_error_code(error::RoleConflict, "Role Conflict!");
  auto m = StunMessage::parse(out);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->error_code()->code, 487);
  EXPECT_EQ(m->error_code()->reason, "Role Conflict!");
  EXPECT_EQ(out[20 + 4 + 2], 4);   // class
  EXPECT_EQ(out[20 + 4 + 3], 87);  // number
}

TEST(StunMessageBuilder, ReusedVectorKeepsCapacity) {
  std::vector<uint8_t> out;
  out.reserve(256);
  const uint8_t* data = out.data();
  for (int i = 0; i < 3; ++i) {
    StunMessageBuilder(out, Method::Binding, MessageClass::SuccessResponse, make_id())
        .add_xor_mapped_address(*net::SocketAddress::parse("10.0.0.1:1000"))
        .add_message_integrity(short_term_key("pwd"))
        .add_fingerprint();
    EXPECT_EQ(out.size(), 20u + 12 + 24 + 8);
    EXPECT_EQ(out.data(), data);
  }
}

TEST(StunMessageBuilder, SpanStorageOverflowIsReported) {
  std::array<uint8_t, 64> storage{};
  StunMessageBuilder b(storage, Method::Binding, MessageClass::Request, make_id());
  b.add_username("abcd:efgh").add_message_integrity(short_term_key("pwd"));
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(b.size(), 20u + 16 + 24);
  EXPECT_TRUE(StunMessage::parse(b.bytes())->verify_message_integrity(short_term_key("pwd")));
  b.add_fingerprint();  // 68 bytes: does not fit
  EXPECT_FALSE(b.ok());
  EXPECT_EQ(b.size(), 60u);

  std::array<uint8_t, 10> tiny{};
  EXPECT_FALSE(StunMessageBuilder(tiny, Method::Binding, MessageClass::Request, make_id()).ok());
}

TEST(StunCrypto, HmacMatchesOpenSsl) {
  // Our digest-built HMAC against OpenSSL's own, for short, block-sized and long keys.
  std::vector<uint8_t> data(300);
  random_bytes(data);
  for (size_t key_len : {0, 1, 16, 22, 63, 64, 65, 200}) {
    std::vector<uint8_t> key(key_len);
    random_bytes(key);
    for (auto [digest, name] :
         {std::pair{HmacDigest::Sha1, "SHA1"}, std::pair{HmacDigest::Sha256, "SHA256"}}) {
      std::array<uint8_t, 32> ours{}, theirs{};
      size_t theirs_len = 0;
      ASSERT_TRUE(hmac(digest, key, std::span(data).first(100), std::span(data).subspan(100), ours.data()));
      ASSERT_NE(EVP_Q_mac(nullptr, "HMAC", nullptr, name, nullptr, key.data(), key.size(), data.data(),
                          data.size(), theirs.data(), theirs.size(), &theirs_len),
                nullptr);
      ASSERT_EQ(theirs_len, hmac_size(digest));
      EXPECT_EQ(ours, theirs) << name << " key " << key_len;
    }
  }
}

TEST(StunCrypto, Crc32CheckValue) {
  const std::string_view check = "123456789";
  EXPECT_EQ(crc32({reinterpret_cast<const uint8_t*>(check.data()), check.size()}), 0xCBF43926u);
  EXPECT_EQ(crc32({}), 0u);
}

TEST(StunCredentials, LongTermKeyIsMd5OfTriple) {
  // MD5("user:realm:pass")
  EXPECT_EQ(to_hex(long_term_key("user", "realm", "pass")), "8493fbc53ba582fb4c044c456bdc40eb");
  EXPECT_EQ(short_term_key("abc").size(), 3u);
}

}  // namespace
}  // namespace ct::stun
