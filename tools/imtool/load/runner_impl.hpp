#pragma once
// Runner::Impl, the engine behind `imtool load` (runner.hpp): its state and steps, shared by
// runner.cpp (the phases: logins, traffic, drain, logout; progress) and runner_flows.cpp (the
// scenarios, the IM sessions' steps and the answering side). Private to those two files.

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <deque>
#include <random>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "client/errors.hpp"
#include "tools/imtool/load/runner.hpp"
#include "tools/imtool/load/schedule.hpp"

namespace ims::tool::load {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace runner_detail {
// This process's CPU time (user + system), seconds.
inline double process_cpu_seconds() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

inline constexpr auto kTick = std::chrono::milliseconds(1);
inline constexpr auto kSweepEvery = std::chrono::milliseconds(250);
inline constexpr auto kInterruptedDrain = std::chrono::seconds(5);
inline constexpr std::size_t kMaxLoginsInFlight = 1000;

inline std::uint64_t micros_since(Clock::time_point from, Clock::time_point now) {
  const auto d = std::chrono::duration_cast<std::chrono::microseconds>(now - from).count();
  return d > 0 ? static_cast<std::uint64_t>(d) : 0;
}

inline double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A failure's cause as the report groups it: the status ("486"), else the kind of failure.
inline std::string cause_of(const Error& e) {
  if (e.status) return std::to_string(e.status);
  using client::ClientErrc;
  if (e.code == client::make_error_code(ClientErrc::NoAnswer)) return "timeout";
  if (e.code == client::make_error_code(ClientErrc::TransportFailed)) return "transport error";
  if (e.code == client::make_error_code(ClientErrc::Closed)) return "closed";
  if (e.code == client::make_error_code(ClientErrc::NotLoggedIn)) return "not logged in";
  return e.message.empty() ? e.code.message() : e.message;
}

// The status a session's end reason stands for, in the report's words.
inline std::string cause_of(client::EndReason reason, const std::string& detail) {
  using client::EndReason;
  switch (reason) {
    case EndReason::Rejected: return "603 declined";
    case EndReason::TimedOut: return "408 not answered";
    case EndReason::Cancelled: return "487 cancelled after the ring timeout";
    case EndReason::Unavailable: return "480 unavailable";
    case EndReason::Busy: return "486 busy";
    case EndReason::Forbidden: return "403 forbidden";
    case EndReason::NotFound: return "404 not found";
    case EndReason::RemoteEnded: return "ended by the other side";
    case EndReason::LocalEnded: return "ended";
    case EndReason::Failed: return detail.empty() ? "failed" : detail;
  }
  return "failed";
}

}  // namespace runner_detail

class Runner::Impl {
 public:
  Impl(asio::io_context& io, LoadPlan plan, RunnerSetup setup)
      : io_(io),
        plan_(std::move(plan)),
        setup_(std::move(setup)),
        tick_(io),
        sweep_(io),
        progress_timer_(io),
        rng_(plan_.seed) {
    results_.agents = plan_.agents.size();
    text_padding_ = std::string(plan_.text_bytes, 'x');
    double sum = 0;
    for (std::size_t i = 0; i < kScenarios; ++i) {
      sum += plan_.mix.weight[i];
      cumulative_[i] = sum;
    }
    addressees_ = plan_.addressees();
  }

  Results run();

  void interrupt();

 private:
  enum class Phase { Login, Traffic, Drain, Logout, Done };

  // One agent of the run: its device and the events it reports, handed to the runner.
  struct Member final : client::AgentEvents {
    Impl* run = nullptr;
    std::size_t index = 0;
    std::unique_ptr<client::Agent> agent;
    bool ready = false;

    void on_logged_in(std::chrono::seconds) override { ++run->results_.register_200s; }
    void on_login_failed(const Error& why) override {
      // A refresh the library sent by itself (the login's own failure is counted by its callback).
      if (ready && run->phase_ != Phase::Logout)
        run->results_.failed(Op::Refresh, "automatic refresh: " + runner_detail::cause_of(why));
    }
    void on_pager_message(const client::PagerMessage& m) override { run->on_pager(m); }
    void on_invitation(const std::shared_ptr<client::ImSession>& s) override {
      run->on_invitation(*this, s);
    }
    void on_session_provisional(const std::shared_ptr<client::ImSession>& s, int status) override {
      run->on_provisional(s, status);
    }
    void on_session_state(const std::shared_ptr<client::ImSession>& s,
                          const client::SessionStatus& status) override {
      run->on_session_state(s, status);
    }
    void on_transcript_entry(const std::shared_ptr<client::ImSession>& s,
                             const client::TranscriptEntry& e) override {
      if (s->role() == client::Role::Recipient && e.direction == client::Direction::Received)
        ++run->results_.answering.session_messages_received;
    }
  };

