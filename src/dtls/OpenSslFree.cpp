#include "dtls/OpenSslFree.hpp"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace ct::dtls {

void OpenSslFree::operator()(evp_pkey_st* key) const noexcept { EVP_PKEY_free(key); }
void OpenSslFree::operator()(x509_st* certificate) const noexcept { X509_free(certificate); }
void OpenSslFree::operator()(ssl_ctx_st* context) const noexcept { SSL_CTX_free(context); }
void OpenSslFree::operator()(ssl_st* ssl) const noexcept { SSL_free(ssl); }

}  // namespace ct::dtls
