// The client library's ApiClient against the real switch's HTTP API: one keep-alive connection
// and one Digest challenge for many requests (seen through a relay on the loopback that counts
// connections and 401s), a stale nonce answered again, a connection the switch closed while idle
// replaced without the caller noticing, and every failure as an Error a person can read.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "client/api_client.hpp"
#include "client/errors.hpp"
#include "tests/integration/client_harness.hpp"
#include "tests/integration/http_client.hpp"

namespace ims::test {
namespace {

using client::ApiClient;
using client::ClientErrc;
using nlohmann::json;

constexpr std::string_view kToken = "client-api-admin-token";

int listen_loopback(std::uint16_t& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(fd, 8) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  port = ntohs(a.sin_port);
  return fd;
}

// A TCP relay on 127.0.0.1 in front of the switch's API, one connection at a time, counting the
// connections it was asked for and the 401s the switch answered. Its thread ends when it goes.
class CountingRelay {
 public:
  explicit CountingRelay(const Listener& to) : to_(to) {
    listen_fd_ = listen_loopback(port_);
    if (::pipe(wake_) != 0) wake_[0] = wake_[1] = -1;
    thread_ = std::thread([this] { loop(); });
  }
  ~CountingRelay() {
    stop_ = true;
    if (wake_[1] >= 0) (void)::write(wake_[1], "x", 1);
    thread_.join();
    for (int fd : {listen_fd_, wake_[0], wake_[1]})
      if (fd >= 0) ::close(fd);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int connections() {
    std::lock_guard lock(mu_);
    return connections_;
  }
  // "HTTP/1.1 401" answers seen, and those with stale=true.
  int challenges() { return count("HTTP/1.1 401 "); }
  int stale_challenges() { return count("stale=true"); }
  // Waits (bounded) until the switch has closed the connection it had open.
  bool wait_upstream_closed(Millis timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return upstream_closes_ > 0; });
  }

 private:
  int count(std::string_view what) {
    std::lock_guard lock(mu_);
    int n = 0;
    for (auto at = from_server_.find(what); at != std::string::npos;
         at = from_server_.find(what, at + 1))
      ++n;
    return n;
  }

  int connect_upstream() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(to_.port);
    ::inet_pton(AF_INET, to_.address.c_str(), &a.sin_addr);
    if (fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) return fd;
    if (fd >= 0) ::close(fd);
    return -1;
  }

  void loop() {
    int client = -1;
    int server = -1;
    auto drop = [&] {
      for (int* fd : {&client, &server}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
      }
    };
    char buf[16384];
    while (!stop_) {
      pollfd fds[4] = {{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}, {client, POLLIN, 0},
                       {server, POLLIN, 0}};
      if (::poll(fds, 4, 1000) < 0) break;
      if (fds[0].revents) break;
      if (fds[1].revents & POLLIN) {
        const int accepted = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (accepted >= 0) {
          drop();
          client = accepted;
          server = connect_upstream();
          std::lock_guard lock(mu_);
          ++connections_;
        }
        continue;
      }
      for (int k : {2, 3}) {
        if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        const ssize_t n = ::recv(fds[k].fd, buf, sizeof buf, 0);
        if (n <= 0) {
          if (k == 3) {
            std::lock_guard lock(mu_);
            ++upstream_closes_;
            cv_.notify_all();
          }
          drop();
          break;
        }
        const int to = k == 2 ? server : client;
        if (k == 3) {
          std::lock_guard lock(mu_);
          from_server_.append(buf, static_cast<std::size_t>(n));
        }
        if (to < 0 || ::send(to, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) {
          drop();
          break;
        }
      }
    }
    drop();
  }

  Listener to_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  int connections_ = 0;
  int upstream_closes_ = 0;
  std::string from_server_;
};

class ClientApiTest : public ClientFixture {
 protected:
  void start(const std::vector<std::pair<std::string, std::string>>& config = {}) {
    auto values = config;
    values.emplace_back("admin_token", "\"" + std::string(kToken) + "\"");
    const std::string yaml = sample_config_with(values);
    ASSERT_FALSE(yaml.empty());
    start_switch(yaml);
    ASSERT_TRUE(switch_->http());
  }

