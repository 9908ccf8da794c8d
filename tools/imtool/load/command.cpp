#include "tools/imtool/load/command.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include "tools/imtool/load/results.hpp"
#include "tools/imtool/load/runner.hpp"
#include "tools/imtool/render.hpp"

namespace ims::tool::load {

namespace {

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{std::make_error_code(std::errc::no_such_file_or_directory),
                        fmt::format("cannot read {}", path)};
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > 64 * 1024 * 1024)
    return Error{std::make_error_code(std::errc::file_too_large), path + ": larger than 64 MB"};
  return text.str();
}

// One socket per agent: a thousand agents need more descriptors than a shell's default 1,024.
void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
  }
}

int usage(const std::string& why) {
  std::cerr << "imtool load: " << why << "\n";
  return static_cast<int>(Exit::Usage);
}

}  // namespace

CLI::App* add_load_command(CLI::App& app, LoadArgs& a) {
  auto* cmd = app.add_subcommand(
      "load",
      "Load the switch like a contact centre: log N agents in, then offer a traffic mix (pager "
      "MESSAGEs, IM sessions to agents or to a queue, REGISTER refreshes) at a paced rate with "
      "an optional ramp, or flat out with a bound on what is in flight; the agents answer "
      "invitations themselves (or leave that to another `imtool load --answer`). Stops after "
      "--duration and/or --count, or at Ctrl-C, and prints a report: per operation the count, "
      "rate and latency percentiles (measured from each request's intended time, so a stalled "
      "switch shows as latency), every failure by cause, retransmissions, and with --api the "
      "switch's /metrics compared. Exit status 1 when more than --max-failure-rate failed.");
  cmd->add_option("-s,--server", a.connect.server,
                  "The switch: host[:port] (the port defaults to the transport's)")
      ->capture_default_str();
  cmd->add_option("-t,--transport", a.connect.transport, "udp, tcp, tls, ws or wss; one "
                  "socket or connection per agent")
      ->capture_default_str()
      ->check(CLI::IsMember({"udp", "tcp", "tls", "ws", "wss"}));
  cmd->add_option("--ca", a.connect.ca_file, "tls, wss: PEM file of the certificates to trust")
      ->check(CLI::ExistingFile);
  cmd->add_option("-d,--domain", a.connect.domain, "SIP domain (default: the server's host)");
  cmd->add_option("--local", a.local, "The address the agents bind (default 127.0.0.1)");
  cmd->add_option("--profile", a.profile,
                  "A YAML file with any of the settings below (agents, targets, password, rate, "
                  "ramp, duration, count, mix, queue, session_messages, answer: {accept, "
                  "decline, no_answer, think}, ...); options on the command line win")
      ->check(CLI::ExistingFile);
  a.agents_opt = cmd->add_option("-a,--agents", a.agents,
                                 "Who logs in: 'agent{0001..1000}', several separated by commas");
  cmd->add_option("--agents-file", a.agents_file,
                  "CSV with a header naming `login` and optionally `password`")
      ->check(CLI::ExistingFile);
  a.targets_opt = cmd->add_option(
      "--targets", a.targets,
      "Whom messages and sessions go to (same form; default: the agents themselves)");
  a.password_opt = cmd->add_option("--password", a.password,
                                   "Password pattern, {login} replaced (default pw-{login})");
  a.register_rate_opt =
      cmd->add_option("--register-rate", a.register_rate, "Logins per second (default 200)")
          ->check(CLI::Range(0.001, kMaxRate));
  a.expires_opt = cmd->add_option("--expires", a.expires,
                                  "Registration time asked for (default 10m); the agents "
                                  "refresh at half of what the switch grants");
  a.mix_opt = cmd->add_option("-m,--mix", a.mix,
                              "Traffic mix as weights: message=80,session=15,queue=5,register=0 "
                              "(default: message only)");
  a.rate_opt = cmd->add_option("-r,--rate", a.rate,
                               "Scenarios started per second; 0 = flat out (default 100)")
                   ->check(CLI::Range(0.0, kMaxRate));
  a.ramp_opt = cmd->add_option("--ramp", a.ramp, "Climb linearly to --rate over this time (10s)");
  a.duration_opt = cmd->add_option("--duration", a.duration, "How long to offer traffic (60s, 5m)");
  a.count_opt = cmd->add_option("-n,--count", a.count, "How many scenarios to start in all")
                    ->check(CLI::PositiveNumber);
  a.outstanding_opt = cmd->add_option(
      "--max-outstanding", a.max_outstanding,
      "Scenarios in flight at most (default: 200 flat out, 10000 paced; a paced scenario held "
      "back still counts its latency from its time)")
                          ->check(CLI::Range(std::size_t{1}, kMaxOutstanding));
  a.session_messages_opt =
      cmd->add_option("--session-messages", a.session_messages,
                      "MESSAGEs the initiator sends in each session before BYE (default 3)")
          ->check(CLI::Range(0, kMaxSessionMessages));
  a.message_think_opt =
      cmd->add_option("--message-think", a.message_think, "Pause between them (default 0)");
  a.queue_opt = cmd->add_option("-q,--queue", a.queue,
                                "The queue or routing point number of `queue` sessions");
  a.ring_timeout_opt = cmd->add_option("--ring-timeout", a.ring_timeout,
                                       "Cancel an invitation unanswered this long (default 20s)");
  a.drain_opt = cmd->add_option("--drain", a.drain,
                                "After the last start, wait this long for answers (default 35s)");
  a.size_opt = cmd->add_option("--size", a.text_bytes, "Bytes of text per message (default 20)")
                   ->check(CLI::Range(std::size_t{1}, kMaxTextBytes));
  a.seed_opt = cmd->add_option("--seed", a.seed, "Seed of the random choices (default 1)");
  cmd->add_flag("--answer", a.answer_only,
                "Only log in and answer invitations (for a second process or machine); runs "
                "until --duration or Ctrl-C");
  a.accept_opt = cmd->add_option("--accept", a.accept, "Share of invitations accepted (1)")
                     ->check(CLI::Range(0.0, 1.0));
  a.decline_opt = cmd->add_option("--decline", a.decline, "Share declined with 603 (0)")
                      ->check(CLI::Range(0.0, 1.0));
  a.no_answer_opt = cmd->add_option("--no-answer", a.no_answer, "Share left ringing (0)")
                        ->check(CLI::Range(0.0, 1.0));
  a.think_opt = cmd->add_option("--think", a.think, "Wait before accepting or declining (0)");
  a.max_failure_opt =
      cmd->add_option("--max-failure-rate", a.max_failure_rate,
                      "Exit 1 when failed scenarios and logins exceed this share (default 0.01); "
                      "expected declines and unanswered invitations do not count")
          ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--json", a.json_file, "Write the report as JSON to this file ('-': stdout)");
  cmd->add_option("--api", a.connect.api,
                  "The switch's HTTP API (http://host:port): /metrics is read before and after "
                  "and compared with what the run counted");
  cmd->add_option("--progress", a.progress_every,
                  "Seconds between progress lines when not on a terminal (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600));
  return cmd;
}

int run_load(const LoadArgs& a) {
  LoadPlan plan;
  if (!a.profile.empty()) {
    auto text = read_file(a.profile);
    if (!text) return usage(text.error().message);
    if (auto ok = apply_profile(*text, a.profile, plan); !ok) return usage(ok.error().message);
  }
  auto given = [](CLI::Option* o) { return o && o->count() > 0; };
  if (given(a.agents_opt)) {
    auto logins = expand_logins(a.agents);
    if (!logins) return usage("--agents: " + logins.error().message);
    plan.agents = std::move(*logins);
  }
  if (!a.agents_file.empty()) {
    auto text = read_file(a.agents_file);
    if (!text) return usage(text.error().message);
    auto file = read_agents_file(*text);
    if (!file) return usage(a.agents_file + ": " + file.error().message);
    plan.agents = std::move(file->logins);
    plan.passwords = std::move(file->passwords);
  }
  if (given(a.targets_opt)) {
    auto logins = expand_logins(a.targets);
    if (!logins) return usage("--targets: " + logins.error().message);
    plan.targets = std::move(*logins);
  }
  if (given(a.password_opt)) plan.password_pattern = a.password;
  if (given(a.register_rate_opt)) plan.register_rate = a.register_rate;
  if (given(a.mix_opt)) {
    auto mix = parse_mix(a.mix);
    if (!mix) return usage("--mix: " + mix.error().message);
    plan.mix = *mix;
  }
  if (given(a.rate_opt)) plan.rate = a.rate;
  for (auto [opt, text, out, name] :
       {std::tuple{a.ramp_opt, &a.ramp, &plan.ramp, "--ramp"},
        std::tuple{a.message_think_opt, &a.message_think, &plan.message_think, "--message-think"},
        std::tuple{a.ring_timeout_opt, &a.ring_timeout, &plan.ring_timeout, "--ring-timeout"},
        std::tuple{a.drain_opt, &a.drain, &plan.drain, "--drain"},
        std::tuple{a.think_opt, &a.think, &plan.answer.think, "--think"}}) {
    if (!given(opt)) continue;
    auto d = parse_duration(*text);
    if (!d) return usage(std::string(name) + ": " + d.error().message);
    *out = *d;
  }
  if (given(a.expires_opt)) {
    auto d = parse_duration(a.expires);
    if (!d || d->count() < 1000) return usage("--expires: a duration of a second or more");
    plan.expires = std::chrono::duration_cast<std::chrono::seconds>(*d);
  }
  if (given(a.duration_opt)) {
    auto d = parse_duration(a.duration);
    if (!d || d->count() == 0) return usage("--duration: a duration above 0 (30s, 5m)");
    plan.duration = *d;
  }
  if (given(a.count_opt)) plan.count = a.count;
  if (given(a.outstanding_opt)) plan.max_outstanding = a.max_outstanding;
  if (given(a.session_messages_opt)) plan.session_messages = a.session_messages;
  if (given(a.queue_opt)) plan.queue = a.queue;
  if (given(a.size_opt)) plan.text_bytes = a.text_bytes;
  if (given(a.seed_opt)) plan.seed = a.seed;
  if (given(a.accept_opt)) plan.answer.accept = a.accept;
  if (given(a.decline_opt)) plan.answer.decline = a.decline;
  if (given(a.no_answer_opt)) plan.answer.no_answer = a.no_answer;
  // Declines or silences asked for without --accept: the rest is accepted.
  if (!given(a.accept_opt) && (given(a.decline_opt) || given(a.no_answer_opt)))
    plan.answer.accept = std::max(0.0, 1.0 - plan.answer.decline - plan.answer.no_answer);
  if (given(a.max_failure_opt)) plan.max_failure_rate = a.max_failure_rate;
  plan.answer_only = a.answer_only;
  if (auto ok = check(plan); !ok) return usage(ok.error().message);

  ConnectArgs connect = a.connect;
  connect.login = plan.agents.front();
  connect.password = "unused";
  auto base = agent_options(connect, false);
  if (!base) return usage(base.error().message);
  if (!a.local.empty()) base->local_host = a.local;

  RunnerSetup setup;
  setup.base = *base;
  if (!a.connect.api.empty()) {
    connect.password = plan.password_for(connect.login);
    auto api = api_options(connect, *base);
    if (!api) return usage(api.error().message);
    setup.api = *api;
  }
  setup.tty = isatty(STDERR_FILENO) != 0;
  setup.progress_every = std::chrono::seconds(a.progress_every);
  setup.progress = [](std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  };

  raise_file_limit();
  boost::asio::io_context io(1);
  Runner runner(io, plan, setup);
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void()> watch = [&] {
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      runner.interrupt();
      watch();
    });
  };
  watch();
  std::cerr << fmt::format(
      "imtool load: {} agents to {}:{} over {}; {}\n", plan.agents.size(), base->server_host,
      base->server_port, a.connect.transport,
      plan.answer_only ? std::string("answering only")
      : plan.flat_out()
          ? fmt::format("flat out, {} in flight", plan.outstanding_bound())
          : fmt::format("{}/s{}", plan.rate,
                        plan.ramp.count() ? fmt::format(" after a {} ms ramp", plan.ramp.count())
                                          : std::string()));
  Results results = runner.run();
  signals.cancel();

  std::cout << render_table(plan, results) << std::flush;
  if (!a.json_file.empty()) {
    const std::string json = to_json(plan, results).dump(2) + "\n";
    if (a.json_file == "-") {
      std::cout << json;
    } else {
      std::ofstream out(a.json_file, std::ios::binary | std::ios::trunc);
      out << json;
      if (!out) {
        std::cerr << "imtool load: cannot write " << a.json_file << "\n";
        return static_cast<int>(Exit::Failure);
      }
    }
  }
  if (results.logged_in == 0) return static_cast<int>(Exit::LoginFailed);
  return results.failure_rate(plan) <= plan.max_failure_rate ? 0 : static_cast<int>(Exit::Failure);
}

}  // namespace ims::tool::load
