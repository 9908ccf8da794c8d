#pragma once
// The switch's TLS and WebSocket settings, from the configuration to the transport options:
// the certificate of the tls and wss listeners (the configured pair, or for the embedded
// default a self-signed pair generated once into the store's folder, its fingerprint logged),
// the context for the rare TLS connection the switch opens itself, and the WebSocket limits
// and pages. Called once at start-up, before any listener binds.

#include <filesystem>
#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "common/transport/options.hpp"
#include "common/util/result.hpp"
#include "switch/config/config.hpp"

namespace ims::sw::app {

// Where the self-signed pair lives: <folder of the store file>/tls/imswitch.{crt,key}.
std::filesystem::path self_signed_certificate(const config::Config& config);
std::filesystem::path self_signed_key(const config::Config& config);

// Fills options.tls and options.websocket. TLS contexts are made only when a tls or wss
// listener is configured; a configured certificate that cannot be loaded is an error.
Result<void> secure_transports(const config::Config& config, transport::Options& options);

// The HTTPS context of the HTTP API (http.tls): the same certificate as the SIP listeners
// (configured, or the self-signed pair), never asking clients for one.
Result<std::shared_ptr<boost::asio::ssl::context>> api_tls_context(const config::Config& config);

}  // namespace ims::sw::app
