#pragma once
// Test support for the transaction layer: messages built the way a UA would, a fake clock that
// keeps armed timers and fires them in time order (no sleeps, STYLE rule 4), and a harness
// that drives one state machine with it and records what the machine asked for.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/sip/builders.hpp"
#include "common/sip/message.hpp"
#include "common/txn/actions.hpp"
#include "common/txn/timers.hpp"

namespace ims::txn::test {

inline constexpr Duration kT1{500};
inline constexpr Duration kT2{4000};
inline constexpr Duration kT4{5000};

struct RequestSpec {
  sip::Method method = sip::Method::Invite;
  std::string_view method_text = {};   // for extension methods
  std::string_view branch = "z9hG4bK776asdhds";
  std::string_view sent_by = "pc33.atlanta.com";
  std::string_view transport = "UDP";
  std::string_view uri = "sip:bob@biloxi.com";
  std::string_view call_id = "a84b4c76e66710@pc33.atlanta.com";
  std::uint32_t cseq = 314159;
  std::string_view from_tag = "1928301774";
  std::string_view to_tag = {};
};

// A request as §8.1.1 builds it. An empty branch leaves the parameter out (RFC 2543 style).
inline sip::Message make_request(const RequestSpec& s = {}) {
  sip::Message m = sip::Message::request(s.method, s.uri, s.method_text);
  std::string via = "SIP/2.0/" + std::string(s.transport) + " " + std::string(s.sent_by);
  if (!s.branch.empty()) via += ";branch=" + std::string(s.branch);
  m.add(sip::HeaderId::Via, via);
  m.add(sip::HeaderId::MaxForwards, "70");
  std::string to = "Bob <sip:bob@biloxi.com>";
  if (!s.to_tag.empty()) to += ";tag=" + std::string(s.to_tag);
  m.add(sip::HeaderId::To, to);
  m.add(sip::HeaderId::From, "Alice <sip:alice@atlanta.com>;tag=" + std::string(s.from_tag));
  m.add(sip::HeaderId::CallId, s.call_id);
  const std::string_view name =
      s.method == sip::Method::Unknown ? s.method_text : sip::method_name(s.method);
  m.add(sip::HeaderId::CSeq, std::to_string(s.cseq) + " " + std::string(name));
  return m;
}

inline sip::Message make_invite(std::string_view branch = "z9hG4bK776asdhds") {
  RequestSpec s;
  s.branch = branch;
  return make_request(s);
}

inline sip::Message make_non_invite(sip::Method method = sip::Method::Options,
                                    std::string_view branch = "z9hG4bKnashds8") {
  RequestSpec s;
  s.method = method;
  s.branch = branch;
  return make_request(s);
}

inline sip::Message respond_to(const sip::Message& request, int status,
                               std::string_view to_tag = "a6c85cf") {
  return sip::make_response(request, status, {}, status == 100 ? std::string_view{} : to_tag);
}

// Timers armed per (key, id), fired earliest first; equal deadlines fire in arming order.
template <class K>
class FakeClock {
 public:
  struct Timer {
    K key;
    TimerId id;
    Duration deadline;
    std::uint64_t seq;
  };

  Duration now() const { return now_; }

  void start(const K& key, TimerId id, Duration after) {
    cancel(key, id);  // re-arming replaces
    // The stack keeps one position per timer_place: a machine never arms two timers of one.
    for (const Timer& t : timers_)
      if (t.key == key && timer_place(t.id) == timer_place(id))
        ADD_FAILURE() << "timers " << timer_name(t.id) << " and " << timer_name(id)
                      << " armed together share place " << timer_place(id);
    timers_.push_back(Timer{key, id, now_ + after, next_seq_++});
  }
  void cancel(const K& key, TimerId id) {
    std::erase_if(timers_, [&](const Timer& t) { return t.key == key && t.id == id; });
  }
  bool armed(const K& key, TimerId id) const { return deadline(key, id).has_value(); }
  std::optional<Duration> deadline(const K& key, TimerId id) const {
    for (const Timer& t : timers_)
      if (t.key == key && t.id == id) return t.deadline;
    return std::nullopt;
  }
  std::size_t armed_count(const K& key) const {
    std::size_t n = 0;
    for (const Timer& t : timers_) n += t.key == key ? 1 : 0;
    return n;
  }
  std::size_t size() const { return timers_.size(); }

