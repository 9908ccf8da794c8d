#pragma once
// What every imtool command needs to reach the switch, from its command line: as an agent over
// SIP (AgentOptions), and over the HTTP API (ApiOptions) as that agent or as the operator.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/agent.hpp"
#include "client/api_client.hpp"
#include "common/util/result.hpp"

namespace ims::tool {

struct ConnectArgs {
  std::string server = "127.0.0.1";       // host[:port], IPv6 in brackets; port by transport
  std::string transport = "udp";          // udp, tcp, tls, ws or wss
  std::string ca_file;                    // tls, wss: CA certificates to trust (PEM)
  std::string domain;                     // "" = the server's host
  std::string login;
  std::string password;                   // "" = $IMTOOL_PASSWORD, then a prompt on a terminal
  std::string api;                        // http://host:port; "" = http://<server host>:8080
  std::string token;                      // the admin token; "" = $IMTOOL_ADMIN_TOKEN
  std::chrono::seconds timeout{30};       // the API's, per request
};

// Where the switch's HTTP API listens when --api is not given (http.listen's default port).
inline constexpr std::uint16_t kDefaultApiPort = 8080;

// --server's host and port, when given.
struct ServerAddress {
  std::string host;
  std::optional<std::uint16_t> port;
};
Result<ServerAddress> parse_server(std::string_view server);

// AgentOptions from the command line. Fails with a sentence for a bad --server or --transport,
// or when no password can be had.
Result<client::AgentOptions> agent_options(const ConnectArgs& args, bool may_prompt);

// Who calls the API: an agent or the admin (AgentOrAdmin: --token, else --login with its
// password, else $IMTOOL_ADMIN_TOKEN), or only the admin (--token or $IMTOOL_ADMIN_TOKEN).
enum class ApiAuth { AgentOrAdmin, Admin };

// ApiOptions from the command line. Fails with a sentence for a bad --api or --server, or when
// nobody to call as can be had.
Result<client::ApiOptions> api_options(const ConnectArgs& args, ApiAuth auth);
// The same for the logged-in agent of `imtool agent` (its login and password, never a token).
Result<client::ApiOptions> api_options(const ConnectArgs& args, const client::AgentOptions& agent);

}  // namespace ims::tool
