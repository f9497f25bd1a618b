#pragma once
// A throwaway ECDSA P-256 certificate for `--dev` TLS, in PEM.
#include <string>

namespace ct::turn {

struct PemCertificate {
  std::string certificate;
  std::string private_key;
};

// Valid for 30 days from now, subject CN=`common_name`. Throws std::runtime_error if OpenSSL fails.
PemCertificate make_self_signed_certificate(const std::string& common_name);

}  // namespace ct::turn
