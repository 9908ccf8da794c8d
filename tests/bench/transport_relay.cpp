// MESSAGE relay through imswitch over one transport, driven by client-library agents: N agents
// log in over the transport (each over its own connection, or its own UDP socket), then agent i
// sends to agent i+1 with W messages in flight at most, until M messages have had their final
// answer. Prints one JSON line: the transport, the relayed rate, the statuses and failures.
// tests/bench/transports.sh runs it for every transport against one switch and compares.
//
//   bench_transport_relay --port P --transport ws [--ca FILE] [--agents 1000] [--messages
//                         20000] [--window 200] [--rate 0] [--timeout 120]
//
// Bounded: it stops after M messages or the timeout, whichever comes first. Loopback only.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <unistd.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "client/agent.hpp"

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// The switch's CPU time (user + system) in ms, from /proc; -1 without a pid.
long cpu_ms(int pid) {
  if (pid <= 0) return -1;
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return -1;
  char buf[1024];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces
  unsigned long utime = 0, stime = 0;
  if (!p || std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
                        &stime) != 2)
    return -1;
  return static_cast<long>((utime + stime) * 1000 / static_cast<unsigned long>(sysconf(_SC_CLK_TCK)));
}

struct Run {
  int switch_pid = 0;
  long cpu_start = -1, cpu_end = -1;
  asio::io_context io{1};
  std::vector<std::unique_ptr<ims::client::AgentEvents>> events;
  std::vector<std::unique_ptr<ims::client::Agent>> agents;
  std::size_t logged_in = 0, login_failed = 0, next_login = 0;
  std::size_t sent = 0, done = 0, messages = 0, window = 0;
  std::map<std::string, std::size_t> outcomes;
  Clock::time_point start, end;
  double rate = 0;  // messages per second to pace at; 0 = as fast as the window allows
  std::unique_ptr<asio::steady_timer> pacer;
};

void send_next(Run& r);

// Paced sending: every millisecond, what the pace allows by then (and the window admits).
void pace(Run& r) {
  r.pacer->expires_after(std::chrono::milliseconds(1));
  r.pacer->async_wait([&r](const boost::system::error_code& ec) {
    if (ec || r.sent >= r.messages) return;
    send_next(r);
    pace(r);
  });
}

std::string g_prefix = "agent";
int g_digits = 4;
std::string login_of(std::size_t i) { return fmt::format("{}{:0{}}", g_prefix, i + 1, g_digits); }

// With --rate, how many messages the pace allows by now; else all of them.
std::size_t allowed(const Run& r) {
  if (r.rate <= 0) return r.messages;
  const double due = r.rate * std::chrono::duration<double>(Clock::now() - r.start).count();
  return std::min(r.messages, static_cast<std::size_t>(due) + 1);
}

void send_next(Run& r) {
  const std::size_t limit = allowed(r);
  while (r.sent < limit && r.sent - r.done < r.window) {
    const std::size_t from = r.sent % r.agents.size();
    const std::size_t to = (from + 1) % r.agents.size();
    ++r.sent;
    r.agents[from]->send_pager(login_of(to), "relay bench " + std::to_string(r.sent),
                               [&r](ims::Result<int> status) {
                                 ++r.done;
                                 ++r.outcomes[status ? std::to_string(*status)
                                                     : status.error().message];
                                 if (r.done == r.messages) {
                                   r.end = Clock::now();
                                   r.cpu_end = cpu_ms(r.switch_pid);
                                   r.io.stop();
                                   return;
                                 }
                                 send_next(r);
                               });
  }
}

