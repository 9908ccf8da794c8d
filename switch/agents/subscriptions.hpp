#pragma once
// Subscriptions: the switch as notifier (RFC 6665) of the `presence` event package (RFC 3856) for
// its own agents: who watches whom, until when, and what each watcher was last told.
//
// The SIP layer (switch/app/subscribe.cpp) checks a SUBSCRIBE (target, Event, Accept,
// credentials), asks grant_expires() for the duration, takes a place in the SubscriptionQuota
// (shared by every SIP core) and keeps the subscription in its core's Subscriptions, keyed by an id
// it makes from the dialog. Then:
//   - notify() says whether a NOTIFY must go now with the state it is given. One NOTIFY per
//     subscription is in flight at a time: a change while one is in flight is owed, and
//     answered() says so once the NOTIFY is answered, so a watcher is never sent states out of
//     order and a flapping agent costs one NOTIFY per round trip, with the latest state. A new
//     subscription and a refresh force one (RFC 6665 §4.2.1.2, §4.2.2: the current state at
//     once); otherwise only a state the watcher has not been told goes out.
//   - refresh() moves the expiry; remove() ends one (unsubscribe, a NOTIFY answered with an
//     error or unanswered, the agent gone); expire() ends those not refreshed in time.
//   Every removal hands the record back so the caller can give the quota its place back.
//
// Sans-I/O: time comes in as Unix epoch ms. Owner: one SIP core (its strand); the quota is shared
// behind a lock.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "switch/agents/watched_state.hpp"

namespace ims::sw::agents {

struct SubscribeSettings {
  std::uint32_t min_expires_s = 60;        // shorter (but not 0): 423 (im.subscribe_min_expires_s)
  std::uint32_t max_expires_s = 3600;      // longer: cut down (im.subscribe_max_expires_s)
  std::uint32_t default_expires_s = 3600;  // Expires absent (RFC 3856 §6.4), at most the maximum
  std::size_t max_per_watcher = 100;       // one agent's at once (im.max_subscriptions_per_agent)
  std::size_t max_total = 20000;           // the switch's at once (im.max_subscriptions)
};

// The duration a SUBSCRIBE gets (RFC 6665 §4.2.1.1): 423 with Min-Expires below the minimum
// (0 excepted: a fetch, or an unsubscribe), cut down above the maximum, the default when absent.
struct Granted {
  int status = 200;               // 200 or 423
  std::uint32_t expires_s = 0;    // 200: the duration granted; 0 ends the subscription at once
  std::uint32_t min_expires = 0;  // 423: the Min-Expires value
};
Granted grant_expires(const SubscribeSettings& settings, std::optional<std::uint32_t> requested);

// Whether a SUBSCRIBE's Accept header fields (their values, in order) allow a PIDF body: without
// Accept, the package's default, PIDF (RFC 3856 §6.3); with it, application/pidf+xml,
// application/* or */* with a q above 0. An Accept with no media range accepts nothing
// (RFC 3261 §20.1).
bool accepts_pidf(const std::vector<std::string_view>& accept_values);

// The id parameter of an Event header value ("presence;id=7" -> "7"), "" when none (RFC 6665
// §8.2.1: the package and the id together name the subscription in its dialog).
std::string_view event_id(std::string_view event);

// Subscriptions held at once, per watcher and in all, over every SIP core (one lock).
class SubscriptionQuota {
 public:
  enum class Taken : std::uint8_t { Ok, WatcherFull, SwitchFull };
  // Takes a place for `watcher` unless it holds max_per_watcher already, or the switch max_total.
  Taken take(const std::string& watcher, std::size_t max_per_watcher, std::size_t max_total);
  void give_back(const std::string& watcher);
  std::size_t total() const { return total_; }
  std::size_t of(const std::string& watcher) const;

 private:
  std::unordered_map<std::string, std::size_t> per_watcher_;
  std::size_t total_ = 0;
};

struct Subscription {
  std::string id;          // the caller's name for it (made from the dialog)
  std::string watcher;     // the subscriber's login
  std::string presentity;  // the watched agent's login
  std::int64_t expires_at_ms = 0;
};

class Subscriptions {
 public:
  // A new subscription, `expires_at_ms` set. An id already held is replaced.
  void add(Subscription subscription);
  const Subscription* find(const std::string& id) const;
  // A refresh (RFC 6665 §4.2.1.2): the new expiry. False when the id is unknown.
  bool refresh(const std::string& id, std::int64_t expires_at_ms);
  // Ends one: its record, or nullopt when the id is unknown.
  std::optional<Subscription> remove(const std::string& id);
  // Ends every subscription whose expiry is at or before now_ms, earliest first.
  std::vector<Subscription> expire(std::int64_t now_ms);
  // The earliest expiry, for the caller's timer.
  std::optional<std::int64_t> next_expiry() const;

  // The ids of the subscriptions to `presentity`'s state, and of all.
  std::vector<std::string> watching(const std::string& presentity) const;
  std::vector<std::string> ids() const;
  std::size_t size() const { return table_.size(); }

  // NOTIFY pacing (see the top): whether a NOTIFY carrying `state` must go now. True marks it in
  // flight and remembers the state as told.
  bool notify(const std::string& id, const WatchedState& state, bool force);
  // The NOTIFY in flight was answered with a 2xx: nullopt when nothing is owed; otherwise a
  // NOTIFY is owed (true: a forced one), and the caller calls notify() with the state now.
  std::optional<bool> answered(const std::string& id);
  // What the watcher was last told, if anything.
  std::optional<WatchedState> told(const std::string& id) const;

 private:
  struct Entry {
    Subscription subscription;
    std::optional<WatchedState> told;
    bool in_flight = false;
    bool owed = false;
    bool owed_forced = false;
  };
  void unindex(const Entry& e);

  std::unordered_map<std::string, Entry> table_;                      // by id
  std::set<std::pair<std::int64_t, std::string>> by_expiry_;          // (expiry, id)
  std::unordered_multimap<std::string, std::string> by_presentity_;  // presentity -> id
};

}  // namespace ims::sw::agents
