// AgentCore's registration: login, refresh and logout (RFC 3261 §10.2).
#include <algorithm>

#include <fmt/format.h>

#include "client/agent_core.hpp"
#include "client/bodies.hpp"
#include "client/errors.hpp"
#include "client/sip_text.hpp"
#include "common/sip/uri.hpp"
#include "common/util/random.hpp"
#include "common/util/strings.hpp"

namespace ims::client::detail {

void AgentCore::send_register(std::chrono::seconds expires,
                              std::function<void(Result<sip::Message>)> done) {
  Outgoing out;
  out.build = [this, expires] {
    // §10.2: the Request-URI names the domain of the registrar, without a user part.
    auto ip = transport::parse_ip(domain_);
    sip::Message m = sip::Message::request(sip::Method::Register,
                                           "sip:" + (ip ? transport::host_text(*ip) : domain_));
    m.add(sip::HeaderId::MaxForwards, "70");
    m.add(sip::HeaderId::From, from_value(reg_tag_));
    m.add(sip::HeaderId::To, "<" + aor() + ">");
    m.add(sip::HeaderId::CallId, reg_call_id_);
    m.add(sip::HeaderId::CSeq, fmt::format("{} REGISTER", ++reg_cseq_));
    // RFC 3840: the feature tag tells the switch this device takes IM sessions.
    m.add(sip::HeaderId::Contact, contact_value() + ";" + std::string(kSessionFeatureTag));
    m.add(sip::HeaderId::Expires, std::to_string(expires.count()));
    m.add(sip::HeaderId::Allow, kAllow);
    return m;
  };
  out.on_final = [this, expires, done = std::move(done)](Result<sip::Message> final,
                                                         const sip::Message&) {
    // §10.2.8: 423 names the shortest expiry the registrar takes; ask again with it (once: the
    // new value is above the old one).
    if (final && final->status() == 423 && expires.count() > 0) {
      auto min = util::parse_uint(util::trim(final->get(sip::HeaderId::MinExpires)), 0xffffffff);
      if (min && std::chrono::seconds(*min) > expires) {
        register_expires_ = std::chrono::seconds(*min);
        return send_register(register_expires_, done);
      }
    }
    done(std::move(final));
  };
  auto id = send(std::move(out));
  if (!id) done(id.error());  // on_register_final posts what the application hears
}

std::chrono::seconds AgentCore::granted_expires(const sip::Message& ok) const {
  // §10.2.4: the 200 lists every binding with its expires; ours is the one with our URI.
  const std::string our_text = contact_uri();  // parse_uri's views point into it
  auto ours = sip::parse_uri(our_text);
  for (auto value : ok.values(sip::HeaderId::Contact)) {
    auto na = sip::parse_name_addr(value);
    if (!na) continue;
    auto uri = sip::parse_uri(na->uri);
    if (!uri || !ours || !sip::uri_equal(*uri, *ours)) continue;
    if (auto e = na->params.get("expires")) {
      if (auto n = util::parse_uint(*e, 0xffffffff)) return std::chrono::seconds(*n);
    }
  }
  if (auto e = ok.find(sip::HeaderId::Expires)) {
    if (auto n = util::parse_uint(util::trim(*e), 0xffffffff)) return std::chrono::seconds(*n);
  }
  return register_expires_;
}

void AgentCore::login(Agent::LoginCallback done) {
  if (closed_) {
    if (done) post([done](AgentCore&) { done(Error{ClientErrc::Closed, "the agent is closed"}); });
    return;
  }
  if (done) login_waiters_.push_back(std::move(done));
  // One REGISTER at a time (a refresh of its own or one asked for): a second one out would
  // race the first, and a retransmission of the first arriving after it is refused 500 for its
  // lower CSeq (RFC 3261 §10.3).
  if (registering_) return;
  registering_ = true;
  logging_out_ = false;
  send_register(register_expires_, [weak = weak_from_this()](Result<sip::Message> final) {
    if (auto self = weak.lock()) self->on_register_final(std::move(final), false);
  });
}

void AgentCore::on_register_final(Result<sip::Message> final, bool logging_out) {
  if (closed_) return;
  if (!logging_out) registering_ = false;
  Result<std::chrono::seconds> outcome = Error{ClientErrc::LoginRefused, ""};
  if (!final) {
    outcome = final.error();
  } else if (final->status() / 100 == 2) {
    outcome = granted_expires(*final);
  } else if (final->status() == 401 || final->status() == 407) {
    outcome = Error{ClientErrc::LoginRefused,
                    fmt::format("wrong login or password ({})", status_line(*final)),
                    final->status()};
  } else if (final->status() == 403) {
    outcome = Error{ClientErrc::LoginRefused,
                    fmt::format("not allowed to log in here ({})", status_line(*final)),
                    final->status()};
  } else {
    outcome = Error{ClientErrc::LoginRefused,
                    fmt::format("login refused ({})", status_line(*final)), final->status()};
  }
  if (logging_out) {
    logged_in_ = false;
    auto waiters = std::move(logout_waiters_);
    logout_waiters_.clear();
    Result<void> r;
    if (!outcome) r = outcome.error();
    post([waiters = std::move(waiters), r](AgentCore& self) {
      for (auto& w : waiters) w(r);
      self.events_->on_logged_out();
    });
    return;
  }
  auto waiters = std::move(login_waiters_);
  login_waiters_.clear();
  if (outcome) {
    logged_in_ = true;
    schedule_refresh(*outcome);
  } else {
    logged_in_ = false;
    refresh_timer_.cancel();
  }
  post([waiters = std::move(waiters), outcome](AgentCore& self) {
    for (auto& w : waiters) w(outcome);
    if (outcome) {
      self.events_->on_logged_in(*outcome);
    } else {
      self.events_->on_login_failed(outcome.error());
    }
  });
}

void AgentCore::schedule_refresh(std::chrono::seconds expires) {
  // Refresh at half the granted time: a lost REGISTER still has room for its retransmissions
  // (64*T1 = 32 s) before the binding lapses.
  const auto after = std::max<std::chrono::seconds>(std::chrono::seconds(1), expires / 2);
  const std::uint64_t generation = ++refresh_generation_;
  refresh_timer_.expires_after(after);
  refresh_timer_.async_wait([weak = weak_from_this(), generation](boost::system::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_ || generation != self->refresh_generation_) return;
    if (!self->logged_in_ || self->logging_out_) return;
    self->login({});
  });
}

void AgentCore::logout(Agent::DoneCallback done) {
  if (closed_) {
    if (done) post([done](AgentCore&) { done(Error{ClientErrc::Closed, "the agent is closed"}); });
    return;
  }
  if (done) logout_waiters_.push_back(std::move(done));
  if (logout_waiters_.size() > 1) return;
  logging_out_ = true;
  ++refresh_generation_;
  refresh_timer_.cancel();
  send_register(std::chrono::seconds(0), [weak = weak_from_this()](Result<sip::Message> final) {
    if (auto self = weak.lock()) self->on_register_final(std::move(final), true);
  });
}

}  // namespace ims::client::detail
