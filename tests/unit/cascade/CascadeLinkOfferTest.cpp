// The offer one node leaves for another to open their link: its link id and send keys.
#include <gtest/gtest.h>

#include "cascade/CascadeLinkOffer.hpp"

namespace ct::cascade {
namespace {

using srtp::SrtpProfile;

TEST(CascadeLinkOfferTest, RoundTripsAndReadsAKnownText) {
  CascadeLinkOffer offer{4000000000u, CascadeKeys::generate(SrtpProfile::AeadAes128Gcm)};
  EXPECT_EQ(CascadeLinkOffer::parse(offer.to_text()), offer);
  auto known = CascadeLinkOffer::parse("7 AEAD_AES_128_GCM AAECAwQFBgcICQoLDA0OD6ChoqOkpaanqKmqqw==");
  ASSERT_TRUE(known);
  EXPECT_EQ(known->link_id, 7u);
  EXPECT_EQ(known->keys.master_salt.size(), 12u);
}

TEST(CascadeLinkOfferTest, RefusesBadIdsKeysAndTruncations) {
  const std::string keys = "AEAD_AES_128_GCM AAECAwQFBgcICQoLDA0OD6ChoqOkpaanqKmqqw==";
  for (const std::string& bad : {std::string(), std::string("7"), "0 " + keys, "-7 " + keys,
                                 "4294967296 " + keys, "99999999999 " + keys, "0x7 " + keys, " 7 " + keys,
                                 "7a " + keys, std::string("7 AEAD_AES_128_GCM nope")}) {
    EXPECT_FALSE(CascadeLinkOffer::parse(bad)) << bad;
  }
  const std::string full = "123 " + keys;
  for (size_t n = 0; n + 4 <= full.size(); ++n) EXPECT_FALSE(CascadeLinkOffer::parse(full.substr(0, n))) << n;
  EXPECT_TRUE(CascadeLinkOffer::parse(full));
}

}  // namespace
}  // namespace ct::cascade
