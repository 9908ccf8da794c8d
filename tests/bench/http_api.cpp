// Requests to imswitch's HTTP API as an agent would make them: C keep-alive connections, each
// sending its next request when the last is answered, HTTP Digest with the agent's SIP
// credentials (one 401 per connection, then the nonce reused with a rising nonce count), the
// queries taken in turn from a list. Prints one JSON line: requests answered, the rate, the
// latency at the client (p50, p90, p99, p99.9, max, in µs, from the send to the whole answer),
// the statuses, and the CPU time of the switch's API thread. tests/bench/http_api.sh runs it
// beside a MESSAGE load.
//
//   bench_http_api --port P [--login agent0001 --password pw-agent0001 | --token T]
//                  [--path '/api/v1/directory?q={q}&limit=20'] [--queries mar,smith,...]
//                  [--connections 4] [--requests 50000] [--timeout 60] [--switch-pid PID]
//
// Bounded: it stops after the requests or the timeout, whichever comes first. Loopback only.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "client/digest_client.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using tcp = asio::ip::tcp;

// CPU time (ms) of the thread of `pid` named `name` (/proc/<pid>/task/*/comm); -1 if none.
long thread_cpu_ms(int pid, const std::string& name) {
  if (pid <= 0) return -1;
  const std::string tasks = "/proc/" + std::to_string(pid) + "/task";
  DIR* d = opendir(tasks.c_str());
  if (!d) return -1;
  long found = -1;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream comm(tasks + "/" + e->d_name + "/comm");
    std::string c;
    std::getline(comm, c);
    if (c != name) continue;
    std::ifstream stat(tasks + "/" + e->d_name + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');  // the name may hold spaces
    if (close == std::string::npos) break;
    std::istringstream in(text.substr(close + 2));
    std::string field;
    unsigned long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {
      if (i == 14) utime = std::stoul(field);
      if (i == 15) stime = std::stoul(field);
    }
    found = static_cast<long>((utime + stime) * 1000 / static_cast<unsigned long>(sysconf(_SC_CLK_TCK)));
    break;
  }
  closedir(d);
  return found;
}

struct Settings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string login, password, token;
  std::string path = "/api/v1/directory?q={q}&limit=20";
  std::vector<std::string> queries;
  std::size_t requests = 50000;
};

struct Totals {
  std::size_t sent = 0, answered = 0;
  std::vector<std::uint32_t> latencies_us;
  std::map<std::string, std::size_t> outcomes;
  std::size_t challenges = 0;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, const Settings& s, Totals& t, std::function<void()> finished)
      : socket_(io), settings_(s), totals_(t), finished_(std::move(finished)) {}

  void start(const tcp::endpoint& to) {
    socket_.async_connect(to, [self = shared_from_this()](const boost::system::error_code& ec) {
      if (ec) return self->fail("connect: " + ec.message());
      self->socket_.set_option(tcp::no_delay(true));
      self->next();
    });
  }

 private:
  void next() {
    if (totals_.sent >= settings_.requests) return finished_();
    ++totals_.sent;
    const std::string& q = settings_.queries[totals_.sent % settings_.queries.size()];
    target_ = fmt::format(fmt::runtime(settings_.path), fmt::arg("q", q));
    send(false);
  }

  void send(bool retry) {
    request_ = {};
    request_.method(http::verb::get);
    request_.target(target_);
    request_.version(11);
    request_.set(http::field::host, settings_.host);
    if (!settings_.token.empty()) {
      request_.set(http::field::authorization, "Bearer " + settings_.token);
    } else if (auto c = digest_.next_credentials(settings_.login, settings_.password, "GET",
                                                 target_)) {
      request_.set(http::field::authorization, *c);
    }
    if (!retry) sent_at_ = Clock::now();
    http::async_write(socket_, request_,
                      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                        if (ec) return self->fail("write: " + ec.message());
                        self->read();
                      });
  }

  void read() {
    response_ = {};
    http::async_read(socket_, buffer_, response_,
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                       if (ec) return self->fail("read: " + ec.message());
                       self->on_response();
                     });
  }

  void on_response() {
    const unsigned status = response_.result_int();
    if (status == 401 && settings_.token.empty() && challenges_ < 3) {
      // The connection's first request, or a stale nonce: take the SHA-256 challenge.
      std::vector<std::string_view> values;
      const auto range = response_.base().equal_range(http::field::www_authenticate);
      for (auto h = range.first; h != range.second; ++h)
        values.emplace_back(h->value().data(), h->value().size());
      if (auto ch = ims::client::choose_challenge(values)) {
        ++challenges_;
        ++totals_.challenges;
        digest_.on_challenge(*ch);
        return send(true);
      }
    }
    challenges_ = 0;
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent_at_);
    totals_.latencies_us.push_back(static_cast<std::uint32_t>(took.count()));
    ++totals_.outcomes[std::to_string(status)];
    ++totals_.answered;
    next();
  }

  void fail(const std::string& why) {
    ++totals_.outcomes[why];
    finished_();
  }

  tcp::socket socket_;
  const Settings& settings_;
  Totals& totals_;
  std::function<void()> finished_;
  ims::client::DigestState digest_;
  int challenges_ = 0;
  std::string target_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  http::response<http::string_body> response_;
  Clock::time_point sent_at_;
};