  // An IM session this process started, on its way through the scenario's steps.
  struct Flow {
    std::shared_ptr<client::ImSession> session;
    Scenario kind = Scenario::Session;
    Clock::time_point intended;
    Clock::time_point step_sent;
    int messages_sent = 0;
    bool connected = false;
    bool rang = false;
    bool cancelled = false;
    bool ending = false;
    bool failed = false;
  };

  // ---- phases ------------------------------------------------------------------------------------

  void start_logins();

  void login_tick();

  void login_one(std::size_t i, Clock::time_point intended);

  void logins_over();

  void start_traffic();

  bool traffic_over(Clock::time_point now) const;

  void traffic_tick();

  // Flat out: as many scenarios as the bound admits.
  void refill();

  void start_drain(std::chrono::milliseconds bound);

  void drain_tick();

  void start_logout();

  void logout_tick();

  void finish_after_logout();

  void finish();

  // ---- scenarios ---------------------------------------------------------------------------------

  Scenario pick_scenario();

  const std::string& pick_target(const std::string& sender);

  std::string text_for(std::uint64_t seq);

  void issue(Clock::time_point intended);

  // ok: completed; else failed, counted here unless the caller counted it (declined ...).
  void scenario_done(Scenario kind, bool ok, bool counted = false);

  void on_provisional(const std::shared_ptr<client::ImSession>& s, int status);

  void on_session_state(const std::shared_ptr<client::ImSession>& s,
                        const client::SessionStatus& status);

  void next_step(Flow& flow);

  void think_then_step(const std::shared_ptr<client::ImSession>& session);

  // count_failure: a step failed that was not yet counted in the scenario's stats.
  void end_flow(client::ImSession* key, bool ok, bool count_failure);

  // Invitations not answered within the ring timeout are cancelled (CANCEL), as an impatient
  // customer would.
  void sweep();

  // ---- the answering side ------------------------------------------------------------------------

  void on_invitation(Member&, const std::shared_ptr<client::ImSession>& s);

  void on_pager(const client::PagerMessage& m);

  // What became of each pager message this process sent, for the delivery check.
  static constexpr std::uint8_t kSentFlag = 1, kAnswered = 2, kReceived = 4;
  void note_sent(std::uint64_t seq);
  void note_answered(std::uint64_t seq) { delivery_[seq] |= kAnswered; }

 public:
  // Pager messages answered 2xx that never reached their (in-process) addressee, and deliveries
  // of one message more than once.
  std::pair<std::uint64_t, std::uint64_t> delivery_check() const;
  bool in_process_addressees() const { return plan_.targets.empty(); }

  // Sessions between this process's own agents (no queue, whose members may be elsewhere): each
  // connected one's first message and every in-session MESSAGE answered 200 must reach the
  // recipient, which may come after the initiator's last 200 (the switch answers once stored).
  bool session_check() const;
  std::uint64_t session_entries_missing() const;

 private:
  // ---- progress ----------------------------------------------------------------------------------

  void start_progress();

  void show_progress();

  void say(const std::string& text);

  asio::io_context& io_;
  LoadPlan plan_;
  RunnerSetup setup_;
  Results results_;
  Phase phase_ = Phase::Login;
  asio::steady_timer tick_;
  asio::steady_timer sweep_;
  asio::steady_timer progress_timer_;
  std::mt19937_64 rng_;
  std::array<double, kScenarios> cumulative_{};
  std::vector<std::string> addressees_;
  std::string text_padding_;
  std::unique_ptr<client::ApiClient> api_;
  std::string metrics_before_;

  std::deque<Member> members_;
  std::vector<std::size_t> ready_;  // members logged in
  std::size_t logins_sent_ = 0, logins_done_ = 0;
  std::size_t logouts_sent_ = 0, logouts_done_ = 0;
  std::string first_login_error_;
  std::optional<Schedule> login_schedule_, logout_schedule_, schedule_;

  std::unordered_map<client::ImSession*, Flow> flows_;
  std::uint64_t issued_ = 0;
  std::uint64_t outstanding_ = 0;
  std::size_t next_sender_ = 0;
  bool refilling_ = false;
  int interrupts_ = 0;
  std::vector<std::uint8_t> delivery_;
  std::uint64_t duplicates_ = 0;

  Clock::time_point started_, login_start_, traffic_start_, drain_start_, drain_deadline_,
      logout_start_, logout_deadline_, last_progress_;
  std::uint64_t last_done_ = 0;
  double traffic_cpu_start_ = -1;
};

}  // namespace ims::tool::load
