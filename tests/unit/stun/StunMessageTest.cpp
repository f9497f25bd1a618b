#include <gtest/gtest.h>

#include <random>

#include "StunTestVectors.hpp"
#include "stun/StunCredentials.hpp"
#include "stun/StunMessage.hpp"
#include "stun/StunMessageBuilder.hpp"

namespace ct::stun {
namespace {

using test::bytes_of;

TEST(StunMessage, Rfc5769SampleRequest) {
  auto bytes = bytes_of(test::kRfc5769Request);
  ASSERT_EQ(bytes.size(), 108u);
  ASSERT_TRUE(StunMessage::looks_like_stun(bytes));
  auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->method(), Method::Binding);
  EXPECT_EQ(m->message_class(), MessageClass::Request);
  EXPECT_TRUE(m->is(Method::Binding, MessageClass::Request));
  TransactionId id{0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
  EXPECT_EQ(m->transaction_id(), id);
  EXPECT_EQ(m->software(), "STUN test client");
  EXPECT_EQ(m->username(), "evtj:h6vY");
  EXPECT_EQ(m->priority(), 0x6e0001ffu);
  EXPECT_EQ(m->ice_controlled(), 0x932ff9b151263b36u);
  EXPECT_FALSE(m->ice_controlling());
  EXPECT_FALSE(m->use_candidate());
  EXPECT_TRUE(m->verify_message_integrity(short_term_key(test::kRfc5769ShortTermPassword)));
  EXPECT_TRUE(m->verify_fingerprint());
  EXPECT_FALSE(m->verify_message_integrity(short_term_key("VOkJxbRl1RmTxUk/WvJxBT")));
  EXPECT_FALSE(m->verify_message_integrity_sha256(short_term_key(test::kRfc5769ShortTermPassword)));
  EXPECT_TRUE(m->unknown_comprehension_required().empty());
}

TEST(StunMessage, Rfc5769Ipv4Response) {
  auto bytes = bytes_of(test::kRfc5769Ipv4Response);
  auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is(Method::Binding, MessageClass::SuccessResponse));
  EXPECT_EQ(m->software(), "test vector");
  EXPECT_EQ(m->xor_mapped_address(), net::SocketAddress::parse("192.0.2.1:32853"));
  EXPECT_TRUE(m->verify_message_integrity(short_term_key(test::kRfc5769ShortTermPassword)));
  EXPECT_TRUE(m->verify_fingerprint());
}

TEST(StunMessage, Rfc5769Ipv6Response) {
  auto bytes = bytes_of(test::kRfc5769Ipv6Response);
  auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is(Method::Binding, MessageClass::SuccessResponse));
  EXPECT_EQ(m->xor_mapped_address(),
            net::SocketAddress::parse("[2001:db8:1234:5678:11:2233:4455:6677]:32853"));
  EXPECT_TRUE(m->verify_message_integrity(short_term_key(test::kRfc5769ShortTermPassword)));
  EXPECT_TRUE(m->verify_fingerprint());
}

TEST(StunMessage, Rfc5769LongTermRequest) {
  auto bytes = bytes_of(test::kRfc5769LongTermRequest);
  auto m = StunMessage::parse(bytes);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->is(Method::Binding, MessageClass::Request));
  EXPECT_EQ(m->username(), test::kRfc5769LongTermUsername);
  EXPECT_EQ(m->realm(), test::kRfc5769Realm);
  EXPECT_EQ(m->nonce(), test::kRfc5769Nonce);
  auto key =
      long_term_key(test::kRfc5769LongTermUsername, test::kRfc5769Realm, test::kRfc5769LongTermPassword);
  EXPECT_TRUE(m->verify_message_integrity(key));
  EXPECT_FALSE(
      m->verify_message_integrity(long_term_key(test::kRfc5769LongTermUsername, test::kRfc5769Realm, "x")));
  EXPECT_FALSE(m->has_fingerprint());
  EXPECT_FALSE(m->verify_fingerprint());
}