  std::string api_url() const {
    return "http://127.0.0.1:" + std::to_string(switch_->http()->port);
  }

  // An ApiClient on the loop's strand for `url`, as alice unless adjusted.
  std::unique_ptr<ApiClient> client(const std::string& url,
                                    const std::function<void(client::ApiOptions&)>& adjust = {}) {
    client::ApiOptions o;
    auto hp = client::parse_api_url(url);
    EXPECT_TRUE(hp);
    if (!hp) return nullptr;
    o.host = hp->first;
    o.port = hp->second;
    o.login = "alice";
    o.password = "pw-alice";
    o.timeout = std::chrono::seconds(5);
    if (adjust) adjust(o);
    return loop_.on_strand([&] {
      auto c = ApiClient::create(loop_.executor(), o);
      EXPECT_TRUE(c) << (c ? "" : c.error().message);
      return c ? std::move(*c) : nullptr;
    });
  }

  // One call on the strand, waited for (bounded).
  template <class Call>
  Result<json> call(ApiClient& api, Call how) {
    auto p = std::make_shared<std::promise<Result<json>>>();
    auto f = p->get_future();
    loop_.on_strand([&] { how(api, [p](Result<json> r) { p->set_value(std::move(r)); }); });
    if (f.wait_for(std::chrono::seconds(15)) != std::future_status::ready)
      return Error{ClientErrc::NoAnswer, "the test's wait ran out"};
    return f.get();
  }
  Result<json> search(ApiClient& api, const std::string& text) {
    return call(api, [&](ApiClient& a, ApiClient::JsonCallback done) {
      a.search_directory(text, 5, std::move(done));
    });
  }
  void destroy(std::unique_ptr<ApiClient>& api) {
    loop_.on_strand([&] { api.reset(); });
  }
};

TEST_F(ClientApiTest, OneConnectionAndOneChallengeForManyRequests) {
  start();
  CountingRelay relay(*switch_->http());
  auto api = client(relay.url());
  ASSERT_TRUE(api);
  for (int k = 0; k < 5; ++k) {
    auto r = search(*api, "martin");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ((*r)["hits"].size(), 1u) << r->dump();
    EXPECT_EQ((*r)["hits"][0]["login"], "alice");
  }
  auto agent = call(*api, [](ApiClient& a, ApiClient::JsonCallback done) {
    a.agent("bob", std::move(done));
  });
  ASSERT_TRUE(agent) << agent.error().message;
  EXPECT_EQ((*agent)["display_name"], "Bob Durand");
  EXPECT_EQ(relay.connections(), 1) << "keep-alive: every request on one connection";
  EXPECT_EQ(relay.challenges(), 1) << "the nonce is reused with a rising nc, never re-challenged";
  destroy(api);
}

TEST_F(ClientApiTest, AStaleNonceIsAnsweredAgain) {
  start({{"max_tracked_nonces", "100"}});
  CountingRelay relay(*switch_->http());
  auto api = client(relay.url());
  ASSERT_TRUE(api);
  ASSERT_TRUE(search(*api, "martin"));
  // Every unauthenticated request gets fresh nonces; past 100 the switch forgets alice's, and
  // answers her next request with stale=true.
  HttpClient other(*switch_->http());
  for (int k = 0; k < 120; ++k) {
    auto r = other.get("/api/v1/queues");
    ASSERT_TRUE(r && r->status == 401u);
  }
  auto again = search(*api, "martin");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)["hits"][0]["login"], "alice");
  EXPECT_EQ(relay.challenges(), 2);
  EXPECT_GE(relay.stale_challenges(), 1);
  destroy(api);
}

TEST_F(ClientApiTest, AConnectionTheSwitchClosedWhileIdleIsReplaced) {
  start({{"request_timeout_s", "1"}});
  CountingRelay relay(*switch_->http());
  auto api = client(relay.url());
  ASSERT_TRUE(api);
  ASSERT_TRUE(search(*api, "martin"));
  ASSERT_TRUE(relay.wait_upstream_closed(10s)) << "the switch closes an idle connection";
  auto r = search(*api, "durand");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["hits"][0]["login"], "bob");
  EXPECT_EQ(relay.connections(), 2);
  destroy(api);
}

