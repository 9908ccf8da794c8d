// imtool: the imswitch agent in a terminal, and one-shot commands for scripts.
//   imtool agent --login alice            interactive agent (or a script on stdin)
//   imtool send  --login alice bob "hi"   pager message
//   imtool im    --login alice bob "hi"   IM session, prints its outcome
// and on the switch's HTTP API (api_commands.hpp):
//   imtool search mar | state not-ready lunch | queues [2001] | transcripts <words>
//   imtool contacts import FILE.csv|FILE.json
// and for load testers (load/command.hpp):
//   imtool load --agents 'agent{0001..1000}' --rate 500 --duration 60s

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "client/agent.hpp"
#include "client/api_client.hpp"
#include "tools/imtool/api_commands.hpp"
#include "tools/imtool/api_text.hpp"
#include "tools/imtool/console.hpp"
#include "tools/imtool/load/command.hpp"
#include "tools/imtool/oneshot.hpp"
#include "tools/imtool/options.hpp"
#include "tools/imtool/render.hpp"
#include "tools/imtool/shell.hpp"
#include "ims_version.hpp"

namespace {

namespace asio = boost::asio;
using ims::tool::Exit;

// "imtool 0.2.0 (git 1a2b3c4d)"
std::string version_line() {
  return std::string("imtool ") + ims::build::kVersion + " (git " + ims::build::kGitRevision + ")";
}

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

void add_api_address(CLI::App& cmd, ims::tool::ConnectArgs& c) {
  cmd.add_option("--api", c.api,
                 "The switch's HTTP API: http://host:port (default: http://<--server's "
                 "host>:8080, http.listen's default)");
}

// The options of the commands on the HTTP API. admin_only: the admin token, never a login.
void add_api_options(CLI::App& cmd, ims::tool::ConnectArgs& c, int& timeout, bool admin_only) {
  cmd.add_option("-s,--server", c.server, "The switch's host (the API's default address)")
      ->capture_default_str();
  add_api_address(cmd, c);
  if (!admin_only) {
    cmd.add_option("-l,--login", c.login,
                   "Your agent login: the API checks your SIP credentials (HTTP Digest)");
    cmd.add_option("-p,--password", c.password, "Your password; else $IMTOOL_PASSWORD");
  }
  cmd.add_option("--token", c.token,
                 admin_only ? "The admin token (http.admin_token); else $IMTOOL_ADMIN_TOKEN"
                            : "Call as the operator with the admin token (http.admin_token) "
                              "instead of --login; $IMTOOL_ADMIN_TOKEN when neither is given");
  cmd.add_option("--timeout", timeout, "Seconds to wait for each answer of the API")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
}

int run_agent(const ims::tool::ConnectArgs& connect, bool plain) {
  const bool interactive = !plain && ims::tool::Console::detect_interactive();
  auto options = ims::tool::agent_options(connect, true);
  if (!options) {
    std::cerr << "imtool: " << options.error().message << "\n";
    return static_cast<int>(Exit::Usage);
  }
  auto api_options = ims::tool::api_options(connect, *options);
  if (!api_options) {
    std::cerr << "imtool: " << api_options.error().message << "\n";
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
  auto api = ims::client::ApiClient::create(io.get_executor(), *api_options);
  if (!api) {
    std::cerr << "imtool: " << api.error().message << "\n";
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
    (*api)->close();
    signals.cancel();
    winch.cancel();
    io.stop();
  };
  shell.attach(**agent);
  shell.attach_api(**api);
  console->start();
  shell.start();
  io.run();
  console->stop();
  return static_cast<int>(result);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"imtool: an imswitch agent in the terminal, and one-shot commands for scripts"};
  app.set_version_flag("--version", version_line(),
                       "Print \"imtool <version> (git <revision>)\" and exit");
  app.require_subcommand(1);
  app.footer(std::string(ims::tool::exit_help()));

  ims::tool::ConnectArgs connect;

  auto* agent = app.add_subcommand(
      "agent",
      "Log in and chat: /im <agent> <text> opens an IM, /accept or /reject answers an "
      "invitation, typed lines go to the current session; /search <text> finds agents and "
      "queues (then /im <n> <text>), /transcripts, /consult, /contact and /history use the "
      "switch's HTTP API (--api); /help in the agent lists every command. Works with a script "
      "on stdin too (see /wait).");
  add_connect_options(*agent, connect);
  add_api_address(*agent, connect);
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

  int api_timeout = 30;
  auto* search = app.add_subcommand(
      "search",
      "The Team Communicator: agents by name, login, email or phone, queues and routing points "
      "by name or number; prints the hits ranked (exact, word prefix, substring), each agent "
      "with its state (ready, not ready with the reason, busy, logged out), email and phone. "
      "Exit status 5 when nothing matches.");
  add_api_options(*search, connect, api_timeout, false);
  ims::tool::SearchArgs search_args;
  search->add_option("text", search_args.text, "What to find, e.g. mar, alice@example.com, 1001")
      ->required();
  search->add_option("--limit", search_args.limit, "At most this many hits")
      ->capture_default_str()
      ->check(CLI::Range(1, 200));
  search->add_flag("--json", search_args.json, "Print the switch's answer as one JSON object");

  auto* state = app.add_subcommand(
      "state",
      "Set an agent's state for IM through the HTTP API: `state ready`, or `state not-ready "
      "[reason]` (e.g. lunch); your own with --login, another agent's with --agent and the "
      "admin token. Prints the state the switch now shows.");
  add_api_options(*state, connect, api_timeout, false);
  std::string state_word;
  std::vector<std::string> state_reason;
  ims::tool::StateArgs state_args;
  state->add_option("state", state_word, "ready or not-ready")
      ->required()
      ->check(CLI::IsMember({"ready", "not-ready", "not_ready", "notready"}));
  state->add_option("reason", state_reason, "Why not ready (words), e.g. lunch");
  state->add_option("--agent", state_args.agent, "Whose state (admin token): default --login");
  state->add_flag("--json", state_args.json, "Print the agent as the switch shows it, as JSON");

  auto* queues = app.add_subcommand(
      "queues",
      "Each queue's line now: waiting interactions (and the longest wait), free members; with "
      "a number, that queue in detail: who waits, members and their states, counters.");
  add_api_options(*queues, connect, api_timeout, false);
  ims::tool::QueuesArgs queues_args;
  queues->add_option("number", queues_args.number, "One queue's number, e.g. 2001");
  queues->add_flag("--json", queues_args.json, "Print the switch's answer as one JSON object");

  auto* transcripts = app.add_subcommand(
      "transcripts",
      "Search the saved IM transcripts: every word must occur (case and accents ignored, the "
      "last word of 4+ letters also as a prefix); newest first, each hit with its time (UTC), "
      "session, sender -> recipient and the text with the matches in «». An agent finds its "
      "own sessions, the admin all. Exit status 5 when nothing is found.");
  add_api_options(*transcripts, connect, api_timeout, false);
  ims::tool::TranscriptsArgs transcripts_args;
  std::vector<std::string> transcript_words;
  std::string since_text;
  std::string until_text;
  transcripts->add_option("words", transcript_words, "Words to find")->required();
  transcripts->add_option("--party", transcripts_args.party,
                          "Only sessions with this login (for the admin: that login's)");
  transcripts->add_option("--since", since_text,
                          "From this time: 30m, 2h, 7d (ago), 2026-12-01, 2026-12-01T08:30 "
                          "(UTC) or Unix milliseconds");
  transcripts->add_option("--until", until_text, "Up to this time (same forms as --since)");
  transcripts->add_option("--limit", transcripts_args.limit, "Hits per page (default 20)")
      ->check(CLI::Range(1, 200));
  transcripts->add_flag("--all", transcripts_args.all,
                        "Fetch every page (at most 50), not only the first");
  transcripts->add_flag("--json", transcripts_args.json, "Print the hits as one JSON object");

  auto* contacts = app.add_subcommand("contacts", "Contacts in the switch's store (admin)");
  contacts->require_subcommand(1);
  auto* import = contacts->add_subcommand(
      "import",
      "Insert or update contacts from a file, as the operator (admin token). CSV: a header row "
      "naming the columns id (required), name, email, phone, company, notes, any other column "
      "going into the contact's attributes; RFC 4180 quoting (\"...\" around commas, line "
      "breaks, doubled quotes). JSON: one contact or an array of "
      "{\"id\",\"name\",\"email\",\"phone\",\"company\",\"notes\",\"attributes\":{}}. The "
      "whole file is checked first: a bad row is reported with its line and nothing is "
      "imported. Sent in batches of at most 1,000.");
  add_api_options(*import, connect, api_timeout, true);
  ims::tool::ImportArgs import_args;
  import->add_option("file", import_args.file, "FILE.csv or FILE.json")->required();
  import->add_flag("--json", import_args.json, "Print the outcome as one JSON object");

  ims::tool::load::LoadArgs load_args;
  auto* load = ims::tool::load::add_load_command(app, load_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(Exit::Usage);
  }

  if (agent->parsed()) return run_agent(connect, plain);
  if (load->parsed()) return ims::tool::load::run_load(load_args);

  connect.timeout = std::chrono::seconds{api_timeout};
  const bool api_command = search->parsed() || state->parsed() || queues->parsed() ||
                           transcripts->parsed() || import->parsed();
  if (api_command) {
    auto api = ims::tool::api_options(
        connect, import->parsed() ? ims::tool::ApiAuth::Admin : ims::tool::ApiAuth::AgentOrAdmin);
    if (!api) {
      std::cerr << "imtool: " << api.error().message << "\n";
      return static_cast<int>(Exit::Usage);
    }
    if (search->parsed()) return static_cast<int>(ims::tool::run_search(*api, search_args));
    if (queues->parsed()) return static_cast<int>(ims::tool::run_queues(*api, queues_args));
    if (import->parsed())
      return static_cast<int>(ims::tool::run_contacts_import(*api, import_args));
    if (state->parsed()) {
      state_args.ready = state_word == "ready";
      for (const auto& w : state_reason)
        state_args.reason += (state_args.reason.empty() ? "" : " ") + w;
      if (state_args.ready && !state_args.reason.empty()) {
        std::cerr << "imtool: a reason goes with not-ready only\n";
        return static_cast<int>(Exit::Usage);
      }
      return static_cast<int>(ims::tool::run_state(*api, state_args));
    }
    for (const auto& w : transcript_words)
      transcripts_args.words += (transcripts_args.words.empty() ? "" : " ") + w;
    const auto now = std::chrono::system_clock::now();
    for (auto [text, out, name] : {std::tuple{&since_text, &transcripts_args.since_ms, "--since"},
                                   std::tuple{&until_text, &transcripts_args.until_ms, "--until"}}) {
      if (text->empty()) continue;
      auto ms = ims::tool::parse_time_arg(*text, now);
      if (!ms) {
        std::cerr << "imtool: " << name << ": " << ms.error().message << "\n";
        return static_cast<int>(Exit::Usage);
      }
      *out = *ms;
    }
    return static_cast<int>(ims::tool::run_transcripts(*api, transcripts_args));
  }

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
