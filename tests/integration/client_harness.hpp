#pragma once
// Test support for driving client-library agents (client/) against the real imswitch binary:
// an io_context thread that is every agent's strand, an AgentEvents recorder the test thread
// waits on with deadlines, and a fixture that starts the switch on 127.0.0.1 port 0.
//
// Threading: agents and sessions are touched only on the loop's strand (on_strand); events are
// recorded there and read by the test thread under a mutex. Every wait is bounded; nothing
// sleeps.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "client/agent.hpp"
#include "tests/integration/harness.hpp"

namespace ims::test {

// One thread running an io_context; its strand is the agents' executor.
class ClientLoop {
 public:
  ClientLoop();
  ~ClientLoop();  // stops the thread
  ClientLoop(const ClientLoop&) = delete;
  ClientLoop& operator=(const ClientLoop&) = delete;

  boost::asio::any_io_executor executor() { return strand_; }

  // Runs f on the strand and returns its result; throws past 5 s.
  template <class F>
  auto on_strand(F f) -> std::invoke_result_t<F> {
    using R = std::invoke_result_t<F>;
    std::promise<R> p;
    auto fut = p.get_future();
    boost::asio::post(strand_, [&] {
      if constexpr (std::is_void_v<R>) {
        f();
        p.set_value();
      } else {
        p.set_value(f());
      }
    });
    if (fut.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      throw std::runtime_error("the client strand did not answer within 5 s");
    }
    return fut.get();
  }

  void stop();

 private:
  boost::asio::io_context io_{1};
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
};

// What an agent told the application, in order.
struct ClientEvent {
  enum class Kind { LoggedIn, LoginFailed, LoggedOut, Pager, Invitation, State, Entry, Provisional };
  Kind kind = Kind::LoggedIn;
  std::string text;  // LoginFailed: the reason; Pager: the message text
  std::chrono::seconds expires{0};
  client::PagerMessage pager;
  std::shared_ptr<client::ImSession> session;
  client::SessionStatus status;
  client::TranscriptEntry entry;
  int provisional = 0;  // Provisional: the status (180, 182)
};

class EventLog final : public client::AgentEvents {
 public:
  using Pred = std::function<bool(const ClientEvent&)>;
  // The first recorded event matching pred, waiting up to timeout for it.
  std::optional<ClientEvent> wait(const Pred& pred, Millis timeout = 5s);
  std::size_t count(const Pred& pred);
  // At least n recorded events match pred, waiting up to timeout.
  bool wait_count(const Pred& pred, std::size_t n, Millis timeout = 5s);
  std::vector<ClientEvent> all();

  // Shorthands.
  std::optional<ClientEvent> wait_kind(ClientEvent::Kind kind, Millis timeout = 5s);
  // The n-th (from 0) invitation.
  std::shared_ptr<client::ImSession> wait_invitation(std::size_t n = 0, Millis timeout = 5s);
  // The session reached `state` (any session when s is null).
  std::optional<client::SessionStatus> wait_state(const std::shared_ptr<client::ImSession>& s,
                                                  client::SessionState state, Millis timeout = 5s);
  // n entries of that session's transcript were announced.
  bool wait_entries(const std::shared_ptr<client::ImSession>& s, std::size_t n,
                    Millis timeout = 5s);

  // client::AgentEvents
  void on_logged_in(std::chrono::seconds expires) override;
  void on_login_failed(const Error& reason) override;
  void on_logged_out() override;
  void on_pager_message(const client::PagerMessage& message) override;
  void on_invitation(const std::shared_ptr<client::ImSession>& session) override;
  void on_session_state(const std::shared_ptr<client::ImSession>& session,
                        const client::SessionStatus& status) override;
  void on_session_provisional(const std::shared_ptr<client::ImSession>& session,
                              int status) override;
  void on_transcript_entry(const std::shared_ptr<client::ImSession>& session,
                           const client::TranscriptEntry& entry) override;

 private:
  void push(ClientEvent e);
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ClientEvent> events_;
};

// An agent and its event log; created and destroyed on the loop's strand.
struct ClientAgent {
  std::string login;
  EventLog events;
  std::unique_ptr<client::Agent> agent;
};

// Starts imswitch (config/imswitch.yaml unless config_text is given) on 127.0.0.1 port 0 over
// UDP, TCP, TLS, WS and WSS (its self-signed certificate), and makes agents for it.
class ClientFixture : public ::testing::Test {
 protected:
  void TearDown() override;

  // Starts the switch; with config_text, that YAML instead of config/imswitch.yaml.
  void start_switch(const std::string& config_text = {});
  // An agent of the sample directory (password pw-<login> unless given), not logged in yet;
  // `adjust` may change its options last.
  ClientAgent& make_agent(const std::string& login,
                          transport::Protocol protocol = transport::Protocol::Udp,
                          std::optional<std::string> password = std::nullopt,
                          std::chrono::seconds expires = std::chrono::seconds(600),
                          const std::function<void(client::AgentOptions&)>& adjust = {});
  // make_agent + login, asserting that the login succeeds.
  ClientAgent& logged_in_agent(const std::string& login,
                               transport::Protocol protocol = transport::Protocol::Udp);
  // Logs in and waits for the outcome: the granted expiry or the error.
  Result<std::chrono::seconds> login(ClientAgent& a, Millis timeout = 5s);
  // Sends a pager MESSAGE and waits for its final status (or the error).
  Result<int> send_pager(ClientAgent& from, const std::string& to, const std::string& text,
                         Millis timeout = 5s);

  ClientLoop loop_;
  std::unique_ptr<SwitchProcess> switch_;
  std::string scratch_;  // a folder for a written configuration, removed in TearDown
  std::vector<std::unique_ptr<ClientAgent>> agents_;
};

// config/imswitch.yaml with second-level keys ("  key: value") replaced; "" if one is missing.
std::string sample_config_with(const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace ims::test
