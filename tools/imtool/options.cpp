#include "tools/imtool/options.hpp"

#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <iostream>

#include "common/transport/types.hpp"

namespace ims::tool {
namespace {

Error bad(std::string text) {
  return Error{std::make_error_code(std::errc::invalid_argument), std::move(text)};
}

// Reads a password from the terminal without echo.
std::optional<std::string> prompt_password(const std::string& login) {
  if (!::isatty(STDIN_FILENO)) return std::nullopt;
  std::cerr << "Password for " << login << ": " << std::flush;
  termios old{};
  const bool have = ::tcgetattr(STDIN_FILENO, &old) == 0;
  if (have) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string pw;
  std::getline(std::cin, pw);
  if (have) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  return pw;
}

std::string password_of(const ConnectArgs& args) {
  if (!args.password.empty()) return args.password;
  if (const char* env = std::getenv("IMTOOL_PASSWORD")) return env;
  return {};
}

std::string token_of(const ConnectArgs& args) {
  if (!args.token.empty()) return args.token;
  if (const char* env = std::getenv("IMTOOL_ADMIN_TOKEN")) return env;
  return {};
}

}  // namespace

Result<ServerAddress> parse_server(std::string_view s) {
  ServerAddress out;
  std::string_view port_text;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return bad("--server: missing ']' after an IPv6 address");
    out.host = std::string(s.substr(1, close - 1));
    const auto rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("--server: expected ':' and a port after ']'");
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = s.rfind(':');
    if (colon != std::string_view::npos && s.find(':') == colon) {
      out.host = std::string(s.substr(0, colon));
      port_text = s.substr(colon + 1);
    } else {
      out.host = std::string(s);  // a bare IPv6 address or a host without port
    }
  }
  if (out.host.empty()) return bad("--server: no address");
  if (!port_text.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || v == 0 || v > 65535)
      return bad("--server: port must be 1-65535");
    out.port = static_cast<std::uint16_t>(v);
  }
  return out;
}

Result<client::AgentOptions> agent_options(const ConnectArgs& args, bool may_prompt) {
  client::AgentOptions o;
  auto server = parse_server(args.server);
  if (!server) return server.error();
  const std::string host = server->host;
  o.server_host = host;
  if (server->port) o.server_port = *server->port;
  const auto protocol = transport::protocol_from_name(args.transport);
  if (!protocol) return bad("--transport: udp, tcp, tls, ws or wss");
  o.transport = *protocol;
  // The switch's default ports: 5060 (udp, tcp), 5061 (tls), 5066 (ws), 7443 (wss).
  if (!server->port) {
    switch (*protocol) {
      case transport::Protocol::Tls: o.server_port = 5061; break;
      case transport::Protocol::Ws: o.server_port = 5066; break;
      case transport::Protocol::Wss: o.server_port = 7443; break;
      default: o.server_port = 5060; break;
    }
  }
  o.tls_ca_file = args.ca_file;
  if (host.find(':') != std::string::npos) o.local_host = "::1";
  o.domain = args.domain;
  o.login = args.login;
  o.password = password_of(args);
  if (o.password.empty() && may_prompt) {
    if (auto pw = prompt_password(o.login)) o.password = *pw;
  }
  if (o.password.empty())
    return bad("no password: give --password, set IMTOOL_PASSWORD, or run on a terminal");
  return o;
}

Result<client::ApiOptions> api_options(const ConnectArgs& args, ApiAuth auth) {
  client::ApiOptions o;
  if (args.api.empty()) {
    auto server = parse_server(args.server);
    if (!server) return server.error();
    o.host = server->host;
    o.port = kDefaultApiPort;
  } else {
    auto url = client::parse_api_url(args.api);
    if (!url) return bad("--api: " + url.error().message);
    o.host = url->first;
    o.port = url->second;
  }
  if (!transport::parse_ip(o.host))
    return bad("--server: the host must be an IP address: " + o.host);
  o.timeout = args.timeout;
  const std::string token = token_of(args);
  if (auth == ApiAuth::Admin) {
    if (token.empty())
      return bad("this needs the admin token (http.admin_token): give --token or set "
                 "IMTOOL_ADMIN_TOKEN");
    o.admin_token = token;
    return o;
  }
  // An explicit --token wins; else the agent's credentials; else the token from the environment.
  if (!args.token.empty() || (args.login.empty() && !token.empty())) {
    o.admin_token = token;
    return o;
  }
  if (args.login.empty())
    return bad("who asks? give --login (and the agent's password) or --token (the admin token)");
  o.login = args.login;
  o.password = password_of(args);
  if (o.password.empty())
    return bad("no password: give --password or set IMTOOL_PASSWORD");
  return o;
}

Result<client::ApiOptions> api_options(const ConnectArgs& args,
                                       const client::AgentOptions& agent) {
  ConnectArgs a = args;
  a.token.clear();
  a.login = agent.login;
  a.password = agent.password;
  return api_options(a, ApiAuth::AgentOrAdmin);
}

}  // namespace ims::tool
