#pragma once
// Helpers the QueueRouter tests share: directories in one line, agents made Ready, and readers
// for outcomes and effects. Test code only.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "switch/routing/router.hpp"

namespace ims::sw::routing::test {

using directory::Agent;
using directory::DirectoryData;
using directory::Distribution;
using directory::Queue;
using Effects = QueueRouter::Effects;

inline Agent agent(std::string login, unsigned capacity = 1,
                   std::vector<directory::Skill> skills = {}) {
  Agent a;
  a.login = std::move(login);
  a.credentials.password = "pw";
  a.im_capacity = capacity;
  a.skills = std::move(skills);
  return a;
}

inline Queue queue(std::string number, std::vector<std::string> members,
                   Distribution d = Distribution::LongestIdle) {
  Queue q;
  q.number = std::move(number);
  q.members = std::move(members);
  q.distribution = d;
  return q;
}

inline std::shared_ptr<const directory::Directory> build(DirectoryData d) {
  d.domains = {"example.com"};
  auto dir = directory::Directory::create(std::move(d));
  EXPECT_TRUE(dir) << dir.error().message;
  return dir ? *dir : directory::Directory::empty();
}

inline DirectoryData agents(std::vector<Agent> list, std::vector<Queue> queues) {
  DirectoryData d;
  d.agents = std::move(list);
  d.queues = std::move(queues);
  return d;
}

// Ready and logged in at `now`, so idle since `now`.
inline void ready(QueueRouter& r, std::string_view login, std::int64_t now = 0) {
  r.set_reachable(login, true, now);
  r.set_presence(login, Presence::Ready, "", now);
}

inline std::string offered_to(const QueueRouter::Outcome& o) {
  const auto* offer = std::get_if<Offer>(&o);
  return offer ? offer->agent : "";
}

inline std::size_t waiting_at(const QueueRouter::Outcome& o) {
  const auto* w = std::get_if<Waiting>(&o);
  return w ? w->position : 0;
}

struct Router {
  explicit Router(DirectoryData d, std::size_t max_waiting = directory::kMaxWaiting)
      : dir(build(std::move(d))), r(max_waiting) {
    EXPECT_TRUE(r.set_directory(*dir).dropped.empty());
  }
  std::shared_ptr<const directory::Directory> dir;
  QueueRouter r;
};

inline bool has_offer(const Effects& fx, std::string_view interaction,
                      std::string_view agent_login) {
  for (const Offer& o : fx.offers)
    if (o.interaction == interaction && o.agent == agent_login) return true;
  return false;
}

inline std::vector<std::pair<std::string, std::size_t>> positions(const Effects& fx) {
  std::vector<std::pair<std::string, std::size_t>> out;
  for (const PositionChange& p : fx.positions) out.emplace_back(p.interaction, p.position);
  return out;
}

using Positions = std::vector<std::pair<std::string, std::size_t>>;

}  // namespace ims::sw::routing::test
