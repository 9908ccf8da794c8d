#pragma once
// What every imtool command needs to reach the switch as an agent, from its command line.

#include <optional>
#include <string>

#include "client/agent.hpp"
#include "common/util/result.hpp"

namespace ims::tool {

struct ConnectArgs {
  std::string server = "127.0.0.1";       // host[:port], IPv6 in brackets; port by transport
  std::string transport = "udp";          // udp, tcp, tls, ws or wss
  std::string ca_file;                    // tls, wss: CA certificates to trust (PEM)
  std::string domain;                     // "" = the server's host
  std::string login;
  std::string password;                   // "" = $IMTOOL_PASSWORD, then a prompt on a terminal
};

// AgentOptions from the command line. Fails with a sentence for a bad --server or --transport,
// or when no password can be had.
Result<client::AgentOptions> agent_options(const ConnectArgs& args, bool may_prompt);

}  // namespace ims::tool
