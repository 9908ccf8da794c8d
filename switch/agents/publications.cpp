#include "switch/agents/publications.hpp"

#include <algorithm>
#include <iterator>
#include <tuple>
#include <utility>

#include "common/util/strings.hpp"
#include "switch/agents/pidf.hpp"

namespace ims::sw::agents {

namespace {

// RFC 3903 §6 step 5: a 423 only for intervals under an hour.
constexpr std::uint32_t kOneHour = 3600;
constexpr std::int64_t kMsPerSecond = 1000;

bool expired(const Publication& p, std::int64_t now_ms) { return p.expires_at_ms <= now_ms; }

}  // namespace

bool is_presence_event(std::string_view event) {
  const auto semicolon = event.find(';');
  return util::iequals(util::trim(event.substr(0, semicolon)), kPresenceEvent);
}

Publications::Entry* Publications::find(std::string_view login, std::string_view etag,
                                        std::int64_t now_ms) {
  auto it = table_.find(std::string(login));
  if (it == table_.end()) return nullptr;
  for (auto& e : it->second) {
    // An expired publication is gone for the client even before the sweep removes it.
    if (e.publication.etag == etag && !expired(e.publication, now_ms)) return &e;
  }
  return nullptr;
}

const Publications::Entry* Publications::effective(std::string_view login,
                                                   std::int64_t now_ms) const {
  auto it = table_.find(std::string(login));
  if (it == table_.end()) return nullptr;
  const Entry* best = nullptr;
  for (const auto& e : it->second) {
    if (expired(e.publication, now_ms)) continue;
    if (!best || e.order > best->order) best = &e;
  }
  return best;
}

AgentState Publications::state_of(std::string_view login, std::int64_t now_ms) const {
  const Entry* e = effective(login, now_ms);
  return e ? e->publication.state : default_state();
}

std::optional<StateChange> Publications::settle(const std::string& login, std::int64_t now_ms) {
  const AgentState now = state_of(login, now_ms);
  auto it = reported_.find(login);
  const AgentState before = it == reported_.end() ? default_state() : it->second;
  if (now == before) return std::nullopt;
  if (now == default_state()) {
    reported_.erase(login);
  } else {
    reported_[login] = now;
  }
  return StateChange{login, now};
}

void Publications::make_room(List& list, std::int64_t now_ms, std::vector<Publication>& removed) {
  auto gone = std::stable_partition(
      list.begin(), list.end(), [&](const Entry& e) { return !expired(e.publication, now_ms); });
  for (auto it = gone; it != list.end(); ++it) removed.push_back(std::move(it->publication));
  count_ -= static_cast<std::size_t>(list.end() - gone);
  list.erase(gone, list.end());
  while (!list.empty() && list.size() >= std::max<std::size_t>(settings_.max_per_login, 1)) {
    auto oldest = std::min_element(
        list.begin(), list.end(), [](const Entry& a, const Entry& b) { return a.order < b.order; });
    removed.push_back(std::move(oldest->publication));
    list.erase(oldest);
    --count_;
  }
}

PublishOutcome Publications::publish(const PublishRequest& request, std::string_view new_etag,
                                     std::int64_t now_ms) {
  PublishOutcome out;
  auto refuse = [&out](int status, std::string reason = {}) {
    out.status = status;
    out.reason = std::move(reason);
    return out;
  };

  // §6 step 4: the publication SIP-If-Match names, or an initial publication with a body.
  Entry* target = nullptr;
  if (request.if_match) {
    target = find(request.login, *request.if_match, now_ms);
    if (!target) return refuse(412);
  } else if (!request.has_body) {
    return refuse(400, "Initial PUBLISH Without Body");
  }

  // §6 step 5: the expiry.
  std::uint32_t expires = request.expires.value_or(settings_.default_expires_s);
  if (expires > 0 && expires < settings_.min_expires_s && expires < kOneHour) {
    out.min_expires = settings_.min_expires_s;
    return refuse(423);
  }
  expires = std::min(expires, settings_.max_expires_s);

  // §6 step 6: the body, in the package's format (RFC 3856 §6.1: PIDF).
  std::optional<AgentState> published;
  if (request.has_body) {
    if (!is_pidf_content_type(request.content_type)) return refuse(415);
    auto parsed = parse_pidf(request.body);
    if (!parsed) return refuse(400, parsed.error().message);
    published = std::move(*parsed);
  }

  out.status = 200;
  out.expires_s = expires;
  const std::int64_t expires_at = now_ms + static_cast<std::int64_t>(expires) * kMsPerSecond;
  if (target && expires == 0) {
    // §4.5: removal. The 200 names the entity-tag that was removed.
    out.op = PublishOp::Remove;
    out.etag = target->publication.etag;
    List& list = table_[request.login];
    out.removed.push_back(std::move(target->publication));
    list.erase(list.begin() + (target - list.data()));
    --count_;
    if (list.empty()) table_.erase(request.login);
  } else if (target) {
    // §4.3 refresh, §4.4 modify: the publication lives on under a new entity-tag.
    out.op = published ? PublishOp::Modify : PublishOp::Refresh;
    out.replaced = target->publication.etag;
    Publication& p = target->publication;
    p.etag = std::string(new_etag);
    p.expires_at_ms = expires_at;
    if (published) {
      p.state = std::move(*published);
      p.modified_at_ms = now_ms;
      target->order = ++order_;
    }
    out.etag = p.etag;
    out.stored = p;
  } else {
    // §4.2: an initial publication. With Expires: 0 it ends as it begins: nothing is kept.
    out.op = PublishOp::Initial;
    out.etag = std::string(new_etag);
    if (expires > 0) {
      List& list = table_[request.login];
      make_room(list, now_ms, out.removed);
      Publication p{request.login, out.etag, std::move(*published), expires_at, now_ms};
      out.stored = p;
      list.push_back(Entry{std::move(p), ++order_});
      ++count_;
    }
  }
  out.changed = settle(request.login, now_ms);
  return out;
}

PublishOutcome Publications::set_by_api(const std::string& login, AgentState state,
                                        std::string_view new_etag, std::int64_t expires_at_ms,
                                        std::int64_t now_ms) {
  PublishOutcome out;
  out.status = 200;
  out.etag = std::string(new_etag);
  out.expires_s = static_cast<std::uint32_t>(
      std::max<std::int64_t>(0, (expires_at_ms - now_ms) / kMsPerSecond));
  List& list = table_[login];
  auto mine = std::find_if(list.begin(), list.end(), [](const Entry& e) {
    return std::string_view(e.publication.etag).starts_with(kApiEtagPrefix);
  });
  if (mine != list.end()) {
    out.op = PublishOp::Modify;
    out.replaced = mine->publication.etag;
    mine->publication.etag = out.etag;
    mine->publication.state = std::move(state);
    mine->publication.expires_at_ms = expires_at_ms;
    mine->publication.modified_at_ms = now_ms;
    mine->order = ++order_;
    out.stored = mine->publication;
  } else {
    out.op = PublishOp::Initial;
    make_room(list, now_ms, out.removed);
    Publication p{login, out.etag, std::move(state), expires_at_ms, now_ms};
    out.stored = p;
    list.push_back(Entry{std::move(p), ++order_});
    ++count_;
  }
  out.changed = settle(login, now_ms);
  return out;
}

Publications::Expired Publications::expire(std::int64_t now_ms) {
  Expired out;
  std::vector<std::string> touched;
  for (auto it = table_.begin(); it != table_.end();) {
    List& list = it->second;
    const std::size_t before = list.size();
    for (auto& e : list) {
      if (expired(e.publication, now_ms)) out.removed.push_back(e.publication);
    }
    std::erase_if(list, [&](const Entry& e) { return expired(e.publication, now_ms); });
    if (list.size() != before) {
      count_ -= before - list.size();
      touched.push_back(it->first);
    }
    it = list.empty() ? table_.erase(it) : std::next(it);
  }
  for (const auto& login : touched) {
    if (auto change = settle(login, now_ms)) out.changed.push_back(std::move(*change));
  }
  return out;
}

std::vector<StateChange> Publications::load(std::vector<Publication> publications,
                                            std::int64_t now_ms) {
  // The order of modification, as far as the store kept it.
  std::stable_sort(publications.begin(), publications.end(),
                   [](const Publication& a, const Publication& b) {
                     return std::tie(a.modified_at_ms, a.etag) < std::tie(b.modified_at_ms, b.etag);
                   });
  std::vector<std::string> logins;
  for (auto& p : publications) {
    List& list = table_[p.login];
    if (list.empty()) logins.push_back(p.login);
    // A later copy of the same entity-tag replaces an earlier one.
    std::erase_if(list, [&](const Entry& e) {
      const bool same = e.publication.etag == p.etag;
      if (same) --count_;
      return same;
    });
    list.push_back(Entry{std::move(p), ++order_});
    ++count_;
  }
  std::vector<StateChange> restored;
  for (const auto& login : logins) {
    if (auto change = settle(login, now_ms)) restored.push_back(std::move(*change));
  }
  return restored;
}

}  // namespace ims::sw::agents