  // Removes the earliest timer due at or before `until` and moves the clock to its deadline.
  std::optional<Timer> pop_due(Duration until) {
    auto best = timers_.end();
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->deadline > until) continue;
      if (best == timers_.end() || it->deadline < best->deadline ||
          (it->deadline == best->deadline && it->seq < best->seq))
        best = it;
    }
    if (best == timers_.end()) return std::nullopt;
    Timer t = *best;
    timers_.erase(best);
    now_ = t.deadline;
    return t;
  }
  void set_now(Duration t) { now_ = t; }

 private:
  std::vector<Timer> timers_;
  Duration now_{0};
  std::uint64_t next_seq_ = 0;
};

// What a transaction asked for, with the fake time of each request.
struct Log {
  struct Sent {
    Duration at;
    sip::Message message;
  };
  std::vector<Sent> sent;
  std::vector<sip::Message> to_tu;
  std::vector<Failure> reports;
  std::vector<StartTimer> started;
  std::optional<EndReason> ended;
  Duration ended_at{0};

  std::vector<Duration> send_times() const {
    std::vector<Duration> out;
    for (const Sent& s : sent) out.push_back(s.at);
    return out;
  }
  const sip::Message& last_sent() const { return sent.back().message; }
};

// Applies actions for one transaction (key) to the clock and the log. Checks the contract:
// nothing follows Terminated, and no timer of the key is left armed when it comes.
template <class K>
void apply(FakeClock<K>& clock, Log& log, const K& key, Actions actions) {
  for (Action& a : actions) {
    EXPECT_FALSE(log.ended.has_value()) << "action after Terminated";
    if (auto* s = std::get_if<SendToTransport>(&a)) {
      log.sent.push_back({clock.now(), std::move(s->message)});
    } else if (auto* p = std::get_if<PassToTu>(&a)) {
      log.to_tu.push_back(std::move(p->message));
    } else if (auto* st = std::get_if<StartTimer>(&a)) {
      log.started.push_back(*st);
      clock.start(key, st->id, st->after);
    } else if (auto* c = std::get_if<CancelTimer>(&a)) {
      EXPECT_TRUE(clock.armed(key, c->id)) << "cancel of unarmed " << timer_name(c->id);
      clock.cancel(key, c->id);
    } else if (auto* r = std::get_if<ReportToTu>(&a)) {
      log.reports.push_back(r->failure);
    } else if (auto* t = std::get_if<Terminated>(&a)) {
      EXPECT_EQ(clock.armed_count(key), 0u) << "timers left armed at Terminated";
      log.ended = t->reason;
      log.ended_at = clock.now();
    }
  }
}

// Drives one state machine with a fake clock.
template <class Machine>
class Harness {
 public:
  template <class... Args>
  explicit Harness(Args&&... args) : machine(std::forward<Args>(args)...) {}

  void apply(Actions actions) { test::apply(clock, log, 0, std::move(actions)); }

  // Fires every timer due up to now + d, in order, then sets the clock to now + d.
  void advance(Duration d) { run_until(clock.now() + d); }
  void run_until(Duration t) {
    while (auto timer = clock.pop_due(t)) apply(machine.on_timer(timer->id));
    clock.set_now(t);
  }
  bool armed(TimerId id) const { return clock.armed(0, id); }
  std::optional<Duration> deadline(TimerId id) const { return clock.deadline(0, id); }
  Duration now() const { return clock.now(); }

  Machine machine;
  FakeClock<int> clock;
  Log log;
};

}  // namespace ims::txn::test
