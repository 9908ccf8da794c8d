#pragma once
// TLS contexts for the transports (RFC 3261 §26.3.1, RFC 5630) and the switch's self-signed
// identity, on OpenSSL through asio::ssl. Every context speaks TLS 1.2 or later, with forward
// secret AEAD suites only for TLS 1.2 (TLS 1.3 suites are all of that kind), no compression
// and no renegotiation. Record buffers are kept while a connection is busy (releasing them after
// every record costs an allocation and a wipe per record); the flows release them once quiet.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.hpp"

namespace boost::asio::ssl {
class context;
}

namespace ims::transport {

struct TlsServerSettings {
  std::string certificate_file;  // PEM, the leaf first, then its chain
  std::string key_file;          // PEM
  // When set, clients must present a certificate that chains to these CAs (PEM).
  std::string client_ca_file;
};

struct TlsClientSettings {
  bool verify_peer = true;
  std::string ca_file;  // PEM trust anchors; empty: the system's
  // A certificate (and its key) to present, for servers that ask for one; empty: none.
  std::string certificate_file;
  std::string key_file;
};

Result<std::shared_ptr<boost::asio::ssl::context>> make_server_context(const TlsServerSettings& s);
Result<std::shared_ptr<boost::asio::ssl::context>> make_client_context(const TlsClientSettings& s);

// Writes a new self-signed certificate (EC P-256, valid 825 days, subject CN = `names[0]`,
// subjectAltName DNS and IP entries for every name) and its key (mode 0600), creating the
// folder. For the embedded default, so that TLS and WSS work before an operator brings a
// real certificate.
Result<void> write_self_signed(const std::filesystem::path& certificate_file,
                               const std::filesystem::path& key_file,
                               const std::vector<std::string>& names);

// The SHA-256 fingerprint of the first certificate in a PEM file, as "AB:CD:...", the form
// browsers and `openssl x509 -fingerprint -sha256` show.
Result<std::string> certificate_fingerprint(const std::filesystem::path& certificate_file);

}  // namespace ims::transport
