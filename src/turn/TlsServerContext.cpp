#include "turn/TlsServerContext.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <stdexcept>

namespace ct::turn {

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::string reason;
  if (unsigned long code = ERR_get_error(); code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    reason = std::string(": ") + buffer;
  }
  ERR_clear_error();
  throw std::runtime_error("TLS: " + what + reason);
}

std::unique_ptr<ssl_ctx_st, void (*)(SSL_CTX*)> new_server_context() {
  std::unique_ptr<ssl_ctx_st, void (*)(SSL_CTX*)> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!ctx) fail("cannot create a context");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Writes may stop part way (non-blocking sockets) and resume from a
  // buffer that has grown and moved since.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // No resumption: TURN clients hold one long connection.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  // Reads take whatever the socket holds, not one record header at a time
  // (the connection reads until OpenSSL wants more, so nothing is stranded).
  SSL_CTX_set_read_ahead(ctx.get(), 1);
  return ctx;
}

void check_key(SSL_CTX* ctx) {
  if (SSL_CTX_check_private_key(ctx) != 1) fail("the private key does not match the certificate");
}

}  // namespace

void TlsServerContext::Free::operator()(ssl_ctx_st* ctx) const { SSL_CTX_free(ctx); }

TlsServerContext::TlsServerContext(std::unique_ptr<ssl_ctx_st, Free> ctx) : ctx_(std::move(ctx)) {}
TlsServerContext::~TlsServerContext() = default;
TlsServerContext::TlsServerContext(TlsServerContext&&) noexcept = default;
TlsServerContext& TlsServerContext::operator=(TlsServerContext&&) noexcept = default;

TlsServerContext TlsServerContext::from_files(const std::string& chain_file, const std::string& key_file) {
  auto ctx = new_server_context();
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), chain_file.c_str()) != 1)
    fail("cannot load the certificate chain " + chain_file);
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    fail("cannot load the private key " + key_file);
  check_key(ctx.get());
  return TlsServerContext(std::unique_ptr<ssl_ctx_st, Free>(ctx.release()));
}

TlsServerContext TlsServerContext::from_pem(const std::string& chain_pem, const std::string& key_pem) {
  auto ctx = new_server_context();
  std::unique_ptr<BIO, decltype(&BIO_free)> chain(BIO_new_mem_buf(chain_pem.data(), int(chain_pem.size())), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key(BIO_new_mem_buf(key_pem.data(), int(key_pem.size())), BIO_free);
  if (!chain || !key) fail("out of memory");
  std::unique_ptr<X509, decltype(&X509_free)> leaf(PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr),
                                                    X509_free);
  if (!leaf || SSL_CTX_use_certificate(ctx.get(), leaf.get()) != 1) fail("cannot load the certificate");
  // The rest of the chain, if any.
  while (X509* extra = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx.get(), extra) != 1) {
      X509_free(extra);
      fail("cannot load the certificate chain");
    }
  }
  ERR_clear_error();  // the end of the PEM text
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!pkey || SSL_CTX_use_PrivateKey(ctx.get(), pkey.get()) != 1) fail("cannot load the private key");
  check_key(ctx.get());
  return TlsServerContext(std::unique_ptr<ssl_ctx_st, Free>(ctx.release()));
}

}  // namespace ct::turn
