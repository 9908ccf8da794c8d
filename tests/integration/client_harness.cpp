#include "tests/integration/client_harness.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ims::test {

using client::SessionState;

// ---- ClientLoop -------------------------------------------------------------------------------

ClientLoop::ClientLoop() : strand_(boost::asio::make_strand(io_)), guard_(io_.get_executor()) {
  thread_ = std::thread([this] { io_.run(); });
}

ClientLoop::~ClientLoop() { stop(); }

void ClientLoop::stop() {
  guard_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

// ---- EventLog ---------------------------------------------------------------------------------

void EventLog::push(ClientEvent e) {
  {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  cv_.notify_all();
}

std::optional<ClientEvent> EventLog::wait(const Pred& pred, Millis timeout) {
  std::unique_lock lock(mu_);
  std::optional<ClientEvent> found;
  cv_.wait_for(lock, timeout, [&] {
    for (const auto& e : events_) {
      if (pred(e)) {
        found = e;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::size_t EventLog::count(const Pred& pred) {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& e : events_) n += pred(e) ? 1 : 0;
  return n;
}

bool EventLog::wait_count(const Pred& pred, std::size_t n, Millis timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    std::size_t seen = 0;
    for (const auto& e : events_) seen += pred(e) ? 1 : 0;
    return seen >= n;
  });
}

std::vector<ClientEvent> EventLog::all() {
  std::lock_guard lock(mu_);
  return events_;
}

std::optional<ClientEvent> EventLog::wait_kind(ClientEvent::Kind kind, Millis timeout) {
  return wait([kind](const ClientEvent& e) { return e.kind == kind; }, timeout);
}

std::shared_ptr<client::ImSession> EventLog::wait_invitation(std::size_t n, Millis timeout) {
  std::unique_lock lock(mu_);
  std::shared_ptr<client::ImSession> found;
  cv_.wait_for(lock, timeout, [&] {
    std::size_t seen = 0;
    for (const auto& e : events_) {
      if (e.kind != ClientEvent::Kind::Invitation) continue;
      if (seen++ == n) {
        found = e.session;
        return true;
      }
    }
    return false;
  });
  return found;
}

std::optional<client::SessionStatus> EventLog::wait_state(
    const std::shared_ptr<client::ImSession>& s, SessionState state, Millis timeout) {
  auto e = wait(
      [&](const ClientEvent& ev) {
        return ev.kind == ClientEvent::Kind::State && (!s || ev.session == s) &&
               ev.status.state == state;
      },
      timeout);
  if (!e) return std::nullopt;
  return e->status;
}

bool EventLog::wait_entries(const std::shared_ptr<client::ImSession>& s, std::size_t n,
                            Millis timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] {
    std::size_t seen = 0;
    for (const auto& e : events_) seen += (e.kind == ClientEvent::Kind::Entry && e.session == s);
    return seen >= n;
  });
}

void EventLog::on_logged_in(std::chrono::seconds expires) {
  ClientEvent e;
  e.kind = ClientEvent::Kind::LoggedIn;
  e.expires = expires;
  push(std::move(e));
}

void EventLog::on_login_failed(const Error& reason) {
  ClientEvent e;
  e.kind = ClientEvent::Kind::LoginFailed;
  e.text = reason.message;
  push(std::move(e));
}

void EventLog::on_logged_out() {
  ClientEvent e;
  e.kind = ClientEvent::Kind::LoggedOut;
  push(std::move(e));
}

void EventLog::on_pager_message(const client::PagerMessage& message) {
  ClientEvent e;
  e.kind = ClientEvent::Kind::Pager;
  e.text = message.text;
  e.pager = message;
  push(std::move(e));
}

void EventLog::on_session_provisional(const std::shared_ptr<client::ImSession>& session,
                                      int status) {
  ClientEvent e;
  e.kind = ClientEvent::Kind::Provisional;
  e.session = session;
  e.provisional = status;
  push(std::move(e));
}

void EventLog::on_invitation(const std::shared_ptr<client::ImSession>& session) {
  ClientEvent e;
  e.kind = ClientEvent::Kind::Invitation;
  e.session = session;
  e.text = session->first_text();
  push(std::move(e));
}

void EventLog::on_session_state(const std::shared_ptr<client::ImSession>& session,
                                const client::SessionStatus& status) {
  ClientEvent e;
  e.kind = ClientEvent::Kind::State;
  e.session = session;
  e.status = status;
  push(std::move(e));
}

void EventLog::on_transcript_entry(const std::shared_ptr<client::ImSession>& session,
                                   const client::TranscriptEntry& entry) {
  ClientEvent e;
  e.kind = ClientEvent::Kind::Entry;
  e.session = session;
  e.entry = entry;
  e.text = entry.text;
  push(std::move(e));
}

// ---- ClientFixture ----------------------------------------------------------------------------

std::string sample_config_with(const std::vector<std::pair<std::string, std::string>>& values) {
  std::ifstream in(source_dir() + "/config/imswitch.yaml", std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  for (const auto& [key, value] : values) {
    const std::string line_start = "\n  " + key + ":";
    const auto at = text.find(line_start);
    if (at == std::string::npos) return {};
    const auto begin = at + line_start.size();
    text.replace(begin, text.find('\n', begin) - begin, " " + value);
  }
  return text;
}

void ClientFixture::start_switch(const std::string& config_text) {
  SwitchOptions o;
  o.config = source_dir() + "/config/imswitch.yaml";
  o.listen = {"udp:127.0.0.1:0", "tcp:127.0.0.1:0", "tls:127.0.0.1:0", "ws:127.0.0.1:0",
              "wss:127.0.0.1:0"};
  if (!config_text.empty()) {
    scratch_ = make_scratch_dir("ims-client-test");
    o.config = scratch_ + "/imswitch.yaml";
    std::ofstream(o.config, std::ios::binary) << config_text;
  }
  std::string error;
  switch_ = SwitchProcess::start(o, &error);
  ASSERT_TRUE(switch_) << error;
}

ClientAgent& ClientFixture::make_agent(const std::string& login, transport::Protocol protocol,
                                       std::optional<std::string> password,
                                       std::chrono::seconds expires,
                                       const std::function<void(client::AgentOptions&)>& adjust) {
  auto a = std::make_unique<ClientAgent>();
  a->login = login;
  client::AgentOptions o;
  const Listener l =
      switch_->find(transport::protocol_name(protocol)).value_or(Listener{});
  o.server_host = l.address;
  o.server_port = l.port;
  o.transport = protocol;
  o.tls_ca_file = switch_->dir() + "/tls/imswitch.crt";  // the switch's self-signed certificate
  o.login = login;
  o.password = password.value_or("pw-" + login);
  o.expires = expires;
  if (adjust) adjust(o);
  auto created =
      loop_.on_strand([&] { return client::Agent::create(loop_.executor(), o, a->events); });
  if (!created) throw std::runtime_error("agent not created: " + created.error().message);
  a->agent = std::move(*created);
  agents_.push_back(std::move(a));
  return *agents_.back();
}

Result<std::chrono::seconds> ClientFixture::login(ClientAgent& a, Millis timeout) {
  auto p = std::make_shared<std::promise<Result<std::chrono::seconds>>>();
  auto fut = p->get_future();
  loop_.on_strand(
      [&] { a.agent->login([p](Result<std::chrono::seconds> r) { p->set_value(r); }); });
  if (fut.wait_for(timeout) != std::future_status::ready) {
    return Error{std::make_error_code(std::errc::timed_out), "no login outcome in time"};
  }
  return fut.get();
}

ClientAgent& ClientFixture::logged_in_agent(const std::string& login_name,
                                            transport::Protocol protocol) {
  ClientAgent& a = make_agent(login_name, protocol);
  auto r = login(a);
  if (!r) throw std::runtime_error(login_name + " could not log in: " + r.error().message);
  return a;
}

Result<int> ClientFixture::send_pager(ClientAgent& from, const std::string& to,
                                      const std::string& text, Millis timeout) {
  auto p = std::make_shared<std::promise<Result<int>>>();
  auto fut = p->get_future();
  loop_.on_strand(
      [&] { from.agent->send_pager(to, text, [p](Result<int> r) { p->set_value(r); }); });
  if (fut.wait_for(timeout) != std::future_status::ready) {
    return Error{std::make_error_code(std::errc::timed_out), "no answer to the pager message"};
  }
  return fut.get();
}

void ClientFixture::TearDown() {
  // Agents live on the strand: close and destroy them there, before the loop stops.
  loop_.on_strand([&] {
    for (auto& a : agents_) a->agent.reset();
  });
  agents_.clear();
  loop_.stop();
  if (switch_) {
    const ExitStatus st = switch_->stop();
    EXPECT_TRUE(st.exited && st.code == 0) << st.describe() << "\n" << switch_->log_tail();
  }
  if (!scratch_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(scratch_, ec);
  }
}

}  // namespace ims::test
