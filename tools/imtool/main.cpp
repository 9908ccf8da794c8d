// imtool: the imswitch agent in a terminal, and one-shot commands for scripts.
//   imtool agent --login alice            interactive agent (or a script on stdin)
//   imtool send  --login alice bob "hi"   pager message
//   imtool im    --login alice bob "hi"   IM session, prints its outcome

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>

#include "client/agent.hpp"
#include "tools/imtool/console.hpp"
#include "tools/imtool/oneshot.hpp"
#include "tools/imtool/options.hpp"
#include "tools/imtool/render.hpp"
#include "tools/imtool/shell.hpp"

namespace {

namespace asio = boost::asio;
using ims::tool::Exit;

constexpr const char* kVersion = "imtool 0.1.0";

void add_connect_options(CLI::App& cmd, ims::tool::ConnectArgs& c) {
  cmd.add_option("-s,--server", c.server,
                 "The switch: host[:port], IPv6 in brackets; the port defaults to the "
                 "switch's for the transport (5060 udp/tcp, 5061 tls, 5066 ws, 7443 wss)")
      ->capture_default_str();
  cmd.add_option("-t,--transport", c.transport,
                 "udp, tcp, tls (SIP over TLS), ws or wss (SIP over WebSocket, RFC 7118)")
      ->capture_default_str()
      ->check(CLI::IsMember({"udp", "tcp", "tls", "ws", "wss"}));
  cmd.add_option("--ca", c.ca_file,
                 "tls, wss: PEM file of the certificates to trust (default: the system's). "
                 "For a switch on its self-signed certificate: <store folder>/tls/imswitch.crt")
      ->check(CLI::ExistingFile);
  cmd.add_option("-l,--login", c.login, "Your agent login")->required();
  cmd.add_option("-p,--password", c.password,
                 "Your password; else $IMTOOL_PASSWORD, else asked on the terminal");
  cmd.add_option("-d,--domain", c.domain, "SIP domain (default: the server's host)");
}

int run_agent(const ims::tool::ConnectArgs& connect, bool plain) {
  const bool interactive = !plain && ims::tool::Console::detect_interactive();
  auto options = ims::tool::agent_options(connect, true);
  if (!options) {
    std::cerr << "imtool: " << options.error().message << "\n";
    return static_cast<int>(Exit::Usage);
  }
  asio::io_context io;
  Exit result = Exit::Ok;
  std::unique_ptr<ims::tool::Console> console;
  ims::tool::ShellIo shell_io;
  shell_io.colours = interactive && std::getenv("NO_COLOR") == nullptr;
  shell_io.print = [&](std::string_view text) { console->print(text); };
  shell_io.set_prompt = [&](std::string p, std::size_t w) { console->set_prompt(std::move(p), w); };
  ims::tool::AgentShell shell(io.get_executor(), shell_io);

  auto agent = ims::client::Agent::create(io.get_executor(), *options, shell);
  if (!agent) {
    std::cerr << "imtool: " << agent.error().message << "\n";
    return static_cast<int>(Exit::Usage);
  }
  console = std::make_unique<ims::tool::Console>(
      io.get_executor(),
      ims::tool::ConsoleEvents{[&](std::string line) { shell.on_line(std::move(line)); },
                               [&] { shell.on_end_of_input(); }, [&] { shell.quit(); }},
      interactive);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void()> watch_signals = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      shell.quit();
      watch_signals();
    });
  };
  watch_signals();
  asio::signal_set winch(io, SIGWINCH);
  std::function<void()> watch_winch = [&] {
    winch.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      console->on_resize();
      watch_winch();
    });
  };
  watch_winch();

  shell.on_exit = [&](Exit code) {
    result = code;
    console->stop();
    (*agent)->close();
    signals.cancel();
    winch.cancel();
    io.stop();
  };
  shell.attach(**agent);
  console->start();
  shell.start();
  io.run();
  console->stop();
  return static_cast<int>(result);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"imtool: an imswitch agent in the terminal, and one-shot commands for scripts"};
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(1);
  app.footer(std::string(ims::tool::exit_help()));

  ims::tool::ConnectArgs connect;

  auto* agent = app.add_subcommand(
      "agent",
      "Log in and chat: /im <agent> <text> opens an IM, /accept or /reject answers an "
      "invitation, typed lines go to the current session; /help in the agent lists every "
      "command. Works with a script on stdin too (see /wait).");
  add_connect_options(*agent, connect);
  bool plain = false;
  agent->add_flag("--plain", plain,
                  "No line editing or colours even on a terminal (plain lines in and out)");

  auto* send = app.add_subcommand("send",
                                  "Send a pager message (delivered, or stored while "
                                  "the target is offline)");
  add_connect_options(*send, connect);
  ims::tool::SendArgs send_args;
  int send_timeout = 30;
  send->add_option("target", send_args.target, "The agent's login")->required();
  send->add_option("text", send_args.text, "The message")->required();
  send->add_flag("--json", send_args.json, "Print the result as one JSON object");
  send->add_option("--timeout", send_timeout, "Seconds to wait for the switch")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));

  auto* im = app.add_subcommand(
      "im",
      "Open an IM session and print its outcome: waits for the invitation's answer; "
      "when accepted, sends the --message texts in order, then ends the session (with "
      "--wait: stays until the other side ends it, printing what it sends)");
  add_connect_options(*im, connect);
  ims::tool::ImArgs im_args;
  int im_timeout = 60;
  std::string case_data;
  im->add_option("target", im_args.target, "The agent's login")->required();
  im->add_option("text", im_args.text, "The first message (the invitation shows it)")->required();
  im->add_option("-m,--message", im_args.messages, "Further messages once connected (repeatable)");
  im->add_option("--case-data", case_data, "Case data as JSON, shown read-only to the target");
  im->add_flag("--wait", im_args.wait, "Stay in the session until the other side ends it");
  im->add_flag("--json", im_args.json, "Print the outcome and transcript as one JSON object");
  im->add_option("--timeout", im_timeout,
                 "Seconds for the whole command; an invitation still open then is cancelled")
      ->capture_default_str()
      ->check(CLI::Range(1, 86400));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(Exit::Usage);
  }

  if (agent->parsed()) return run_agent(connect, plain);

  auto options = ims::tool::agent_options(connect, false);
  if (!options) {
    std::cerr << "imtool: " << options.error().message << "\n";
    return static_cast<int>(Exit::Usage);
  }
  if (send->parsed()) {
    send_args.timeout = std::chrono::seconds{send_timeout};
    return static_cast<int>(ims::tool::run_send(*options, send_args));
  }
  im_args.timeout = std::chrono::seconds{im_timeout};
  if (!case_data.empty()) im_args.case_data = case_data;
  return static_cast<int>(ims::tool::run_im(*options, im_args));
}
