#pragma once
// The TLS settings every TURN-over-TLS connection shares (RFC 8656 §3.1):
// TLS 1.2 or newer, the server's certificate chain and key.
#include <memory>
#include <string>

struct ssl_ctx_st;

namespace ct::turn {

class TlsServerContext {
 public:
  // PEM files: the certificate chain (leaf first) and its private key.
  // Throws std::runtime_error with OpenSSL's reason if either is unusable.
  static TlsServerContext from_files(const std::string& chain_file, const std::string& key_file);
  // PEM text, e.g. from make_self_signed_certificate. Throws std::runtime_error.
  static TlsServerContext from_pem(const std::string& chain_pem, const std::string& key_pem);

  ~TlsServerContext();
  TlsServerContext(TlsServerContext&&) noexcept;
  TlsServerContext& operator=(TlsServerContext&&) noexcept;

  // OpenSSL's SSL_CTX, for SSL_new.
  ssl_ctx_st* native() const { return ctx_.get(); }

 private:
  struct Free {
    void operator()(ssl_ctx_st* ctx) const;
  };
  explicit TlsServerContext(std::unique_ptr<ssl_ctx_st, Free> ctx);
  std::unique_ptr<ssl_ctx_st, Free> ctx_;
};

}  // namespace ct::turn
