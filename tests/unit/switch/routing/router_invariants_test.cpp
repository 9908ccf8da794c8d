#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <random>

#include "switch/routing/router.hpp"
#include "tests/unit/switch/routing/router_fixture.hpp"

namespace ims::sw::routing {
namespace {

using namespace ims::sw::routing::test;  // NOLINT(google-build-using-namespace): test helpers
using directory::DirectoryData;
using directory::Distribution;

// --- invariants under random inputs --------------------------------------------------------------

// Drives the router with a seeded random mix of every input and checks after each one what the
// header promises: nobody waits while a member it does not skip is free; reservations and
// sessions match the interactions; every position the caller was told is the current one.
class RandomDriver {
 public:
  RandomDriver() : one_(build(directory_a())), two_(build(directory_b())) {
    r_.set_max_misses(3);
    r_.set_directory(*one_);
  }

  void step(std::int64_t now) {
    const std::string who = kLogins[pick(kLogins.size())];
    switch (pick(12)) {
      case 0:
      case 1:
      case 2: request(now); break;
      case 3:
        apply(r_.set_presence(who, pick(4) ? Presence::Ready : Presence::NotReady, "", now));
        break;
      case 4: apply(r_.set_reachable(who, pick(6) != 0, now)); break;
      case 5:
        apply(r_.session_started(who));
        ++direct_[who];
        break;
      case 6:
        if (direct_[who] > 0) {
          --direct_[who];
          apply(r_.session_ended(who, now));
        }
        break;
      case 7:
        if (auto id = any(Stage::Offered)) (void)r_.answered(*id, now);
        break;
      case 8:
        if (auto id = any(Stage::Offered)) apply(pick(2) ? r_.declined(*id) : r_.no_answer(*id));
        break;
      case 9:
        if (auto id = any(Stage::Connected)) leave(*id, LeaveReason::Ended, now);
        break;
      case 10:
        if (auto id = any(pick(2) ? Stage::Waiting : Stage::Offered)) {
          leave(*id, static_cast<LeaveReason>(pick(4)), now);
        }
        break;
      case 11:
        if (pick(10) == 0) reload();
        break;
    }
    check();
  }

  std::size_t offers() const { return offers_; }
  std::size_t put_backs() const { return put_backs_; }

 private:
  static constexpr std::array<const char*, 6> kLogins = {"a", "b", "c", "d", "e", "f"};
  static constexpr std::array<const char*, 3> kQueues = {"2001", "2002", "2003"};

  static DirectoryData directory_a() {
    return agents({agent("a"), agent("b", 2), agent("c"), agent("d", 3), agent("e"), agent("f", 2)},
                  {queue("2001", {"a", "b", "c"}, Distribution::LongestIdle),
                   queue("2002", {"c", "d", "e"}, Distribution::RoundRobin),
                   queue("2003", {"e", "f", "a"}, Distribution::LeastBusy)});
  }
  static DirectoryData directory_b() {  // 2003 vanishes, 2001 and 2002 change hands
    return agents({agent("a", 2), agent("b"), agent("c"), agent("d"), agent("e", 2), agent("f")},
                  {queue("2001", {"d", "e", "f"}, Distribution::LeastBusy),
                   queue("2002", {"a", "b"}, Distribution::LongestIdle)});
  }

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

  void request(std::int64_t now) {
    RequestOptions opts;
    if (pick(4) == 0) opts.skip.push_back(kLogins[pick(kLogins.size())]);
    const std::string id = "i" + std::to_string(next_id_++);
    auto o = r_.request(kQueues[pick(kQueues.size())], id, now, opts);
    if (auto* w = std::get_if<Waiting>(&o)) {
      told_[id] = w->position;
      apply(w->moved_back);
    }
    if (std::holds_alternative<Offer>(o)) ++offers_;
    if (std::holds_alternative<Offer>(o) || std::holds_alternative<Waiting>(o)) ids_.push_back(id);
  }

  void leave(const std::string& id, LeaveReason reason, std::int64_t now) {
    apply(r_.leave(id, reason, now));
    told_.erase(id);
    std::erase(ids_, id);
  }

  void reload() {
    flip_ = !flip_;
    auto reloaded = r_.set_directory(flip_ ? *two_ : *one_);
    for (const std::string& id : reloaded.dropped) {
      told_.erase(id);
      std::erase(ids_, id);
    }
    apply(reloaded.effects);
  }

  std::optional<std::string> any(Stage stage) {
    std::vector<std::string> found;
    for (const std::string& id : ids_)
      if (r_.interaction(id)->stage == stage) found.push_back(id);
    if (found.empty()) return std::nullopt;
    return found[pick(found.size())];
  }

  void apply(const Effects& fx) {
    for (const PositionChange& p : fx.positions) {
      if (!told_.count(p.interaction)) ++put_backs_;
      told_[p.interaction] = p.position;
    }
    for (const Offer& o : fx.offers) told_.erase(o.interaction);
    offers_ += fx.offers.size();
  }
  void apply(const std::vector<PositionChange>& moved) {
    for (const PositionChange& p : moved) told_[p.interaction] = p.position;
  }

  void check() {
    std::map<std::string, unsigned> offered, connected;
    for (const std::string& id : ids_) {
      const auto i = r_.interaction(id);
      ASSERT_TRUE(i) << id;
      if (i->stage == Stage::Waiting) {
        ASSERT_EQ(told_[id], i->position) << id;
      } else {
        ++(i->stage == Stage::Offered ? offered : connected)[i->agent];
      }
    }
    for (const char* login : kLogins) {
      const auto a = r_.agent(login);
      ASSERT_TRUE(a);
      ASSERT_EQ(a->reservations, offered[login]) << login;
      ASSERT_EQ(a->sessions, connected[login] + direct_[login]) << login;
      if (!a->free) continue;
      for (const std::string& number : a->queues) {
        const auto q = r_.queue(number, 0);
        ASSERT_TRUE(q) << number;
        for (const WaitingView& w : q->waiting) {
          const auto skip = r_.interaction(w.interaction)->skip;
          ASSERT_NE(std::find(skip.begin(), skip.end(), login), skip.end())
              << w.interaction << " waits in " << number << " while " << login << " is free";
        }
      }
    }
  }

  std::shared_ptr<const directory::Directory> one_, two_;
  QueueRouter r_{4};
  std::mt19937 rng_{20240601};
  std::vector<std::string> ids_;
  std::map<std::string, std::size_t> told_;
  std::map<std::string, unsigned> direct_;
  std::size_t next_id_ = 0;
  std::size_t offers_ = 0;
  std::size_t put_backs_ = 0;
  bool flip_ = false;
};

TEST(QueueRouter, RandomInputsKeepTheInvariants) {
  RandomDriver driver;
  for (std::int64_t now = 0; now < 20000; ++now) {
    driver.step(now);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(driver.offers(), 500u);  // the mix reaches every path, not just the line
  EXPECT_GT(driver.put_backs(), 100u);
}

}  // namespace
}  // namespace ims::sw::routing
