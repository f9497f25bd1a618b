#pragma once
// Deleters for the OpenSSL handles the dtls layer owns, so each one lives in a
// std::unique_ptr. Forward declarations keep <openssl/*.h> out of headers.
#include <memory>

struct evp_pkey_st;
struct x509_st;
struct ssl_ctx_st;
struct ssl_st;

namespace ct::dtls {

struct OpenSslFree {
  void operator()(evp_pkey_st* key) const noexcept;
  void operator()(x509_st* certificate) const noexcept;
  void operator()(ssl_ctx_st* context) const noexcept;
  void operator()(ssl_st* ssl) const noexcept;
};

using EvpPkeyPtr = std::unique_ptr<evp_pkey_st, OpenSslFree>;
using X509Ptr = std::unique_ptr<x509_st, OpenSslFree>;
using SslCtxPtr = std::unique_ptr<ssl_ctx_st, OpenSslFree>;
using SslPtr = std::unique_ptr<ssl_st, OpenSslFree>;

}  // namespace ct::dtls
