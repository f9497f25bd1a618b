// Known-answer tests from the RFCs: RFC 3711 Appendix B.2 (AES-CM keystream) and
// B.3 (key derivation), RFC 7714 §16.1 (SRTP) and §17.1/§17.3 (SRTCP).
#include <gtest/gtest.h>

#include <vector>

#include "SrtpTestSupport.hpp"
#include "core/Encoding.hpp"
#include "srtp/AesCounterMode.hpp"
#include "srtp/SrtpIv.hpp"
#include "srtp/SrtpKeyDerivation.hpp"
#include "srtp/SrtpSession.hpp"

namespace ct::srtp {
namespace {

using test::apply;
using test::hex;
using test::Op;

TEST(SrtpVectors, Rfc3711B2AesCmKeystream) {
  const auto key = hex("2B7E151628AED2A6ABF7158809CF4F3C");
  const auto salt = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
  // SSRC 0, ROC 0, SEQ 0: the IV is the salt shifted by 16 bits.
  const auto iv = aes_cm_iv(std::span<const uint8_t, 14>(salt.data(), 14), 0, 0);
  EXPECT_EQ(to_hex(iv), "f0f1f2f3f4f5f6f7f8f9fafbfcfd0000");

  AesCounterMode cipher(key);
  std::vector<uint8_t> keystream(65282 * 16, 0);  // the RFC's whole segment
  ASSERT_TRUE(cipher.apply(iv, keystream));
  EXPECT_EQ(to_hex(std::span(keystream).first(48)),
            "e03ead0935c95e80e166b16dd92b4eb4"
            "d23513162b02d0f72a43a2fe4a5f97ab"
            "41e95b3bb0a2e8dd477901e4fca894c0");
  EXPECT_EQ(to_hex(std::span(keystream).last(48)),
            "ec8cdf7398607cb0f2d21675ea9ea1e4"
            "362b7c3c6773516318a077d7fc5073ae"
            "6a2cc3787889374fbeb4c81b17ba6c44");

  // Re-IV'ing the same context restarts the keystream (one context per session).
  std::vector<uint8_t> again(16, 0);
  ASSERT_TRUE(cipher.apply(iv, again));
  EXPECT_EQ(to_hex(again), "e03ead0935c95e80e166b16dd92b4eb4");
}

TEST(SrtpVectors, CmIvPlacesSsrcAndIndex) {
  const std::vector<uint8_t> zero(14, 0);
  const auto iv = aes_cm_iv(std::span<const uint8_t, 14>(zero.data(), 14), 0x11223344, 0xaabbccddeeffULL);
  EXPECT_EQ(to_hex(iv), "0000000011223344aabbccddeeff0000");
}

TEST(SrtpVectors, Rfc3711B3KeyDerivation) {
  const auto master_key = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const auto master_salt = hex("0EC675AD498AFEEBB6960B3AABE6");
  std::vector<uint8_t> cipher_key(16), cipher_salt(14), auth_key(94);
  ASSERT_TRUE(derive_srtp_key(master_key, master_salt, SrtpKeyLabel::RtpEncryption, cipher_key));
  ASSERT_TRUE(derive_srtp_key(master_key, master_salt, SrtpKeyLabel::RtpSalt, cipher_salt));
  ASSERT_TRUE(derive_srtp_key(master_key, master_salt, SrtpKeyLabel::RtpAuthentication, auth_key));
  EXPECT_EQ(to_hex(cipher_key), "c61e7a93744f39ee10734afe3ff7a087");
  EXPECT_EQ(to_hex(cipher_salt), "30cbbc08863d8c85d49db34a9ae1");
  EXPECT_EQ(to_hex(auth_key),
            "cebe321f6ff7716b6fd4ab49af256a156d38baa48f0a0acf3c34e2359e6cdbce"
            "e049646c43d9327ad175578ef72270986371c10c9a369ac2f94a8c5fbcdddc25"
            "6d6e919a48b610ef17c2041e474035766b68642c59bbfc2f34db60dbdfb2");

  SrtpSessionKeys keys;
  ASSERT_TRUE(
      derive_session_keys(SrtpProfile::Aes128CmHmacSha1_80, master_key, master_salt, SrtpKeyUse::Rtp, keys));
  EXPECT_EQ(to_hex(keys.encryption_key), "c61e7a93744f39ee10734afe3ff7a087");
  EXPECT_EQ(to_hex(keys.salt_bytes()), "30cbbc08863d8c85d49db34a9ae1");
  EXPECT_EQ(to_hex(keys.auth_key), "cebe321f6ff7716b6fd4ab49af256a156d38baa4");
}

TEST(SrtpVectors, GcmKeyDerivationWithTwelveByteSalt) {
  // RFC 9335 Appendix A.2 lists these session keys for the RFC 7714 master key.
  const auto master_key = hex("000102030405060708090a0b0c0d0e0f");
  const auto master_salt = hex("a0a1a2a3a4a5a6a7a8a9aaab");
  SrtpSessionKeys keys;
  ASSERT_TRUE(derive_session_keys(SrtpProfile::AeadAes128Gcm, master_key, master_salt, SrtpKeyUse::Rtp, keys));
  EXPECT_EQ(to_hex(keys.encryption_key), "077c6143cb221bc355ff23d5f984a16e");
  EXPECT_EQ(to_hex(keys.salt_bytes()), "9af3e95364ebac9c99c5a7c4");
}

TEST(SrtpVectors, DerivationRejectsWrongSizes) {
  SrtpSessionKeys keys;
  EXPECT_FALSE(derive_session_keys(SrtpProfile::AeadAes128Gcm, hex("000102030405060708090a0b0c0d0e0f"),
                                   hex("0EC675AD498AFEEBB6960B3AABE6"), SrtpKeyUse::Rtp, keys));
  EXPECT_FALSE(derive_session_keys(SrtpProfile::Aes128CmHmacSha1_80, hex("0001"),
                                   hex("0EC675AD498AFEEBB6960B3AABE6"), SrtpKeyUse::Rtp, keys));
  EXPECT_THROW(SrtpSession(SrtpProfile::AeadAes128Gcm, hex("0001"), hex("a0a1"), SrtpSession::Direction::Inbound),
               std::invalid_argument);
}

// RFC 7714 §16 and §17 give session keys, not master keys: key 000102..0f and
// salt "Quid pro quo" for both SRTP and SRTCP.
SrtpSessionKeys rfc7714_session_keys() {
  SrtpSessionKeys keys;
  const auto key = hex("000102030405060708090a0b0c0d0e0f");
  const auto salt = hex("517569642070726f2071756f");
  std::copy(key.begin(), key.end(), keys.encryption_key.begin());
  std::copy(salt.begin(), salt.end(), keys.salt.begin());
  keys.salt_length = salt.size();
  return keys;
}

SrtpSession rfc7714_session(SrtpSession::Direction direction) {
  return SrtpSession(SrtpProfile::AeadAes128Gcm, rfc7714_session_keys(), rfc7714_session_keys(), direction);
}

// RFC 7714 §16.1: header 8040f17b 8041f8d3 5501a0b2, "Gallia est omnis divisa in partes tres".
constexpr const char* kRtpPlain =
    "8040f17b8041f8d35501a0b2"
    "47616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
constexpr const char* kRtpProtected =
    "8040f17b8041f8d35501a0b2"
    "f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833"
    "899d7f27beb16a9152cf765ee4390cce";

TEST(SrtpVectors, Rfc7714Section16_1_1SrtpEncryption) {
  const auto plain = hex(kRtpPlain);
  // §16.1.1 IV: 51753c6580c2726f20718414.
  const auto salt = rfc7714_session_keys().salt;
  EXPECT_EQ(to_hex(aes_gcm_iv(std::span<const uint8_t, 14>(salt).first<12>(), 0x5501a0b2, 0xf17b)),
            "51753c6580c2726f20718414");
  auto sender = rfc7714_session(SrtpSession::Direction::Outbound);
  auto packet = plain;
  ASSERT_TRUE(apply(sender, Op::ProtectRtp, packet));
  EXPECT_EQ(to_hex(packet), kRtpProtected);
}

TEST(SrtpVectors, Rfc7714Section16_1_2SrtpDecryption) {
  auto receiver = rfc7714_session(SrtpSession::Direction::Inbound);
  auto packet = hex(kRtpProtected);
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtp, packet));
  EXPECT_EQ(to_hex(packet), kRtpPlain);
}