TEST(StunMessage, EveryTruncationIsRejected) {
  for (auto hex : {test::kRfc5769Request, test::kRfc5769Ipv4Response, test::kRfc5769Ipv6Response,
                   test::kRfc5769LongTermRequest}) {
    auto bytes = bytes_of(hex);
    for (size_t n = 0; n < bytes.size(); ++n) {
      std::span<const uint8_t> prefix(bytes.data(), n);
      EXPECT_FALSE(StunMessage::looks_like_stun(prefix)) << n;
      EXPECT_FALSE(StunMessage::parse(prefix)) << n;
    }
    // A prefix with its length field patched to match still parses only if it
    // ends on an attribute boundary; it never reads past the prefix.
    for (size_t n = kHeaderSize; n < bytes.size(); n += 4) {
      std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + long(n));
      cut[2] = uint8_t((n - kHeaderSize) >> 8);
      cut[3] = uint8_t(n - kHeaderSize);
      auto m = StunMessage::parse(cut);
      if (m) {
        EXPECT_FALSE(m->verify_fingerprint());
        for (const auto& a : m->attributes()) EXPECT_LE(a.offset + a.length, cut.size());
      }
    }
  }
}

TEST(StunMessage, ParseErrors) {
  auto bytes = bytes_of(test::kRfc5769Request);
  StunParseError err{};

  EXPECT_FALSE(StunMessage::parse(std::span(bytes.data(), 19), &err));
  EXPECT_EQ(err, StunParseError::TooShort);

  auto not_stun = bytes;
  not_stun[0] = 0x80;  // an RTP-looking first byte
  EXPECT_FALSE(StunMessage::parse(not_stun, &err));
  EXPECT_EQ(err, StunParseError::NotStun);

  auto bad_cookie = bytes;
  bad_cookie[4] ^= 1;
  EXPECT_FALSE(StunMessage::looks_like_stun(bad_cookie));
  EXPECT_FALSE(StunMessage::parse(bad_cookie, &err));
  EXPECT_EQ(err, StunParseError::BadMagicCookie);

  auto odd_length = bytes;
  odd_length[3] = 0x57;
  EXPECT_FALSE(StunMessage::parse(odd_length, &err));
  EXPECT_EQ(err, StunParseError::BadLength);

  auto trailing = bytes;
  trailing.insert(trailing.end(), {0, 0, 0, 0});
  EXPECT_FALSE(StunMessage::looks_like_stun(trailing));
  EXPECT_FALSE(StunMessage::parse(trailing, &err));
  EXPECT_EQ(err, StunParseError::BadLength);

  // SOFTWARE claims 0x100 bytes: past the end.
  auto overrun = bytes;
  overrun[22] = 0x01;
  overrun[23] = 0x00;
  EXPECT_FALSE(StunMessage::parse(overrun, &err));
  EXPECT_EQ(err, StunParseError::AttributeOverrun);

  // The last attribute's length runs exactly one byte past the end.
  auto last_overrun = bytes;
  last_overrun[bytes.size() - 5] = 5;
  EXPECT_FALSE(StunMessage::parse(last_overrun, &err));
  EXPECT_EQ(err, StunParseError::AttributeOverrun);
}

TEST(StunMessage, FingerprintMustBeLast) {
  std::vector<uint8_t> buf;
  TransactionId id{};
  StunMessageBuilder(buf, Method::Binding, MessageClass::Request, id).add_fingerprint().add_priority(1);
  StunParseError err{};
  EXPECT_FALSE(StunMessage::parse(buf, &err));
  EXPECT_EQ(err, StunParseError::FingerprintNotLast);
}

TEST(StunMessage, AttributesAfterIntegrityAreIgnored) {
  std::vector<uint8_t> buf;
  TransactionId id{1, 2, 3};
  auto key = short_term_key("key");
  StunMessageBuilder(buf, Method::Binding, MessageClass::Request, id)
      .add_username("a:b")
      .add_message_integrity(key)
      .add_priority(7)
      .add_use_candidate()
      .add_fingerprint();
  auto m = StunMessage::parse(buf);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->priority());
  EXPECT_FALSE(m->use_candidate());
  EXPECT_EQ(m->attributes().size(), 3u);
  EXPECT_TRUE(m->verify_message_integrity(key));
  EXPECT_TRUE(m->verify_fingerprint());
}

