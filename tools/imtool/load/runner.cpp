#include "tools/imtool/load/runner.hpp"

#include <algorithm>
#include <deque>
#include <random>
#include <tuple>
#include <unordered_map>

#include <sys/resource.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "client/errors.hpp"
#include "tools/imtool/load/schedule.hpp"

namespace ims::tool::load {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// This process's CPU time (user + system), seconds.
double process_cpu_seconds() {
  rusage u{};
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return secs(u.ru_utime) + secs(u.ru_stime);
}

constexpr auto kTick = std::chrono::milliseconds(1);
constexpr auto kSweepEvery = std::chrono::milliseconds(250);
constexpr auto kInterruptedDrain = std::chrono::seconds(5);
constexpr std::size_t kMaxLoginsInFlight = 1000;

std::uint64_t micros_since(Clock::time_point from, Clock::time_point now) {
  const auto d = std::chrono::duration_cast<std::chrono::microseconds>(now - from).count();
  return d > 0 ? static_cast<std::uint64_t>(d) : 0;
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A failure's cause as the report groups it: the status ("486"), else the kind of failure.
std::string cause_of(const Error& e) {
  if (e.status) return std::to_string(e.status);
  using client::ClientErrc;
  if (e.code == client::make_error_code(ClientErrc::NoAnswer)) return "timeout";
  if (e.code == client::make_error_code(ClientErrc::TransportFailed)) return "transport error";
  if (e.code == client::make_error_code(ClientErrc::Closed)) return "closed";
  if (e.code == client::make_error_code(ClientErrc::NotLoggedIn)) return "not logged in";
  return e.message.empty() ? e.code.message() : e.message;
}

// The status a session's end reason stands for, in the report's words.
std::string cause_of(client::EndReason reason, const std::string& detail) {
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

}  // namespace

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

  Results run() {
    started_ = Clock::now();
    start_progress();
    if (setup_.api) {
      auto api = client::ApiClient::create(io_.get_executor(), *setup_.api);
      if (!api) {
        results_.metrics.attempted = true;
        results_.metrics.error = api.error().message;
        start_logins();
      } else {
        api_ = std::move(*api);
        results_.metrics.attempted = true;
        api_->metrics([this](Result<std::string> text) {
          if (text) {
            metrics_before_ = std::move(*text);
          } else {
            results_.metrics.error = "before the run: " + text.error().message;
          }
          start_logins();
        });
      }
    } else {
      start_logins();
    }
    io_.run();
    return std::move(results_);
  }

  void interrupt() {
    ++interrupts_;
    results_.interrupted = true;
    if (interrupts_ >= 2) {
      say("imtool load: stopping now");
      return finish();
    }
    switch (phase_) {
      case Phase::Login:
      case Phase::Traffic:
        say(fmt::format("imtool load: stopping: waiting up to {} s for the answers still due "
                        "(Ctrl-C again to stop now)",
                        kInterruptedDrain.count()));
        start_drain(kInterruptedDrain);
        break;
      case Phase::Drain:
        drain_deadline_ = std::min(drain_deadline_, Clock::now() + kInterruptedDrain);
        break;
      default: break;
    }
  }

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
        run->results_.failed(Op::Refresh, "automatic refresh: " + cause_of(why));
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

  void start_logins() {
    if (phase_ == Phase::Done) return;
    phase_ = Phase::Login;
    members_.resize(plan_.agents.size());
    login_schedule_.emplace(plan_.register_rate, std::chrono::nanoseconds(0));
    login_start_ = Clock::now();
    login_tick();
  }

  void login_tick() {
    if (phase_ != Phase::Login) return;
    const auto now = Clock::now();
    const auto due = std::min<std::uint64_t>(login_schedule_->due_count(now - login_start_),
                                             plan_.agents.size());
    while (logins_sent_ < due && logins_sent_ - logins_done_ < kMaxLoginsInFlight) {
      login_one(logins_sent_, login_start_ + login_schedule_->due_at(logins_sent_));
      ++logins_sent_;
    }
    if (logins_done_ == plan_.agents.size()) return logins_over();
    tick_.expires_after(kTick);
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) login_tick();
    });
  }

  void login_one(std::size_t i, Clock::time_point intended) {
    auto& m = members_[i];
    m.run = this;
    m.index = i;
    auto options = setup_.base;
    options.login = plan_.agents[i];
    options.password = plan_.password_for(plan_.agents[i]);
    options.expires = plan_.expires;
    auto agent = client::Agent::create(io_.get_executor(), std::move(options), m);
    if (!agent) {
      results_.failed(Op::Login, "cannot start: " + agent.error().message);
      ++logins_done_;
      return;
    }
    m.agent = std::move(*agent);
    m.agent->login([this, i, intended](Result<std::chrono::seconds> r) {
      ++logins_done_;
      if (phase_ == Phase::Done) return;
      if (!r) {
        results_.failed(Op::Login, cause_of(r.error()));
        if (first_login_error_.empty()) first_login_error_ = r.error().message;
        return;
      }
      results_.ok(Op::Login, micros_since(intended, Clock::now()));
      members_[i].ready = true;
      ready_.push_back(i);
      ++results_.logged_in;
    });
  }

  void logins_over() {
    results_.login_seconds = seconds_between(login_start_, Clock::now());
    if (results_.logged_in == 0) {
      say(fmt::format("imtool load: no agent could log in ({})",
                      first_login_error_.empty() ? "no agent started" : first_login_error_));
      return finish_after_logout();
    }
    if (results_.logged_in < plan_.agents.size()) {
      say(fmt::format("imtool load: {} of {} agents logged in; the others are left out",
                      results_.logged_in, plan_.agents.size()));
    }
    start_traffic();
  }

  void start_traffic() {
    if (phase_ != Phase::Login) return;
    phase_ = Phase::Traffic;
    traffic_start_ = Clock::now();
    last_progress_ = traffic_start_;
    traffic_cpu_start_ = process_cpu_seconds();
    if (!plan_.answer_only && !plan_.flat_out()) {
      schedule_.emplace(plan_.rate, std::chrono::duration_cast<std::chrono::nanoseconds>(plan_.ramp));
    }
    sweep();
    traffic_tick();
  }

  bool traffic_over(Clock::time_point now) const {
    if (plan_.duration && now - traffic_start_ >= *plan_.duration) return true;
    if (plan_.count && issued_ >= *plan_.count) return true;
    return false;
  }

  void traffic_tick() {
    if (phase_ != Phase::Traffic) return;
    const auto now = Clock::now();
    if (traffic_over(now)) return start_drain(plan_.drain);
    if (!plan_.answer_only) {
      if (schedule_) {
        auto due = schedule_->due_count(now - traffic_start_);
        if (plan_.count) due = std::min<std::uint64_t>(due, *plan_.count);
        const auto bound = plan_.outstanding_bound();
        while (issued_ < due && outstanding_ < bound) {
          const auto intended = traffic_start_ + schedule_->due_at(issued_);
          if (now - intended > std::chrono::milliseconds(10) && outstanding_ + 1 >= bound)
            ++results_.late_starts;
          issue(intended);
        }
      } else {
        refill();
      }
    }
    tick_.expires_after(schedule_ ? kTick : std::chrono::milliseconds(50));
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) traffic_tick();
    });
  }

  // Flat out: as many scenarios as the bound admits.
  void refill() {
    if (refilling_ || phase_ != Phase::Traffic || plan_.answer_only || schedule_) return;
    refilling_ = true;
    const auto now = Clock::now();
    while (outstanding_ < plan_.outstanding_bound() && !traffic_over(now)) issue(now);
    refilling_ = false;
  }

  void start_drain(std::chrono::milliseconds bound) {
    if (phase_ != Phase::Traffic && phase_ != Phase::Login) return;
    if (phase_ == Phase::Login) results_.login_seconds = seconds_between(login_start_, Clock::now());
    phase_ = Phase::Drain;
    drain_start_ = Clock::now();
    results_.traffic_seconds =
        traffic_start_ == Clock::time_point{} ? 0 : seconds_between(traffic_start_, drain_start_);
    drain_deadline_ = drain_start_ + bound;
    drain_tick();
  }

  void drain_tick() {
    if (phase_ != Phase::Drain) return;
    const auto now = Clock::now();
    if ((outstanding_ == 0 && session_entries_missing() == 0) || now >= drain_deadline_) {
      results_.drain_seconds = seconds_between(drain_start_, now);
      results_.unfinished = outstanding_;
      if (traffic_cpu_start_ >= 0) results_.cpu_seconds = process_cpu_seconds() - traffic_cpu_start_;
      return start_logout();
    }
    tick_.expires_after(std::chrono::milliseconds(5));
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) drain_tick();
    });
  }

  void start_logout() {
    phase_ = Phase::Logout;
    sweep_.cancel();
    for (const auto& m : members_)
      if (m.agent) results_.retransmissions += m.agent->retransmissions();
    // Sessions still open are ended, so the switch does not keep them.
    for (auto& [ptr, flow] : flows_) (void)flow.session->end();
    logout_deadline_ = Clock::now() + std::chrono::seconds(10) +
                       std::chrono::milliseconds(static_cast<std::int64_t>(
                           1000.0 * static_cast<double>(ready_.size()) / plan_.register_rate));
    logout_start_ = Clock::now();
    logout_schedule_.emplace(plan_.register_rate, std::chrono::nanoseconds(0));
    logout_tick();
  }

  void logout_tick() {
    if (phase_ != Phase::Logout) return;
    const auto now = Clock::now();
    const auto due =
        std::min<std::uint64_t>(logout_schedule_->due_count(now - logout_start_), ready_.size());
    while (logouts_sent_ < due && logouts_sent_ - logouts_done_ < kMaxLoginsInFlight) {
      auto& m = members_[ready_[logouts_sent_++]];
      m.agent->logout([this](Result<void> r) {
        ++logouts_done_;
        if (r) ++results_.register_200s;
      });
    }
    if (logouts_done_ == ready_.size() || now >= logout_deadline_) return finish_after_logout();
    tick_.expires_after(kTick);
    tick_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) logout_tick();
    });
  }

  void finish_after_logout() {
    if (phase_ == Phase::Done) return;
    phase_ = Phase::Logout;
    if (api_ && results_.metrics.error.empty()) {
      api_->metrics([this](Result<std::string> text) {
        if (text) {
          compare_metrics(metrics_before_, *text, results_);
        } else {
          results_.metrics.error = "after the run: " + text.error().message;
        }
        finish();
      });
      return;
    }
    finish();
  }

  void finish() {
    if (phase_ == Phase::Done) return;
    if (results_.retransmissions == 0) {
      for (const auto& m : members_)
        if (m.agent) results_.retransmissions += m.agent->retransmissions();
    }
    if (results_.unfinished == 0) results_.unfinished = outstanding_;
    if (plan_.targets.empty() && results_.scenario(Scenario::Message).started) {
      results_.delivery_checked = true;
      std::tie(results_.delivery_lost, results_.delivery_duplicated) = delivery_check();
    }
    if (session_check()) {
      results_.session_delivery_checked = true;
      results_.session_delivery_lost = session_entries_missing();
    }
    phase_ = Phase::Done;
    if (setup_.tty && setup_.progress) setup_.progress("\r\033[K");
    tick_.cancel();
    sweep_.cancel();
    progress_timer_.cancel();
    flows_.clear();
    for (auto& m : members_)
      if (m.agent) m.agent->close();
    if (api_) api_->close();
    io_.stop();
  }

  // ---- scenarios ---------------------------------------------------------------------------------

  Scenario pick_scenario() {
    std::uniform_real_distribution<double> u(0, cumulative_[kScenarios - 1]);
    const double x = u(rng_);
    for (std::size_t i = 0; i < kScenarios; ++i)
      if (x < cumulative_[i] && plan_.mix.weight[i] > 0) return static_cast<Scenario>(i);
    for (std::size_t i = kScenarios; i-- > 0;)
      if (plan_.mix.weight[i] > 0) return static_cast<Scenario>(i);
    return Scenario::Message;
  }

  const std::string& pick_target(const std::string& sender) {
    std::uniform_int_distribution<std::size_t> u(0, addressees_.size() - 1);
    for (int tries = 0; tries < 8; ++tries) {
      const auto& t = addressees_[u(rng_)];
      if (t != sender) return t;
    }
    for (const auto& t : addressees_)
      if (t != sender) return t;
    return addressees_.front();
  }

  std::string text_for(std::uint64_t seq) {
    std::string text = fmt::format("#{} ", seq);
    if (text.size() < plan_.text_bytes) text.append(text_padding_, 0, plan_.text_bytes - text.size());
    return text;
  }

  void issue(Clock::time_point intended) {
    const Scenario kind = pick_scenario();
    Member& m = members_[ready_[next_sender_++ % ready_.size()]];
    const std::uint64_t seq = issued_++;
    ++outstanding_;
    ++results_.scenario(kind).started;
    switch (kind) {
      case Scenario::Message: {
        const std::string& target = pick_target(m.agent->options().login);
        note_sent(seq);
        m.agent->send_pager(target, text_for(seq), [this, intended, seq](Result<int> r) {
          if (r) {
            results_.ok(Op::Message, micros_since(intended, Clock::now()));
            note_answered(seq);
            scenario_done(Scenario::Message, true);
          } else {
            results_.failed(Op::Message, cause_of(r.error()));
            scenario_done(Scenario::Message, false);
          }
        });
        return;
      }
      case Scenario::Register:
        m.agent->login([this, intended](Result<std::chrono::seconds> r) {
          if (r) {
            results_.ok(Op::Refresh, micros_since(intended, Clock::now()));
          } else {
            results_.failed(Op::Refresh, cause_of(r.error()));
          }
          scenario_done(Scenario::Register, r.ok());
        });
        return;
      case Scenario::Session:
      case Scenario::Queue: {
        auto session = m.agent->new_session();
        const std::string target =
            kind == Scenario::Queue ? plan_.queue : pick_target(m.agent->options().login);
        Flow flow;
        flow.session = session;
        flow.kind = kind;
        flow.intended = intended;
        auto* key = session.get();
        flows_.emplace(key, std::move(flow));
        if (auto ok = session->start(target, text_for(seq)); !ok) {
          flows_.erase(key);
          results_.failed(kind == Scenario::Queue ? Op::QueueAnswered : Op::InviteAnswered,
                          cause_of(ok.error()));
          scenario_done(kind, false);
        }
        return;
      }
    }
  }

  // ok: completed; else failed, counted here unless the caller counted it (declined ...).
  void scenario_done(Scenario kind, bool ok, bool counted = false) {
    if (ok) {
      ++results_.scenario(kind).completed;
    } else if (!counted) {
      ++results_.scenario(kind).failed;
    }
    --outstanding_;
    if (phase_ == Phase::Traffic && !schedule_) {
      asio::post(io_, [this] { refill(); });
    }
  }

  void on_provisional(const std::shared_ptr<client::ImSession>& s, int status) {
    auto it = flows_.find(s.get());
    if (it == flows_.end() || status != 180 || it->second.rang) return;
    it->second.rang = true;
    if (it->second.kind == Scenario::Session)
      results_.ok(Op::InviteRinging, micros_since(it->second.intended, Clock::now()));
  }

  void on_session_state(const std::shared_ptr<client::ImSession>& s,
                        const client::SessionStatus& status) {
    if (s->role() == client::Role::Recipient) {
      if (status.state == client::SessionState::Ended) (void)s->done();
      return;
    }
    auto it = flows_.find(s.get());
    if (it == flows_.end()) return;
    Flow& flow = it->second;
    const Op answered = flow.kind == Scenario::Queue ? Op::QueueAnswered : Op::InviteAnswered;
    if (status.state == client::SessionState::Connected && !flow.connected) {
      flow.connected = true;
      results_.ok(answered, micros_since(flow.intended, Clock::now()));
      return next_step(flow);
    }
    if (status.state != client::SessionState::Ended || flow.ending) return;
    const auto reason = status.reason.value_or(client::EndReason::Failed);
    auto& stats = results_.scenario(flow.kind);
    if (!flow.connected) {
      const std::string cause = cause_of(reason, s->end_detail());
      if (reason == client::EndReason::Rejected) {
        ++stats.declined;
      } else if (reason == client::EndReason::TimedOut ||
                 (reason == client::EndReason::Cancelled && flow.cancelled)) {
        ++stats.not_answered;
      } else {
        ++stats.failed;
      }
      results_.failed(answered, cause);
    } else {
      ++stats.failed;
      results_.failed(Op::Bye, "the session ended before our BYE: " + cause_of(reason, s->end_detail()));
    }
    end_flow(s.get(), false, false);
  }

  void next_step(Flow& flow) {
    if (phase_ == Phase::Done) return;
    auto session = flow.session;
    if (flow.messages_sent < plan_.session_messages && !flow.failed) {
      const int n = flow.messages_sent++;
      flow.step_sent = Clock::now();
      auto sent = session->send(text_for(n), [this, session](Result<client::TranscriptEntry> r) {
        auto it = flows_.find(session.get());
        if (it == flows_.end()) return;
        Flow& f = it->second;
        if (r) {
          results_.ok(Op::SessionMessage, micros_since(f.step_sent, Clock::now()));
        } else {
          results_.failed(Op::SessionMessage, cause_of(r.error()));
          f.failed = true;
        }
        if (plan_.message_think.count() > 0 && !f.failed) return think_then_step(session);
        next_step(f);
      });
      if (!sent) {
        results_.failed(Op::SessionMessage, cause_of(sent.error()));
        flow.failed = true;
        return next_step(flow);
      }
      return;
    }
    flow.ending = true;
    flow.step_sent = Clock::now();
    auto ended = session->end([this, session](Result<int> r) {
      auto it = flows_.find(session.get());
      if (it == flows_.end()) return;
      const bool ok = r && *r / 100 == 2;
      if (ok) {
        results_.ok(Op::Bye, micros_since(it->second.step_sent, Clock::now()));
      } else {
        results_.failed(Op::Bye, r ? std::to_string(*r) : cause_of(r.error()));
      }
      end_flow(session.get(), ok && !it->second.failed, true);
    });
    if (!ended) {
      results_.failed(Op::Bye, cause_of(ended.error()));
      end_flow(session.get(), false, true);
    }
  }

  void think_then_step(const std::shared_ptr<client::ImSession>& session) {
    auto timer = std::make_shared<asio::steady_timer>(io_, plan_.message_think);
    timer->async_wait([this, session, timer](const boost::system::error_code& ec) {
      if (ec || phase_ == Phase::Done) return;
      auto it = flows_.find(session.get());
      if (it != flows_.end()) next_step(it->second);
    });
  }

  // count_failure: a step failed that was not yet counted in the scenario's stats.
  void end_flow(client::ImSession* key, bool ok, bool count_failure) {
    auto it = flows_.find(key);
    if (it == flows_.end()) return;
    const Scenario kind = it->second.kind;
    auto session = it->second.session;
    flows_.erase(it);
    if (session->state() == client::SessionState::Ended) (void)session->done();
    scenario_done(kind, ok, !count_failure);
  }

  // Invitations not answered within the ring timeout are cancelled (CANCEL), as an impatient
  // customer would.
  void sweep() {
    if (phase_ == Phase::Done || phase_ == Phase::Logout) return;
    const auto now = Clock::now();
    for (auto& [key, flow] : flows_) {
      if (!flow.connected && !flow.cancelled && now - flow.intended > plan_.ring_timeout) {
        flow.cancelled = true;
        (void)flow.session->end();
      }
    }
    sweep_.expires_after(kSweepEvery);
    sweep_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) sweep();
    });
  }

  // ---- the answering side ------------------------------------------------------------------------

  void on_invitation(Member&, const std::shared_ptr<client::ImSession>& s) {
    auto& a = results_.answering;
    ++a.invitations;
    std::uniform_real_distribution<double> u(0, 1);
    const double x = u(rng_);
    enum { Accept, Decline, Ignore } choice =
        x < plan_.answer.accept ? Accept
        : x < plan_.answer.accept + plan_.answer.decline ? Decline
                                                          : Ignore;
    if (choice == Ignore || (plan_.answer.accept + plan_.answer.decline == 0)) {
      ++a.ignored;
      return;
    }
    auto act = [this, s, choice] {
      if (s->state() != client::SessionState::Establishing) return;
      if (choice == Accept) {
        if (s->accept()) ++results_.answering.accepted;
      } else {
        if (s->reject()) ++results_.answering.declined;
      }
    };
    if (plan_.answer.think.count() == 0) return act();
    auto timer = std::make_shared<asio::steady_timer>(io_, plan_.answer.think);
    timer->async_wait([this, act, timer](const boost::system::error_code& ec) {
      if (!ec && phase_ != Phase::Done) act();
    });
  }

  void on_pager(const client::PagerMessage& m) {
    if (m.copy) return;
    ++results_.answering.pager_received;
    // "#<seq> ...": delivered once, for a message this process sent.
    if (m.text.size() < 2 || m.text[0] != '#') return;
    std::uint64_t seq = 0;
    std::size_t i = 1;
    while (i < m.text.size() && std::isdigit(static_cast<unsigned char>(m.text[i])))
      seq = seq * 10 + static_cast<std::uint64_t>(m.text[i++] - '0');
    if (seq >= delivery_.size()) return;
    auto& d = delivery_[seq];
    if (d & kReceived) {
      ++duplicates_;
    }
    d |= kReceived;
  }

  // What became of each pager message this process sent, for the delivery check.
  static constexpr std::uint8_t kSentFlag = 1, kAnswered = 2, kReceived = 4;
  void note_sent(std::uint64_t seq) {
    if (seq >= delivery_.size()) delivery_.resize(std::max<std::size_t>(seq + 1, delivery_.size() * 2));
    delivery_[seq] |= kSentFlag;
  }
  void note_answered(std::uint64_t seq) { delivery_[seq] |= kAnswered; }

 public:
  // Pager messages answered 2xx that never reached their (in-process) addressee, and deliveries
  // of one message more than once.
  std::pair<std::uint64_t, std::uint64_t> delivery_check() const {
    std::uint64_t lost = 0;
    for (auto d : delivery_)
      if ((d & kAnswered) && !(d & kReceived)) ++lost;
    return {lost, duplicates_};
  }
  bool in_process_addressees() const { return plan_.targets.empty(); }

  // Sessions between this process's own agents (no queue, whose members may be elsewhere): each
  // connected one's first message and every in-session MESSAGE answered 200 must reach the
  // recipient, which may come after the initiator's last 200 (the switch answers once stored).
  bool session_check() const {
    return plan_.targets.empty() && plan_.mix[Scenario::Queue] == 0 &&
           results_.scenario(Scenario::Session).started > 0;
  }
  std::uint64_t session_entries_missing() const {
    if (!session_check()) return 0;
    const std::uint64_t expected =
        results_.ops[static_cast<std::size_t>(Op::InviteAnswered)].latency.count() +
        results_.ops[static_cast<std::size_t>(Op::SessionMessage)].latency.count();
    const std::uint64_t got = results_.answering.session_messages_received;
    return expected > got ? expected - got : 0;
  }

 private:
  // ---- progress ----------------------------------------------------------------------------------

  void start_progress() {
    if (!setup_.progress || (!setup_.tty && setup_.progress_every.count() == 0)) return;
    progress_timer_.expires_after(setup_.tty ? std::chrono::seconds(1) : setup_.progress_every);
    progress_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || phase_ == Phase::Done) return;
      show_progress();
      start_progress();
    });
  }

  void show_progress() {
    const auto now = Clock::now();
    std::string line;
    if (phase_ == Phase::Login) {
      line = fmt::format("logging in: {} of {} ({} failed)", results_.logged_in,
                         plan_.agents.size(), results_.ops[0].failed());
    } else {
      const double elapsed = seconds_between(traffic_start_, now);
      std::string remaining;
      if (phase_ == Phase::Traffic && plan_.duration) {
        remaining = fmt::format(" / {:.0f} s", std::chrono::duration<double>(*plan_.duration).count());
      } else if (phase_ == Phase::Traffic && plan_.count) {
        remaining = fmt::format(", {} of {} started", issued_, *plan_.count);
      }
      std::uint64_t done = 0, failed = 0;
      for (std::size_t i = 0; i < kScenarios; ++i) {
        done += results_.scenarios[i].completed;
      }
      for (std::size_t i = 1; i < kOps; ++i) failed += results_.ops[i].failed();
      const double since = seconds_between(last_progress_, now);
      const double rate =
          since > 0 ? static_cast<double>(done - last_done_) / since : 0;
      last_done_ = done;
      line = fmt::format("{} {:.0f} s{}: {:.0f}/s, {} in flight, p99 {:.2f} ms, {} failed",
                         phase_ == Phase::Traffic ? "running" : "finishing", elapsed, remaining,
                         rate, outstanding_, static_cast<double>(results_.all.percentile(0.99)) / 1000,
                         failed);
    }
    last_progress_ = now;
    setup_.progress(setup_.tty ? "\r\033[K" + line : line + "\n");
  }

  void say(const std::string& text) {
    if (!setup_.progress) return;
    setup_.progress(setup_.tty ? "\r\033[K" + text + "\n" : text + "\n");
  }

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

Runner::Runner(asio::io_context& io, LoadPlan plan, RunnerSetup setup)
    : impl_(std::make_unique<Impl>(io, std::move(plan), std::move(setup))) {}
Runner::~Runner() = default;

Results Runner::run() { return impl_->run(); }
void Runner::interrupt() { impl_->interrupt(); }

}  // namespace ims::tool::load
