#include "switch/app/secure.hpp"

#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "common/transport/tls_context.hpp"
#include "switch/app/web_pages.hpp"

namespace ims::sw::app {

namespace fs = std::filesystem;

namespace {

fs::path store_folder(const config::Config& config) {
  const fs::path db(config.store.path);
  return db.has_parent_path() ? db.parent_path() : fs::path(".");
}

// The names a self-signed certificate carries: what clients are told to connect to.
std::vector<std::string> certificate_names(const config::Config& config) {
  std::vector<std::string> names{"localhost"};
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') names.emplace_back(host);
  if (config.directory) {
    for (const auto& d : config.directory->domains()) names.push_back(d);
  }
  for (const char* ip : {"127.0.0.1", "::1"}) names.emplace_back(ip);
  std::vector<std::string> unique;
  for (auto& n : names) {
    std::string bare = n.size() > 2 && n.front() == '[' ? n.substr(1, n.size() - 2) : n;
    if (std::find(unique.begin(), unique.end(), bare) == unique.end()) unique.push_back(bare);
  }
  return unique;
}

Result<transport::TlsServerSettings> server_identity(const config::Config& config) {
  transport::TlsServerSettings s;
  s.client_ca_file = config.sip.tls.client_ca;
  if (!config.sip.tls.certificate.empty()) {
    s.certificate_file = config.sip.tls.certificate;
    s.key_file = config.sip.tls.key;
    return s;
  }
  const fs::path crt = self_signed_certificate(config);
  const fs::path key = self_signed_key(config);
  s.certificate_file = crt.string();
  s.key_file = key.string();
  std::error_code ec;
  if (fs::exists(crt, ec) && fs::exists(key, ec)) return s;
  if (auto made = transport::write_self_signed(crt, key, certificate_names(config)); !made)
    return made.error();
  spdlog::warn("TLS: no sip.tls.certificate configured; generated a self-signed certificate {} "
               "(key {}). Clients must be told to trust it (see the README), or configure a "
               "real one",
               crt.string(), key.string());
  return s;
}

}  // namespace

fs::path self_signed_certificate(const config::Config& config) {
  return store_folder(config) / "tls" / "imswitch.crt";
}

fs::path self_signed_key(const config::Config& config) {
  return store_folder(config) / "tls" / "imswitch.key";
}

Result<std::shared_ptr<boost::asio::ssl::context>> api_tls_context(const config::Config& config) {
  auto identity = server_identity(config);
  if (!identity) return identity.error();
  identity->client_ca_file.clear();  // agents' HTTP clients carry no certificate
  auto context = transport::make_server_context(*identity);
  if (!context) return context.error();
  spdlog::info("HTTP API over TLS with certificate {}", identity->certificate_file);
  return std::move(*context);
}

Result<void> secure_transports(const config::Config& config, transport::Options& options) {
  const auto& ws = config.sip.websocket;
  options.websocket.allowed_origins = ws.allowed_origins;
  options.websocket.max_upgrade_bytes = ws.max_upgrade_bytes;
  options.websocket.ping_interval = ws.ping_interval;
  if (ws.demo_page) {
    const fs::path root = ws.web_root.empty() ? fs::path(config::WebSocket::kDefaultWebRoot)
                                              : fs::path(ws.web_root);
    std::error_code ec;
    if (fs::exists(root / kJsSipFile, ec)) {
      spdlog::info("WebSocket demo page: JsSIP from {}", (root / kJsSipFile).string());
    } else {
      spdlog::warn("WebSocket demo page: no {} in {} (sip.websocket.web_root); the page will "
                   "say how to get it (npm ci in tools/web)",
                   kJsSipFile, root.string());
    }
    options.websocket.pages = demo_pages(root);
  }

  const bool wants_tls = std::any_of(config.sip.listen.begin(), config.sip.listen.end(),
                                     [](const config::Listen& l) {
                                       return transport::is_secure(l.protocol);
                                     });
  if (!wants_tls) return {};
  auto identity = server_identity(config);
  if (!identity) return identity.error();
  auto server = transport::make_server_context(*identity);
  if (!server) return server.error();
  options.tls.server = std::move(*server);
  auto fingerprint = transport::certificate_fingerprint(identity->certificate_file);
  if (!fingerprint) return fingerprint.error();
  spdlog::info("TLS certificate {}, SHA-256 fingerprint {}", identity->certificate_file,
               *fingerprint);
  transport::TlsClientSettings client;
  client.verify_peer = config.sip.tls.verify_peers;
  auto outbound = transport::make_client_context(client);
  if (!outbound) return outbound.error();
  options.tls.client = std::move(*outbound);
  return {};
}

}  // namespace ims::sw::app