TEST_F(ClientApiTest, FailuresAreErrorsAPersonUnderstands) {
  start();
  {
    auto api = client(api_url(), [](client::ApiOptions& o) { o.password = "wrong"; });
    auto r = search(*api, "martin");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(ClientErrc::LoginRefused));
    EXPECT_EQ(r.error().status, 401);
    EXPECT_EQ(r.error().message, "401: wrong login or password");
    destroy(api);
  }
  {
    auto api = client(api_url(), [](client::ApiOptions& o) { o.admin_token = "not-the-token"; });
    auto r = search(*api, "martin");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(ClientErrc::LoginRefused));
    EXPECT_NE(r.error().message.find("admin token"), std::string::npos) << r.error().message;
    destroy(api);
  }
  {
    auto api = client(api_url());
    auto r = call(*api, [](ApiClient& a, ApiClient::JsonCallback done) {
      a.agent("nobody", std::move(done));
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(ClientErrc::Refused));
    EXPECT_EQ(r.error().status, 404);
    EXPECT_EQ(r.error().message, "404: no such agent");
    auto bad = call(*api, [](ApiClient& a, ApiClient::JsonCallback done) {
      a.search_directory(std::string(300, 'a'), 5, std::move(done));
    });
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().status, 400);
    EXPECT_EQ(bad.error().message.substr(0, 7), "400: q:") << bad.error().message;
    auto after = search(*api, "martin");
    EXPECT_TRUE(after) << "the client goes on after refusals";
    destroy(api);
  }
  {
    auto api = client(api_url(), [](client::ApiOptions& o) { o.max_response_bytes = 64; });
    auto r = search(*api, "e");
    ASSERT_FALSE(r) << r->dump();
    EXPECT_EQ(r.error().code, make_error_code(ClientErrc::BadBody));
    EXPECT_NE(r.error().message.find("larger than 64 bytes"), std::string::npos);
    destroy(api);
  }
  {
    std::uint16_t port = 0;
    const int fd = listen_loopback(port);  // accepts (the kernel does), never answers
    ASSERT_GE(fd, 0);
    auto api = client("http://127.0.0.1:" + std::to_string(port),
                      [](client::ApiOptions& o) { o.timeout = std::chrono::seconds(1); });
    auto r = search(*api, "martin");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, make_error_code(ClientErrc::NoAnswer));
    EXPECT_EQ(r.error().message,
              "no answer from http://127.0.0.1:" + std::to_string(port) + " within 1 s");
    destroy(api);
    ::close(fd);
    // Now nobody listens there.
    auto gone = client("http://127.0.0.1:" + std::to_string(port));
    auto refused = search(*gone, "martin");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, make_error_code(ClientErrc::TransportFailed));
    EXPECT_EQ(refused.error().message.rfind("cannot reach 127.0.0.1:" + std::to_string(port), 0),
              0u)
        << refused.error().message;
    destroy(gone);
  }
}

TEST_F(ClientApiTest, CallbacksComeInOrderAndNeverAfterClose) {
  start();
  auto api = client(api_url());
  ASSERT_TRUE(api);
  auto order = std::make_shared<std::vector<std::string>>();
  auto all = std::make_shared<std::promise<void>>();
  auto done = all->get_future();
  loop_.on_strand([&] {
    for (const char* q : {"martin", "durand", "petit"}) {
      api->search_directory(q, 1, [order, all, q](Result<json> r) {
        order->push_back(r ? (*r)["hits"][0]["login"].get<std::string>() : std::string("error"));
        if (std::string_view(q) == "petit") all->set_value();
      });
    }
  });
  ASSERT_EQ(done.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(loop_.on_strand([&] { return *order; }),
            (std::vector<std::string>{"alice", "bob", "carol"}));

  auto called = std::make_shared<std::atomic<int>>(0);
  loop_.on_strand([&] {
    api->search_directory("martin", 1, [called](Result<json>) { ++*called; });
    api->close();
  });
  // A request after close is dropped too; the barrier is a call on a second client.
  auto other = client(api_url());
  ASSERT_TRUE(search(*other, "martin"));
  EXPECT_EQ(called->load(), 0);
  destroy(api);
  destroy(other);
}

}  // namespace
}  // namespace ims::test
