// A link's keys and the text form the other node reads them from.
#include <gtest/gtest.h>

#include "cascade/CascadeKeys.hpp"

namespace ct::cascade {
namespace {

using srtp::SrtpProfile;

TEST(CascadeKeysTest, GeneratesFreshKeysOfTheProfilesLengths) {
  for (SrtpProfile profile : {SrtpProfile::AeadAes128Gcm, SrtpProfile::Aes128CmHmacSha1_80}) {
    auto a = CascadeKeys::generate(profile);
    auto b = CascadeKeys::generate(profile);
    EXPECT_EQ(a.profile, profile);
    EXPECT_EQ(a.master_key.size(), 16u);
    EXPECT_EQ(a.master_salt.size(), srtp::master_salt_length(profile));
    EXPECT_NE(a.master_key, b.master_key);
    EXPECT_NE(a.master_salt, b.master_salt);
  }
}

TEST(CascadeKeysTest, TextRoundTrips) {
  for (SrtpProfile profile : {SrtpProfile::AeadAes128Gcm, SrtpProfile::Aes128CmHmacSha1_80}) {
    auto keys = CascadeKeys::generate(profile);
    auto back = CascadeKeys::parse(keys.to_text());
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, keys);
  }
  EXPECT_EQ(CascadeKeys::generate(SrtpProfile::AeadAes128Gcm).to_text().rfind("AEAD_AES_128_GCM ", 0), 0u);
  EXPECT_EQ(
      CascadeKeys::generate(SrtpProfile::Aes128CmHmacSha1_80).to_text().rfind("AES_CM_128_HMAC_SHA1_80 ", 0),
      0u);
}

TEST(CascadeKeysTest, ReadsAKnownText) {
  // 16 bytes 0x00..0x0f, then a 12-byte salt 0xa0..0xab.
  auto keys = CascadeKeys::parse("AEAD_AES_128_GCM AAECAwQFBgcICQoLDA0OD6ChoqOkpaanqKmqqw==");
  ASSERT_TRUE(keys);
  EXPECT_EQ(keys->profile, SrtpProfile::AeadAes128Gcm);
  EXPECT_EQ(keys->master_key[15], 0x0f);
  EXPECT_EQ(keys->master_salt[0], 0xa0);
  EXPECT_EQ(keys->master_salt.size(), 12u);
}

TEST(CascadeKeysTest, RefusesUnknownSuitesBadBase64AndWrongLengths) {
  const std::string gcm28 = "AAECAwQFBgcICQoLDA0OD6ChoqOkpaanqKmqqw==";  // 28 bytes: GCM's key + salt
  EXPECT_FALSE(CascadeKeys::parse(""));
  EXPECT_FALSE(CascadeKeys::parse("AEAD_AES_128_GCM"));
  EXPECT_FALSE(CascadeKeys::parse("AEAD_AES_256_GCM " + gcm28));
  EXPECT_FALSE(CascadeKeys::parse("aead_aes_128_gcm " + gcm28));
  EXPECT_FALSE(CascadeKeys::parse("AES_CM_128_HMAC_SHA1_80 " + gcm28));  // CM needs a 14-byte salt
  EXPECT_FALSE(CascadeKeys::parse("AEAD_AES_128_GCM !!!!" + gcm28));
  EXPECT_FALSE(CascadeKeys::parse("AEAD_AES_128_GCM  " + gcm28));
  const std::string full = "AEAD_AES_128_GCM " + gcm28;
  for (size_t n = 0; n + 4 <= full.size(); ++n) EXPECT_FALSE(CascadeKeys::parse(full.substr(0, n))) << n;
  EXPECT_TRUE(CascadeKeys::parse(full));
}

}  // namespace
}  // namespace ct::cascade
