#include "tools/imtool/options.hpp"

#include <termios.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <iostream>

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

}  // namespace

Result<client::AgentOptions> agent_options(const ConnectArgs& args, bool may_prompt) {
  client::AgentOptions o;
  std::string_view s = args.server;
  std::string host;
  std::string_view port_text;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return bad("--server: missing ']' after an IPv6 address");
    host = std::string(s.substr(1, close - 1));
    const auto rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad("--server: expected ':' and a port after ']'");
      port_text = rest.substr(1);
    }
  } else {
    const auto colon = s.rfind(':');
    if (colon != std::string_view::npos && s.find(':') == colon) {
      host = std::string(s.substr(0, colon));
      port_text = s.substr(colon + 1);
    } else {
      host = std::string(s);  // a bare IPv6 address or a host without port
    }
  }
  if (host.empty()) return bad("--server: no address");
  o.server_host = host;
  if (!port_text.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
    if (ec != std::errc{} || p != port_text.data() + port_text.size() || v == 0 || v > 65535)
      return bad("--server: port must be 1-65535");
    o.server_port = static_cast<std::uint16_t>(v);
  }
  const auto protocol = transport::protocol_from_name(args.transport);
  if (!protocol) return bad("--transport: udp, tcp, tls, ws or wss");
  o.transport = *protocol;
  // The switch's default ports: 5060 (udp, tcp), 5061 (tls), 5066 (ws), 7443 (wss).
  if (port_text.empty()) {
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
  o.password = args.password;
  if (o.password.empty()) {
    if (const char* env = std::getenv("IMTOOL_PASSWORD")) o.password = env;
  }
  if (o.password.empty() && may_prompt) {
    if (auto pw = prompt_password(o.login)) o.password = *pw;
  }
  if (o.password.empty())
    return bad("no password: give --password, set IMTOOL_PASSWORD, or run on a terminal");
  return o;
}

}  // namespace ims::tool
