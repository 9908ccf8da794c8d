// QueueDesk: one QueueRouter for every SIP core. An agent is never reserved for two interactions
// at once, whichever cores ask; what the router decides for an interaction reaches the core that
// queued it.

#include "switch/app/queue_desk.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ims::sw::app {
namespace {

std::shared_ptr<const directory::Directory> one_agent_queue(unsigned capacity) {
  directory::DirectoryData d;
  d.domains = {"example.com"};
  directory::Agent a;
  a.login = "bob";
  a.credentials.password = "pw";
  a.im_capacity = capacity;
  d.agents.push_back(a);
  directory::Queue q;
  q.number = "2001";
  q.members = {"bob"};
  d.queues.push_back(q);
  auto dir = directory::Directory::create(std::move(d));
  EXPECT_TRUE(dir) << dir.error().message;
  return *dir;
}

// Records which core each delivery went to, instead of posting it.
struct Deliveries {
  std::mutex lock;
  std::vector<std::size_t> cores;
  QueueDesk::Deliver deliver() {
    return [this](std::size_t core, std::function<void(SwitchTu&)>) {
      std::lock_guard hold(lock);
      cores.push_back(core);
    };
  }
};

TEST(QueueDesk, TwoCoresNeverGetTheSameAgentBeyondItsCapacity) {
  Deliveries out;
  QueueDesk desk(2, out.deliver(), [] { return std::int64_t{1000}; });
  desk.set_directory(one_agent_queue(1), routing::Presence::Ready);
  desk.set_reachable("bob", true);

  constexpr int kPerCore = 500;
  std::atomic<int> offers{0}, waiting{0};
  auto ask = [&](std::size_t core) {
    for (int i = 0; i < kPerCore; ++i) {
      const auto outcome = desk.port(core).request(
          "2001", "c" + std::to_string(core) + "-" + std::to_string(i), {});
      if (std::holds_alternative<routing::Offer>(outcome)) ++offers;
      if (std::holds_alternative<routing::Waiting>(outcome)) ++waiting;
    }
  };
  std::thread a(ask, 0), b(ask, 1);
  a.join();
  b.join();

  EXPECT_EQ(offers.load(), 1) << "capacity 1: one offer, everyone else waits";
  EXPECT_EQ(waiting.load(), 2 * kPerCore - 1);
  const auto view = desk.queue("2001");
  ASSERT_TRUE(view);
  EXPECT_EQ(view->waiting.size(), static_cast<std::size_t>(2 * kPerCore - 1));
}

TEST(QueueDesk, TheNextOfferGoesToTheCoreThatQueuedTheInteraction) {
  Deliveries out;
  QueueDesk desk(2, out.deliver(), [] { return std::int64_t{1000}; });
  desk.set_directory(one_agent_queue(1), routing::Presence::Ready);
  desk.set_reachable("bob", true);
  ASSERT_TRUE(std::holds_alternative<routing::Offer>(desk.port(0).request("2001", "first", {})));
  ASSERT_TRUE(std::holds_alternative<routing::Waiting>(desk.port(1).request("2001", "second", {})));
  ASSERT_TRUE(out.cores.empty());

  // bob declines the first: the second, queued by core 1, is offered there.
  desk.port(0).declined("first");

  ASSERT_FALSE(out.cores.empty());
  EXPECT_EQ(out.cores.front(), 1u);
}

TEST(QueueDesk, NewAgentsStartInTheConfiguredState) {
  Deliveries out;
  QueueDesk desk(1, out.deliver(), [] { return std::int64_t{1000}; });
  desk.set_directory(one_agent_queue(1), routing::Presence::NotReady);
  desk.set_reachable("bob", true);
  EXPECT_TRUE(std::holds_alternative<routing::Waiting>(desk.port(0).request("2001", "i1", {})));
  desk.set_presence("bob", routing::Presence::Ready, "");
  ASSERT_EQ(out.cores.size(), 1u) << "Ready: the waiting interaction is offered";
  // A reload keeps what the agent set.
  desk.set_directory(one_agent_queue(1), routing::Presence::NotReady);
  const auto bob = desk.agent("bob");
  ASSERT_TRUE(bob);
  EXPECT_EQ(bob->presence, routing::Presence::Ready);
}

}  // namespace
}  // namespace ims::sw::app
