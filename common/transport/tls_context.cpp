#include "common/transport/tls_context.hpp"

#include "common/transport/types.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <system_error>

#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>

namespace ims::transport {

namespace ssl = boost::asio::ssl;
namespace fs = std::filesystem;

namespace {

// TLS 1.2 suites with forward secrecy and AEAD; TLS 1.3 keeps OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

Error tls_error(std::string what) {
  const unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    what += ": ";
    what += buf;
  }
  ERR_clear_error();
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(what)};
}

Error boost_error(std::string what, const boost::system::error_code& ec) {
  return Error{std::make_error_code(std::errc::invalid_argument), what + ": " + ec.message()};
}

Result<std::shared_ptr<ssl::context>> base_context(ssl::context::method method) {
  auto ctx = std::make_shared<ssl::context>(method);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1)
    return tls_error("TLS minimum version");
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) return tls_error("TLS cipher list");
  return ctx;
}

struct Closer {
  void operator()(FILE* f) const { std::fclose(f); }
  void operator()(X509* x) const { X509_free(x); }
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
template <typename T>
using Owned = std::unique_ptr<T, Closer>;

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
  if (!ext) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

bool is_ip(const std::string& name) { return parse_ip(name).has_value(); }

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_context(const TlsServerSettings& s) {
  auto ctx = base_context(ssl::context::tls_server);
  if (!ctx) return ctx.error();
  boost::system::error_code ec;
  (*ctx)->use_certificate_chain_file(s.certificate_file, ec);
  if (ec) return boost_error("TLS certificate " + s.certificate_file, ec);
  (*ctx)->use_private_key_file(s.key_file, ssl::context::pem, ec);
  if (ec)
    return boost_error("TLS key " + s.key_file + " (the key of " + s.certificate_file + "?)", ec);
  if (SSL_CTX_check_private_key((*ctx)->native_handle()) != 1)
    return tls_error("TLS key " + s.key_file + " does not match " + s.certificate_file);
  if (!s.client_ca_file.empty()) {
    (*ctx)->load_verify_file(s.client_ca_file, ec);
    if (ec) return boost_error("TLS client CA " + s.client_ca_file, ec);
    (*ctx)->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return ctx;
}

Result<std::shared_ptr<ssl::context>> make_client_context(const TlsClientSettings& s) {
  auto ctx = base_context(ssl::context::tls_client);
  if (!ctx) return ctx.error();
  boost::system::error_code ec;
  if (!s.ca_file.empty()) {
    (*ctx)->load_verify_file(s.ca_file, ec);
    if (ec) return boost_error("TLS CA " + s.ca_file, ec);
  } else {
    (*ctx)->set_default_verify_paths(ec);
    if (ec) return boost_error("TLS system trust store", ec);
  }
  (*ctx)->set_verify_mode(s.verify_peer ? ssl::verify_peer : ssl::verify_none);
  if (!s.certificate_file.empty()) {
    (*ctx)->use_certificate_chain_file(s.certificate_file, ec);
    if (ec) return boost_error("TLS certificate " + s.certificate_file, ec);
    (*ctx)->use_private_key_file(s.key_file, ssl::context::pem, ec);
    if (ec) return boost_error("TLS key " + s.key_file, ec);
  }
  return ctx;
}

Result<void> write_self_signed(const fs::path& certificate_file, const fs::path& key_file,
                               const std::vector<std::string>& names) {
  if (names.empty()) return tls_error("a certificate needs a name");
  Owned<EVP_PKEY> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return tls_error("EC key generation");
  Owned<X509> cert(X509_new());
  if (!cert) return tls_error("X509_new");
  X509_set_version(cert.get(), 2);  // v3, for the extensions
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return tls_error("serial number");
  serial[0] &= 0x7F;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("imswitch"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), subject);
  X509_set_pubkey(cert.get(), key.get());
  std::string alt;
  for (const auto& n : names) {
    if (!alt.empty()) alt += ",";
    alt += (is_ip(n) ? "IP:" : "DNS:") + n;
  }
  if (!add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      !add_extension(cert.get(), NID_key_usage, "critical,digitalSignature") ||
      !add_extension(cert.get(), NID_ext_key_usage, "serverAuth,clientAuth") ||
      !add_extension(cert.get(), NID_subject_alt_name, alt))
    return tls_error("certificate extensions");
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return tls_error("signing");

  std::error_code ec;
  fs::create_directories(key_file.parent_path(), ec);
  fs::create_directories(certificate_file.parent_path(), ec);
  {
    const mode_t old = ::umask(077);  // the key is never readable by others, not even briefly
    Owned<FILE> f(std::fopen(key_file.c_str(), "wb"));
    ::umask(old);
    if (!f) return Error{std::error_code(errno, std::system_category()), "cannot write " + key_file.string()};
    if (PEM_write_PrivateKey(f.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
      return tls_error("writing " + key_file.string());
  }
  Owned<FILE> f(std::fopen(certificate_file.c_str(), "wb"));
  if (!f) return Error{std::error_code(errno, std::system_category()), "cannot write " + certificate_file.string()};
  if (PEM_write_X509(f.get(), cert.get()) != 1) return tls_error("writing " + certificate_file.string());
  return {};
}

Result<std::string> certificate_fingerprint(const fs::path& certificate_file) {
  Owned<FILE> f(std::fopen(certificate_file.c_str(), "rb"));
  if (!f) return Error{std::error_code(errno, std::system_category()), "cannot read " + certificate_file.string()};
  Owned<X509> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  if (!cert) return tls_error("no certificate in " + certificate_file.string());
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert.get(), EVP_sha256(), md, &n) != 1) return tls_error("digest");
  std::string out;
  for (unsigned int i = 0; i < n; ++i) out += fmt::format("{}{:02X}", i ? ":" : "", md[i]);
  return out;
}

}  // namespace ims::transport
