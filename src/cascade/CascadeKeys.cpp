#include "cascade/CascadeKeys.hpp"

#include "core/Encoding.hpp"
#include "core/Random.hpp"

namespace ct::cascade {

namespace {

constexpr std::string_view kGcm = "AEAD_AES_128_GCM";
constexpr std::string_view kCm = "AES_CM_128_HMAC_SHA1_80";

std::string_view suite_name(srtp::SrtpProfile profile) {
  return profile == srtp::SrtpProfile::AeadAes128Gcm ? kGcm : kCm;
}

}  // namespace

CascadeKeys CascadeKeys::generate(srtp::SrtpProfile profile) {
  CascadeKeys keys;
  keys.profile = profile;
  keys.master_key.resize(srtp::master_key_length(profile));
  keys.master_salt.resize(srtp::master_salt_length(profile));
  random_bytes(keys.master_key);
  random_bytes(keys.master_salt);
  return keys;
}

std::string CascadeKeys::to_text() const {
  std::vector<uint8_t> both(master_key);
  both.insert(both.end(), master_salt.begin(), master_salt.end());
  return std::string(suite_name(profile)) + " " + base64_encode(both);
}

std::optional<CascadeKeys> CascadeKeys::parse(std::string_view text) {
  size_t space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view suite = text.substr(0, space);
  CascadeKeys keys;
  if (suite == kGcm) {
    keys.profile = srtp::SrtpProfile::AeadAes128Gcm;
  } else if (suite == kCm) {
    keys.profile = srtp::SrtpProfile::Aes128CmHmacSha1_80;
  } else {
    return std::nullopt;
  }
  auto bytes = base64_decode(text.substr(space + 1));
  size_t key_length = srtp::master_key_length(keys.profile);
  size_t salt_length = srtp::master_salt_length(keys.profile);
  if (!bytes || bytes->size() != key_length + salt_length) return std::nullopt;
  keys.master_key.assign(bytes->begin(), bytes->begin() + static_cast<std::ptrdiff_t>(key_length));
  keys.master_salt.assign(bytes->begin() + static_cast<std::ptrdiff_t>(key_length), bytes->end());
  return keys;
}

}  // namespace ct::cascade
