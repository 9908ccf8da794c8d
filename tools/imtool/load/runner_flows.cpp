#include "tools/imtool/load/runner_impl.hpp"

namespace ims::tool::load {

using namespace runner_detail;

Scenario Runner::Impl::pick_scenario() {
  std::uniform_real_distribution<double> u(0, cumulative_[kScenarios - 1]);
  const double x = u(rng_);
  for (std::size_t i = 0; i < kScenarios; ++i)
    if (x < cumulative_[i] && plan_.mix.weight[i] > 0) return static_cast<Scenario>(i);
  for (std::size_t i = kScenarios; i-- > 0;)
    if (plan_.mix.weight[i] > 0) return static_cast<Scenario>(i);
  return Scenario::Message;
}

const std::string& Runner::Impl::pick_target(const std::string& sender) {
  std::uniform_int_distribution<std::size_t> u(0, addressees_.size() - 1);
  for (int tries = 0; tries < 8; ++tries) {
    const auto& t = addressees_[u(rng_)];
    if (t != sender) return t;
  }
  for (const auto& t : addressees_)
    if (t != sender) return t;
  return addressees_.front();
}

std::string Runner::Impl::text_for(std::uint64_t seq) {
  std::string text = fmt::format("#{} ", seq);
  if (text.size() < plan_.text_bytes) text.append(text_padding_, 0, plan_.text_bytes - text.size());
  return text;
}

void Runner::Impl::issue(Clock::time_point intended) {
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

void Runner::Impl::scenario_done(Scenario kind, bool ok, bool counted) {
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

void Runner::Impl::on_provisional(const std::shared_ptr<client::ImSession>& s, int status) {
  auto it = flows_.find(s.get());
  if (it == flows_.end() || status != 180 || it->second.rang) return;
  it->second.rang = true;
  if (it->second.kind == Scenario::Session)
    results_.ok(Op::InviteRinging, micros_since(it->second.intended, Clock::now()));
}

void Runner::Impl::on_session_state(const std::shared_ptr<client::ImSession>& s,
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

void Runner::Impl::next_step(Flow& flow) {
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

void Runner::Impl::think_then_step(const std::shared_ptr<client::ImSession>& session) {
  auto timer = std::make_shared<asio::steady_timer>(io_, plan_.message_think);
  timer->async_wait([this, session, timer](const boost::system::error_code& ec) {
    if (ec || phase_ == Phase::Done) return;
    auto it = flows_.find(session.get());
    if (it != flows_.end()) next_step(it->second);
  });
}

void Runner::Impl::end_flow(client::ImSession* key, bool ok, bool count_failure) {
  auto it = flows_.find(key);
  if (it == flows_.end()) return;
  const Scenario kind = it->second.kind;
  auto session = it->second.session;
  flows_.erase(it);
  if (session->state() == client::SessionState::Ended) (void)session->done();
  scenario_done(kind, ok, !count_failure);
}

void Runner::Impl::sweep() {
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

void Runner::Impl::on_invitation(Member&, const std::shared_ptr<client::ImSession>& s) {
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

void Runner::Impl::on_pager(const client::PagerMessage& m) {
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

void Runner::Impl::note_sent(std::uint64_t seq) {
  if (seq >= delivery_.size()) delivery_.resize(std::max<std::size_t>(seq + 1, delivery_.size() * 2));
  delivery_[seq] |= kSentFlag;
}

std::pair<std::uint64_t, std::uint64_t> Runner::Impl::delivery_check() const {
  std::uint64_t lost = 0;
  for (auto d : delivery_)
    if ((d & kAnswered) && !(d & kReceived)) ++lost;
  return {lost, duplicates_};
}

bool Runner::Impl::session_check() const {
  return plan_.targets.empty() && plan_.mix[Scenario::Queue] == 0 &&
         results_.scenario(Scenario::Session).started > 0;
}

std::uint64_t Runner::Impl::session_entries_missing() const {
  if (!session_check()) return 0;
  const std::uint64_t expected =
      results_.ops[static_cast<std::size_t>(Op::InviteAnswered)].latency.count() +
      results_.ops[static_cast<std::size_t>(Op::SessionMessage)].latency.count();
  const std::uint64_t got = results_.answering.session_messages_received;
  return expected > got ? expected - got : 0;
}

}  // namespace ims::tool::load
