#include "switch/app/queue_desk.hpp"

#include <ctime>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "switch/app/switch_tu.hpp"
#include "switch/im/b2bua.hpp"

namespace ims::sw::app {

routing::LocalTime local_time(std::int64_t unix_ms) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  return routing::LocalTime{static_cast<unsigned>(tm.tm_wday),
                            static_cast<unsigned>(tm.tm_hour * 60 + tm.tm_min)};
}

// The port one core's B2BUA uses: every call names that core as the owner of what it queues.
class QueueDesk::CorePort final : public im::QueuePort {
 public:
  CorePort(QueueDesk& desk, std::size_t core) : desk_(desk), core_(core) {}

  routing::QueueRouter::Outcome request(std::string_view queue, const std::string& interaction,
                                        routing::RequestOptions options) override {
    routing::QueueRouter::Outcome outcome;
    std::vector<routing::PositionChange> moved;
    std::vector<std::pair<std::string, std::size_t>> owners;
    {
      std::lock_guard hold(desk_.lock_);
      outcome = desk_.router_.request(queue, interaction, desk_.clock_(), std::move(options));
      if (std::holds_alternative<routing::Offer>(outcome) ||
          std::holds_alternative<routing::Waiting>(outcome))
        desk_.core_of_[interaction] = core_;
      if (auto* w = std::get_if<routing::Waiting>(&outcome)) {
        moved = std::move(w->moved_back);
        routing::QueueRouter::Effects fx;
        fx.positions = moved;
        owners = desk_.owners_of(fx);
      }
    }
    if (!moved.empty()) {
      routing::QueueRouter::Effects fx;
      fx.positions = std::move(moved);
      desk_.dispatch(fx, owners);
    }
    return outcome;
  }

  bool answered(std::string_view interaction) override {
    std::lock_guard hold(desk_.lock_);
    return desk_.router_.answered(interaction, desk_.clock_());
  }

  void declined(std::string_view interaction) override {
    desk_.apply([&](routing::QueueRouter& r) { return r.declined(interaction); });
  }

  void no_answer(std::string_view interaction) override {
    desk_.apply([&](routing::QueueRouter& r) { return r.no_answer(interaction); });
  }

  void leave(std::string_view interaction, routing::LeaveReason reason) override {
    desk_.apply([&](routing::QueueRouter& r) {
      auto fx = r.leave(interaction, reason, desk_.clock_());
      desk_.core_of_.erase(std::string(interaction));
      return fx;
    });
  }

  void session_started(std::string_view login) override {
    desk_.apply([&](routing::QueueRouter& r) { return r.session_started(login); });
  }

  void session_ended(std::string_view login) override {
    desk_.apply([&](routing::QueueRouter& r) { return r.session_ended(login, desk_.clock_()); });
  }

  Result<im::RouteTarget> route(std::string_view address, const routing::Facts& facts) override {
    std::shared_ptr<const directory::Directory> dir;
    {
      std::lock_guard hold(desk_.lock_);
      dir = desk_.directory_;
    }
    if (!dir) return Error{std::make_error_code(std::errc::not_connected), "no directory"};
    auto routed = routing::resolve(*dir, address, facts, local_time(desk_.clock_()));
    if (!routed) return routed.error();
    if (const auto* q = std::get_if<const directory::Queue*>(&routed->target))
      return im::RouteTarget{im::terms_of(**q)};
    return im::RouteTarget{im::AgentTarget{std::get<const directory::Agent*>(routed->target)->login}};
  }

 private:
  QueueDesk& desk_;
  std::size_t core_;
};

QueueDesk::QueueDesk(std::size_t cores, Deliver deliver, Clock clock)
    : cores_(cores), deliver_(std::move(deliver)), clock_(std::move(clock)) {
  for (std::size_t k = 0; k < cores_; ++k) ports_.push_back(std::make_unique<CorePort>(*this, k));
}

QueueDesk::~QueueDesk() = default;

im::QueuePort& QueueDesk::port(std::size_t core) { return *ports_.at(core); }

template <class F>
void QueueDesk::apply(F&& f) {
  routing::QueueRouter::Effects fx;
  std::vector<std::pair<std::string, std::size_t>> owners;
  {
    std::lock_guard hold(lock_);
    fx = f(router_);
    owners = owners_of(fx);
  }
  dispatch(fx, owners);
}

std::vector<std::pair<std::string, std::size_t>> QueueDesk::owners_of(
    const routing::QueueRouter::Effects& effects) const {
  std::vector<std::pair<std::string, std::size_t>> out;
  auto add = [&](const std::string& id) {
    auto it = core_of_.find(id);
    if (it != core_of_.end()) out.emplace_back(id, it->second);
  };
  for (const auto& o : effects.offers) add(o.interaction);
  for (const auto& p : effects.positions) add(p.interaction);
  return out;
}