// Logs the agents in, at most 50 at a time, then starts sending.
void login_next(Run& r) {
  while (r.next_login < r.agents.size() && r.next_login - r.logged_in - r.login_failed < 50) {
    auto& agent = *r.agents[r.next_login++];
    agent.login([&r](ims::Result<std::chrono::seconds> in) {
      (in ? r.logged_in : r.login_failed) += 1;
      if (r.logged_in + r.login_failed == r.agents.size()) {
        if (r.login_failed > 0) return r.io.stop();
        if (r.messages == 0) {  // --idle: hold the connections until stdin closes or time is up
          std::printf("{\"logged_in\":%zu}\n", r.logged_in);
          std::fflush(stdout);
          return;
        }
        r.start = Clock::now();
        r.cpu_start = cpu_ms(r.switch_pid);
        std::fprintf(stderr, "bench_transport_relay: %zu agents logged in, sending\n",
                     r.logged_in);  // a script may wait for this line
        if (r.rate > 0) {
          r.pacer = std::make_unique<asio::steady_timer>(r.io);
          pace(r);
        }
        return send_next(r);
      }
      login_next(r);
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  Run r;
  CLI::App app{"MESSAGE relay rate through imswitch over one transport (client-library agents)"};
  std::string host = "127.0.0.1", transport_name = "udp", ca;
  std::uint16_t port = 5060;
  std::size_t agents = 1000, messages = 20000, window = 200;
  int timeout_s = 120;
  bool idle = false;
  int switch_pid = 0;
  app.add_option("--host", host, "The switch's address")->capture_default_str();
  app.add_option("--port", port, "The switch's port for the transport")->required();
  app.add_option("--transport", transport_name, "udp, tcp, tls, ws or wss")->capture_default_str();
  app.add_option("--ca", ca, "tls, wss: the switch's certificate (PEM) to trust");
  app.add_option("--agents", agents, "Agents <prefix>0001.. to log in")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  app.add_option("--prefix", g_prefix, "Login prefix (config/bench.yaml: agent, 4 digits; load, 6)")
      ->capture_default_str();
  app.add_option("--digits", g_digits, "Digits after the prefix")->check(CLI::Range(1, 9));
  app.add_option("--switch-pid", switch_pid,
                 "The switch's process: its CPU time while messages flow is reported (switch_ms)");
  app.add_flag("--idle", idle,
               "Log the agents in, print {\"logged_in\":N} and hold the connections idle until "
               "the timeout (for measuring what idle connections cost the switch)");
  app.add_option("--messages", messages, "Messages to relay")->check(CLI::Range(1, 10000000));
  app.add_option("--window", window, "Messages in flight at most")->check(CLI::Range(1, 100000));
  app.add_option("--rate", r.rate,
                 "Messages per second to send at (paced from the first send; the window still "
                 "caps what is in flight); 0: as fast as the window allows")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--timeout", timeout_s, "Seconds before giving up")->check(CLI::Range(1, 3600));
  CLI11_PARSE(app, argc, argv);
  const auto protocol = ims::transport::protocol_from_name(transport_name);
  if (!protocol) {
    std::fprintf(stderr, "bench_transport_relay: unknown transport %s\n", transport_name.c_str());
    return 2;
  }

  r.messages = idle ? 0 : messages;
  r.switch_pid = switch_pid;
  r.window = window;
  for (std::size_t i = 0; i < agents; ++i) {
    ims::client::AgentOptions o;
    o.server_host = host;
    o.server_port = port;
    o.transport = *protocol;
    o.tls_ca_file = ca;
    o.login = login_of(i);
    o.password = "pw-" + o.login;
    o.stack.transport.tcp_idle_timeout = std::chrono::seconds(3600);
    r.events.push_back(std::make_unique<ims::client::AgentEvents>());
    auto a = ims::client::Agent::create(r.io.get_executor(), o, *r.events.back());
    if (!a) {
      std::fprintf(stderr, "bench_transport_relay: %s\n", a.error().message.c_str());
      return 2;
    }
    r.agents.push_back(std::move(*a));
  }
  asio::steady_timer limit(r.io, std::chrono::seconds(timeout_s));
  limit.async_wait([&](const boost::system::error_code& ec) {
    if (!ec) r.io.stop();
  });
  login_next(r);
  r.io.run();
  if (idle) return r.logged_in == agents ? 0 : 1;
  if (r.end == Clock::time_point{}) r.end = Clock::now();
  if (r.pacer) r.pacer->cancel();
  const double secs =
      r.start == Clock::time_point{} ? 0 : std::chrono::duration<double>(r.end - r.start).count();
  std::string outcomes;
  for (const auto& [what, n] : r.outcomes)
    outcomes += fmt::format("{}\"{}\":{}", outcomes.empty() ? "" : ",", what, n);
  std::printf(
      "{\"transport\":\"%s\",\"agents\":%zu,\"logged_in\":%zu,\"messages\":%zu,\"done\":%zu,"
      "\"seconds\":%.3f,\"rate\":%.0f,\"switch_ms\":%ld,\"outcomes\":{%s}}\n",
      transport_name.c_str(), agents, r.logged_in, r.messages, r.done, secs,
      secs > 0 ? static_cast<double>(r.done) / secs : 0.0,
      r.cpu_start >= 0 && r.cpu_end >= 0 ? r.cpu_end - r.cpu_start : -1L, outcomes.c_str());
  r.agents.clear();
  return r.done == r.messages && r.login_failed == 0 ? 0 : 1;
}