TEST(StunMessage, TooManyAttributes) {
  std::vector<uint8_t> buf;
  StunMessageBuilder b(buf, Method::Binding, MessageClass::Indication, TransactionId{});
  for (size_t i = 0; i <= kMaxAttributes; ++i) b.add_software("x");
  StunParseError err{};
  EXPECT_FALSE(StunMessage::parse(buf, &err));
  EXPECT_EQ(err, StunParseError::TooManyAttributes);
}

TEST(StunMessage, MalformedTypedAttributesReadAsAbsent) {
  std::vector<uint8_t> buf;
  const uint8_t three[3] = {1, 2, 3};
  const uint8_t bad_address[8] = {0, 0x03, 0, 0, 1, 2, 3, 4};  // family 3
  const uint8_t bad_error[4] = {0, 0, 7, 0};                   // class 7
  StunMessageBuilder(buf, Method::Binding, MessageClass::Request, TransactionId{})
      .add_attribute(AttributeType::Priority, three)
      .add_attribute(AttributeType::IceControlling, three)
      .add_attribute(AttributeType::XorMappedAddress, bad_address)
      .add_attribute(AttributeType::ErrorCode, bad_error)
      .add_attribute(AttributeType::Lifetime, three)
      .add_attribute(AttributeType::ChannelNumber, three)
      .add_attribute(AttributeType::EvenPort, three)
      .add_attribute(AttributeType::UnknownAttributes, three)
      .add_attribute(AttributeType::MessageIntegrity, three)
      .add_attribute(AttributeType::Fingerprint, three);
  auto m = StunMessage::parse(buf);
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->priority());
  EXPECT_FALSE(m->ice_controlling());
  EXPECT_FALSE(m->xor_mapped_address());
  EXPECT_FALSE(m->error_code());
  EXPECT_FALSE(m->lifetime());
  EXPECT_FALSE(m->channel_number());
  EXPECT_FALSE(m->even_port());
  EXPECT_FALSE(m->unknown_attributes());
  EXPECT_FALSE(m->verify_message_integrity(short_term_key("k")));
  EXPECT_FALSE(m->verify_fingerprint());
}

TEST(StunMessage, UnknownComprehensionRequiredAttributes) {
  std::vector<uint8_t> buf;
  StunMessageBuilder(buf, Method::Binding, MessageClass::Request, TransactionId{})
      .add_attribute(AttributeType(0x7777), {})
      .add_attribute(AttributeType::GoogNetworkInfo, std::vector<uint8_t>{0, 1, 0, 9})
      .add_attribute(AttributeType(0xC001), {});  // unknown but comprehension-optional
  auto m = StunMessage::parse(buf);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->unknown_comprehension_required(), std::vector<uint16_t>{0x7777});
}

TEST(StunMessage, RandomGarbageNeverCrashes) {
  std::mt19937 rng(12345);
  std::vector<uint8_t> buf;
  for (int round = 0; round < 20000; ++round) {
    size_t n = rng() % 200;
    if (round & 1) n &= ~size_t(3);
    buf.resize(n);
    for (auto& b : buf) b = uint8_t(rng());
    // Half the time make the header plausible so attribute walking is exercised.
    if (n >= kHeaderSize && (round & 1)) {
      buf[0] &= 0x3F;
      buf[2] = uint8_t((n - kHeaderSize) >> 8);
      buf[3] = uint8_t(n - kHeaderSize);
      buf[4] = 0x21, buf[5] = 0x12, buf[6] = 0xA4, buf[7] = 0x42;
    }
    auto m = StunMessage::parse(buf);
    if (!m) continue;
    (void)m->username();
    (void)m->xor_mapped_address();
    (void)m->error_code();
    (void)m->unknown_attributes();
    (void)m->verify_message_integrity(short_term_key("k"));
    (void)m->verify_message_integrity_sha256(short_term_key("k"));
    (void)m->verify_fingerprint();
  }
}

}  // namespace
}  // namespace ct::stun
