#include "switch/agents/subscriptions.hpp"

#include <algorithm>

#include "common/sip/header_values.hpp"
#include "common/util/strings.hpp"

namespace ims::sw::agents {

namespace {

// A q-value of zero ("0", "0.0", "0.000"): not acceptable (RFC 3261 §20.1, RFC 2616 §3.9).
bool zero_q(std::string_view q) {
  q = util::trim(q);
  if (q.empty() || q.front() != '0') return false;
  return q.find_first_not_of("0.") == std::string_view::npos;
}

}  // namespace

Granted grant_expires(const SubscribeSettings& settings, std::optional<std::uint32_t> requested) {
  const std::uint32_t most = std::max<std::uint32_t>(settings.max_expires_s, 1);
  if (!requested) return Granted{200, std::min(settings.default_expires_s, most), 0};
  if (*requested == 0) return Granted{200, 0, 0};
  if (*requested < settings.min_expires_s) return Granted{423, 0, settings.min_expires_s};
  return Granted{200, std::min(*requested, most), 0};
}

bool accepts_pidf(const std::vector<std::string_view>& accept_values) {
  if (accept_values.empty()) return true;
  for (const auto value : accept_values) {
    for (const auto range : sip::split_list(value)) {
      const auto media = sip::parse_content_type(range);
      if (!media) continue;
      const bool type_ok = media->type == "*" || util::iequals(media->type, "application");
      const bool subtype_ok = media->subtype == "*" || util::iequals(media->subtype, "pidf+xml");
      if (!type_ok || !subtype_ok) continue;
      const auto q = media->params.get("q");
      if (q && zero_q(*q)) continue;
      return true;
    }
  }
  return false;
}

std::string_view event_id(std::string_view event) {
  const auto semicolon = event.find(';');
  if (semicolon == std::string_view::npos) return {};
  return util::trim(sip::Params(event.substr(semicolon)).get("id").value_or(std::string_view{}));
}

// ---- SubscriptionQuota -----------------------------------------------------------------------

SubscriptionQuota::Taken SubscriptionQuota::take(const std::string& watcher,
                                                 std::size_t max_per_watcher,
                                                 std::size_t max_total) {
  if (total_ >= max_total) return Taken::SwitchFull;
  auto& mine = per_watcher_[watcher];
  if (mine >= max_per_watcher) {
    if (mine == 0) per_watcher_.erase(watcher);
    return Taken::WatcherFull;
  }
  ++mine;
  ++total_;
  return Taken::Ok;
}

void SubscriptionQuota::give_back(const std::string& watcher) {
  auto it = per_watcher_.find(watcher);
  if (it == per_watcher_.end()) return;
  if (total_ > 0) --total_;
  if (--it->second == 0) per_watcher_.erase(it);
}

std::size_t SubscriptionQuota::of(const std::string& watcher) const {
  auto it = per_watcher_.find(watcher);
  return it == per_watcher_.end() ? 0 : it->second;
}

// ---- Subscriptions ---------------------------------------------------------------------------

void Subscriptions::add(Subscription subscription) {
  remove(subscription.id);
  const std::string id = subscription.id;
  by_expiry_.emplace(subscription.expires_at_ms, id);
  by_presentity_.emplace(subscription.presentity, id);
  Entry e;
  e.subscription = std::move(subscription);
  table_.emplace(id, std::move(e));
}

const Subscription* Subscriptions::find(const std::string& id) const {
  auto it = table_.find(id);
  return it == table_.end() ? nullptr : &it->second.subscription;
}

bool Subscriptions::refresh(const std::string& id, std::int64_t expires_at_ms) {
  auto it = table_.find(id);
  if (it == table_.end()) return false;
  Subscription& s = it->second.subscription;
  by_expiry_.erase({s.expires_at_ms, id});
  s.expires_at_ms = expires_at_ms;
  by_expiry_.emplace(expires_at_ms, id);
  return true;
}

void Subscriptions::unindex(const Entry& e) {
  const Subscription& s = e.subscription;
  by_expiry_.erase({s.expires_at_ms, s.id});
  auto [first, last] = by_presentity_.equal_range(s.presentity);
  for (auto it = first; it != last; ++it) {
    if (it->second == s.id) {
      by_presentity_.erase(it);
      break;
    }
  }
}

std::optional<Subscription> Subscriptions::remove(const std::string& id) {
  auto it = table_.find(id);
  if (it == table_.end()) return std::nullopt;
  unindex(it->second);
  Subscription out = std::move(it->second.subscription);
  table_.erase(it);
  return out;
}

std::vector<Subscription> Subscriptions::expire(std::int64_t now_ms) {
  std::vector<Subscription> out;
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now_ms) {
    const std::string id = by_expiry_.begin()->second;
    auto removed = remove(id);
    if (!removed) {  // an index entry without its subscription cannot happen; never loop on it
      by_expiry_.erase(by_expiry_.begin());
      continue;
    }
    out.push_back(std::move(*removed));
  }
  return out;
}

std::optional<std::int64_t> Subscriptions::next_expiry() const {
  if (by_expiry_.empty()) return std::nullopt;
  return by_expiry_.begin()->first;
}

std::vector<std::string> Subscriptions::watching(const std::string& presentity) const {
  std::vector<std::string> out;
  auto [first, last] = by_presentity_.equal_range(presentity);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  std::sort(out.begin(), out.end());  // a stable order for the caller's log lines
  return out;
}

std::vector<std::string> Subscriptions::ids() const {
  std::vector<std::string> out;
  out.reserve(table_.size());
  for (const auto& [id, e] : table_) out.push_back(id);
  std::sort(out.begin(), out.end());
  return out;
}

bool Subscriptions::notify(const std::string& id, const WatchedState& state, bool force) {
  auto it = table_.find(id);
  if (it == table_.end()) return false;
  Entry& e = it->second;
  if (e.in_flight) {
    e.owed = true;
    e.owed_forced = e.owed_forced || force;
    return false;
  }
  if (!force && e.told == state) return false;
  e.told = state;
  e.in_flight = true;
  return true;
}

std::optional<bool> Subscriptions::answered(const std::string& id) {
  auto it = table_.find(id);
  if (it == table_.end()) return std::nullopt;
  Entry& e = it->second;
  e.in_flight = false;
  if (!e.owed) return std::nullopt;
  const bool forced = e.owed_forced;
  e.owed = false;
  e.owed_forced = false;
  return forced;
}

std::optional<WatchedState> Subscriptions::told(const std::string& id) const {
  auto it = table_.find(id);
  if (it == table_.end()) return std::nullopt;
  return it->second.told;
}

}  // namespace ims::sw::agents
