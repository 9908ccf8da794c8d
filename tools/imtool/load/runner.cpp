#include "tools/imtool/load/runner_impl.hpp"

namespace ims::tool::load {

using namespace runner_detail;

Results Runner::Impl::run() {
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

void Runner::Impl::interrupt() {
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

void Runner::Impl::start_logins() {
  if (phase_ == Phase::Done) return;
  phase_ = Phase::Login;
  members_.resize(plan_.agents.size());
  login_schedule_.emplace(plan_.register_rate, std::chrono::nanoseconds(0));
  login_start_ = Clock::now();
  login_tick();
}

void Runner::Impl::login_tick() {
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

void Runner::Impl::login_one(std::size_t i, Clock::time_point intended) {
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

void Runner::Impl::logins_over() {
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

void Runner::Impl::start_traffic() {
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

bool Runner::Impl::traffic_over(Clock::time_point now) const {
  if (plan_.duration && now - traffic_start_ >= *plan_.duration) return true;
  if (plan_.count && issued_ >= *plan_.count) return true;
  return false;
}

void Runner::Impl::traffic_tick() {
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

void Runner::Impl::refill() {
  if (refilling_ || phase_ != Phase::Traffic || plan_.answer_only || schedule_) return;
  refilling_ = true;
  const auto now = Clock::now();
  while (outstanding_ < plan_.outstanding_bound() && !traffic_over(now)) issue(now);
  refilling_ = false;
}

void Runner::Impl::start_drain(std::chrono::milliseconds bound) {
  if (phase_ != Phase::Traffic && phase_ != Phase::Login) return;
  if (phase_ == Phase::Login) results_.login_seconds = seconds_between(login_start_, Clock::now());
  phase_ = Phase::Drain;
  drain_start_ = Clock::now();
  results_.traffic_seconds =
      traffic_start_ == Clock::time_point{} ? 0 : seconds_between(traffic_start_, drain_start_);
  drain_deadline_ = drain_start_ + bound;
  drain_tick();
}

void Runner::Impl::drain_tick() {
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

void Runner::Impl::start_logout() {
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

void Runner::Impl::logout_tick() {
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

void Runner::Impl::finish_after_logout() {
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

void Runner::Impl::finish() {
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

void Runner::Impl::start_progress() {
  if (!setup_.progress || (!setup_.tty && setup_.progress_every.count() == 0)) return;
  progress_timer_.expires_after(setup_.tty ? std::chrono::seconds(1) : setup_.progress_every);
  progress_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || phase_ == Phase::Done) return;
    show_progress();
    start_progress();
  });
}

void Runner::Impl::show_progress() {
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

void Runner::Impl::say(const std::string& text) {
  if (!setup_.progress) return;
  setup_.progress(setup_.tty ? "\r\033[K" + text + "\n" : text + "\n");
}

Runner::Runner(asio::io_context& io, LoadPlan plan, RunnerSetup setup)
    : impl_(std::make_unique<Impl>(io, std::move(plan), std::move(setup))) {}
Runner::~Runner() = default;

Results Runner::run() { return impl_->run(); }
void Runner::interrupt() { impl_->interrupt(); }

}  // namespace ims::tool::load