std::uint32_t percentile(const std::vector<std::uint32_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Request rate and latency of imswitch's HTTP API, as agents' clients see them"};
  Settings s;
  std::size_t connections = 4;
  int timeout_s = 60;
  int switch_pid = 0;
  std::string queries = "mar,smith,agent00,agent1234,ali,garcia,12345,queue,sales,zz";
  app.add_option("--host", s.host, "The API's address")->capture_default_str();
  app.add_option("--port", s.port, "The API's port")->required();
  app.add_option("--login", s.login, "Agent login (HTTP Digest)");
  app.add_option("--password", s.password, "Its password");
  app.add_option("--token", s.token, "Admin bearer token instead of an agent's credentials");
  app.add_option("--path", s.path, "Request target; {q} takes each query in turn")
      ->capture_default_str();
  app.add_option("--queries", queries, "Comma-separated queries")->capture_default_str();
  app.add_option("--connections", connections, "Keep-alive connections, one request in flight each")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--requests", s.requests, "Requests to send in all")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  app.add_option("--timeout", timeout_s, "Seconds before giving up")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--switch-pid", switch_pid,
                 "The switch's process: the CPU time of its API thread is reported (api_ms)");
  CLI11_PARSE(app, argc, argv);
  if (s.token.empty() && s.login.empty()) {
    std::fprintf(stderr, "bench_http_api: give --login and --password, or --token\n");
    return 2;
  }
  for (std::size_t from = 0; from <= queries.size();) {
    const auto comma = std::min(queries.find(',', from), queries.size());
    if (comma > from) s.queries.push_back(queries.substr(from, comma - from));
    from = comma + 1;
  }
  if (s.queries.empty()) s.queries.push_back("");

  asio::io_context io{1};
  Totals totals;
  totals.latencies_us.reserve(s.requests);
  boost::system::error_code ec;
  const tcp::endpoint to(asio::ip::make_address(s.host, ec), s.port);
  if (ec) {
    std::fprintf(stderr, "bench_http_api: bad --host %s\n", s.host.c_str());
    return 2;
  }
  std::size_t running = connections;
  const long cpu_start = thread_cpu_ms(switch_pid, "imswitch-api");
  const auto start = Clock::now();
  Clock::time_point end;
  for (std::size_t i = 0; i < connections; ++i) {
    std::make_shared<Connection>(io, s, totals, [&] {
      if (--running == 0) {
        end = Clock::now();
        io.stop();
      }
    })->start(to);
  }
  asio::steady_timer limit(io, std::chrono::seconds(timeout_s));
  limit.async_wait([&](const boost::system::error_code& e) {
    if (!e) io.stop();
  });
  io.run();
  if (end == Clock::time_point{}) end = Clock::now();
  const long cpu_end = thread_cpu_ms(switch_pid, "imswitch-api");
  const double secs = std::chrono::duration<double>(end - start).count();
  auto& l = totals.latencies_us;
  std::sort(l.begin(), l.end());
  std::string outcomes;
  for (const auto& [what, n] : totals.outcomes)
    outcomes += fmt::format("{}\"{}\":{}", outcomes.empty() ? "" : ",", what, n);
  std::printf(
      "{\"requests\":%zu,\"answered\":%zu,\"connections\":%zu,\"seconds\":%.3f,\"rate\":%.0f,"
      "\"p50_us\":%u,\"p90_us\":%u,\"p99_us\":%u,\"p999_us\":%u,\"max_us\":%u,\"challenges\":%zu,"
      "\"api_ms\":%ld,\"outcomes\":{%s}}\n",
      s.requests, totals.answered, connections, secs,
      secs > 0 ? static_cast<double>(totals.answered) / secs : 0.0, percentile(l, 0.50),
      percentile(l, 0.90), percentile(l, 0.99), percentile(l, 0.999), l.empty() ? 0 : l.back(),
      totals.challenges, cpu_start >= 0 && cpu_end >= 0 ? cpu_end - cpu_start : -1L,
      outcomes.c_str());
  return totals.answered == s.requests && totals.outcomes.size() == 1 &&
                 totals.outcomes.count("200")
             ? 0
             : 1;
}