void QueueDesk::dispatch(const routing::QueueRouter::Effects& effects,
                         const std::vector<std::pair<std::string, std::size_t>>& owners) {
  auto owner = [&](const std::string& id) -> std::optional<std::size_t> {
    for (const auto& [who, core] : owners)
      if (who == id) return core;
    return std::nullopt;
  };
  for (const auto& offer : effects.offers) {
    auto core = owner(offer.interaction);
    if (!core) continue;
    if (offer.interaction.starts_with(kQueuedMessagePrefix)) {
      deliver_(*core, [offer](SwitchTu& tu) { tu.on_queued_message_offer(offer); });
    } else {
      deliver_(*core, [offer](SwitchTu& tu) {
        tu.with_im([&](im::ImB2bua& b2bua) { b2bua.on_offer(offer); });
      });
    }
  }
  for (const auto& change : effects.positions) {
    if (change.interaction.starts_with(kQueuedMessagePrefix)) continue;  // nobody to tell
    if (auto core = owner(change.interaction)) {
      deliver_(*core, [change](SwitchTu& tu) {
        tu.with_im([&](im::ImB2bua& b2bua) { b2bua.on_position(change); });
      });
    }
  }
  for (const auto& login : effects.not_ready) {
    spdlog::info("agent {}: Not Ready (no answer), after missing its queue offers", login);
    if (not_ready_) not_ready_(login);
  }
}

void QueueDesk::set_directory(std::shared_ptr<const directory::Directory> directory,
                              routing::Presence default_presence) {
  routing::QueueRouter::Effects fx;
  std::vector<std::pair<std::string, std::size_t>> dropped;
  std::vector<std::pair<std::string, std::size_t>> owners;
  {
    std::lock_guard hold(lock_);
    std::unordered_set<std::string> known;
    for (const auto& a : directory->agents())
      if (router_.agent(a.login)) known.insert(a.login);
    auto reloaded = router_.set_directory(*directory);
    for (const auto& id : reloaded.dropped) {
      auto it = core_of_.find(id);
      if (it == core_of_.end()) continue;
      dropped.emplace_back(id, it->second);
      core_of_.erase(it);
    }
    fx = std::move(reloaded.effects);
    default_presence_ = default_presence;
    const std::int64_t now = clock_();
    for (const auto& a : directory->agents()) {
      if (known.contains(a.login)) continue;
      auto more = router_.set_presence(a.login, default_presence, {}, now);
      fx.offers.insert(fx.offers.end(), more.offers.begin(), more.offers.end());
      fx.positions.insert(fx.positions.end(), more.positions.begin(), more.positions.end());
    }
    directory_ = std::move(directory);
    owners = owners_of(fx);
  }
  for (const auto& [id, core] : dropped) {
    if (id.starts_with(kQueuedMessagePrefix)) continue;  // still stored: taken up at restart
    deliver_(core, [id = id](SwitchTu& tu) {
      tu.with_im([&](im::ImB2bua& b2bua) { b2bua.on_dropped(id); });
    });
  }
  dispatch(fx, owners);
}

void QueueDesk::set_presence(std::string_view login, routing::Presence presence,
                             std::string reason) {
  apply([&](routing::QueueRouter& r) {
    return r.set_presence(login, presence, std::move(reason), clock_());
  });
}

void QueueDesk::set_reachable(std::string_view login, bool reachable) {
  apply([&](routing::QueueRouter& r) { return r.set_reachable(login, reachable, clock_()); });
}

void QueueDesk::set_max_misses(unsigned n) {
  std::lock_guard hold(lock_);
  router_.set_max_misses(n);
}

std::optional<std::string> QueueDesk::pick(std::string_view queue,
                                          const std::vector<std::string>& skip) {
  std::lock_guard hold(lock_);
  return router_.pick(queue, skip);
}

void QueueDesk::on_not_ready(std::function<void(const std::string&)> fn) {
  not_ready_ = std::move(fn);
}

std::optional<routing::AgentView> QueueDesk::agent(std::string_view login) const {
  std::lock_guard hold(lock_);
  return router_.agent(login);
}

std::optional<routing::QueueView> QueueDesk::queue(std::string_view number) const {
  std::lock_guard hold(lock_);
  return router_.queue(number, clock_());
}

std::optional<std::vector<std::string>> QueueDesk::members(std::string_view number) const {
  std::lock_guard hold(lock_);
  return router_.members(number);
}

}  // namespace ims::sw::app