// RFC 7714 §17: SR from SSRC "Mars", SRTCP index 0x5d4.
constexpr const char* kRtcpPlain =
    "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61"
    "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
constexpr const char* kRtcpProtected =
    "81c8000d4d617273"
    "63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa458"
    "96cf4d2fc5abf87245d9eade"
    "800005d4";
constexpr const char* kRtcpTagOnly =
    "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61"
    "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"
    "841dd9683dd78ec92ae58790125f62b3"
    "000005d4";
constexpr uint32_t kRtcpIndex = 0x5d4;

TEST(SrtpVectors, Rfc7714Section17_1SrtcpEncryption) {
  auto sender = rfc7714_session(SrtpSession::Direction::Outbound);
  // Our SRTCP index starts at 0 (RFC 3711 §3.4); step it to the vector's index.
  for (uint32_t i = 0; i < kRtcpIndex; ++i) {
    auto scratch = hex(kRtcpPlain);
    ASSERT_TRUE(apply(sender, Op::ProtectRtcp, scratch));
  }
  auto packet = hex(kRtcpPlain);
  ASSERT_TRUE(apply(sender, Op::ProtectRtcp, packet));
  EXPECT_EQ(to_hex(packet), kRtcpProtected);
}

TEST(SrtpVectors, Rfc7714Section17_2SrtcpDecryption) {
  auto receiver = rfc7714_session(SrtpSession::Direction::Inbound);
  auto packet = hex(kRtcpProtected);
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtcp, packet));
  EXPECT_EQ(to_hex(packet), kRtcpPlain);
}

TEST(SrtpVectors, Rfc7714Section17_3SrtcpTagOnly) {
  auto receiver = rfc7714_session(SrtpSession::Direction::Inbound);
  auto packet = hex(kRtcpTagOnly);
  ASSERT_TRUE(apply(receiver, Op::UnprotectRtcp, packet));
  EXPECT_EQ(to_hex(packet), kRtcpPlain);

  auto tampered = hex(kRtcpTagOnly);
  tampered[20] ^= 1;  // clear text, but authenticated
  auto fresh = rfc7714_session(SrtpSession::Direction::Inbound);
  EXPECT_EQ(apply(fresh, Op::UnprotectRtcp, tampered).error, SrtpError::AuthFailed);
}

}  // namespace
}  // namespace ct::srtp
